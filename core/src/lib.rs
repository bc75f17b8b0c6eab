//! Estafette's domain logic, free of HTTP and Leptos: configuration, sign-in,
//! sessions and account administration over the store, auth and mail crates.

pub mod accounts;
pub mod address_book;
pub mod audit;
pub mod carddav;
pub mod config;
#[cfg(test)]
mod config_reference;
pub mod connections;
pub mod cookie;
pub mod defence;
pub mod doctor;
pub mod document;
mod drafts;
mod error;
pub mod files;
pub mod filters;
pub mod gauges;
pub mod identities;
pub mod image_proxy;
pub mod inline;
pub mod keys;
pub mod labels;
pub mod live;
mod message_files;
pub mod organising;
pub mod original;
pub mod outbox;
mod password_policy;
pub mod preferences;
pub mod proxies;
pub mod quota;
pub mod reading;
pub mod replying;
mod retry;
mod scanning;
pub mod sending;
pub mod sending_limit;
mod services;
mod sessions;
mod signin;
pub mod templates;
mod throttle;
pub mod two_factor;
pub mod unsubscribe;
pub mod uploads;
pub mod visitor;

pub use config::{Config, ConfigError};
pub use error::CoreError;
pub use estafette_mail::MailError;
pub use services::{ClientInfo, Services};
pub use signin::{DeviceCookie, SignedInToken};
