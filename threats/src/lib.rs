//! Estafette's reading of hostile mail: who really sent it (the receiving
//! server's `Authentication-Results`, or DKIM checked here), and what in
//! it is made to deceive (spoofed names, links that lie, lookalike
//! domains, risky attachments). Pure analysis: nothing of Leptos, HTTP or
//! IMAP; only [`dkim`] asks DNS.
//!
//! ```text
//! let input = estafette_threats::from_raw(raw)?;      // or Input { headers, html, … }
//! let report = estafette_threats::analyse(&input, &context);
//! ```

mod analyse;
pub mod archive;
pub mod attachments;
mod auth;
pub mod auth_results;
pub mod context;
pub mod dkim;
pub mod domain;
pub mod html;
mod input;
pub mod links;
pub mod lookalike;
pub mod report;
pub mod sender;

pub use analyse::{analyse, needs_verification, MAX_HEADER_BYTES, MAX_WARNINGS};
pub use archive::MAX_ARCHIVE_BYTES;
pub use attachments::{wants_content, AttachmentInput};
pub use context::Context;
pub use input::{from_raw, Input, MAX_ATTACHMENTS};
pub use links::{assess, LinkReason, LinkVerdict};
pub use report::{Authentication, Facts, Kind, Report, Verdict, Warning};
