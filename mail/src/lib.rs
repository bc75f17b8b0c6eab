//! The mail path: IMAP sessions, SMTP submission and ManageSieve as the
//! signed-in user.
//! Knows nothing of HTTP, Leptos or the database.

pub mod actions;
pub mod attachments;
pub mod clamd;
pub mod compose;
mod error;
pub mod filtering;
pub mod folders;
pub mod html_budget;
pub mod imap;
pub mod labels;
pub mod listing;
pub mod live;
pub mod managesieve;
pub mod message;
mod mime;
pub mod probe;
pub mod quota;
pub mod render;
pub mod reply;
pub mod sanitize;
pub mod search;
mod server;
pub mod smtp;
mod timing;
mod tls;
pub mod unsubscribe;
pub mod utf7;
pub mod view;

pub use error::MailError;
pub use mime::WriteError;
pub use server::{MailServer, Security};
