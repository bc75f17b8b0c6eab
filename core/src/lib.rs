//! Estafette's domain logic, free of HTTP and Leptos: configuration, sign-in,
//! sessions and account administration over the store, auth and mail crates.

pub mod config;

pub use config::{Config, ConfigError};
