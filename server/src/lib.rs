//! The Estafette server: configuration loading, the HTTP application and the
//! command line. The binary in `main.rs` only parses arguments and calls in.

pub mod cli;
pub mod commands;
mod error;
mod http;
mod metrics;
pub mod startup;
pub mod telemetry;

pub use error::ServerError;
