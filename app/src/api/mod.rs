//! Server functions: the browser's API. Each one starts by extracting who is
//! asking (`signed_in()` / `admin()`), so forgetting it fails closed.

pub mod admin;
pub mod auth;
pub mod contacts;
#[cfg(feature = "ssr")]
mod context;
pub mod defence;
pub mod filters;
pub mod labels;
pub mod mail;
pub mod preferences;
pub mod security;
pub mod templates;
