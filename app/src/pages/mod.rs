//! The pages, one module (or directory) each; what several pages show is in
//! `components`, and no page imports another.

pub mod admin;
pub mod compose;
pub mod contacts;
pub mod enrol;
pub mod filters;
pub mod link;
pub mod login;
pub mod mail;
pub mod not_found;
pub mod outbox;
pub mod password;
pub mod settings;
