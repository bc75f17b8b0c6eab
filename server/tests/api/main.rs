//! Estafette's integration tests: the real application on port 0, a fresh
//! database, the development Dovecot and Postfix started by scripts/test.sh.
//! One test binary (each file under tests/ would be another binary to link).
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod access;
mod actions;
mod admin;
mod attachments;
mod cli;
mod completion;
mod contacts;
mod doctor;
mod faults;
mod filters;
mod guessing;
mod helpers;
mod identities;
mod instances;
mod labels;
mod large;
mod live;
mod logs;
mod mail_server;
mod managesieve;
mod metrics;
mod original;
mod outbox;
mod preferences;
mod process;
mod proxy;
mod quota;
mod reading;
mod scanning;
mod security;
mod sending;
mod sending_limit;
mod signin;
mod templates;
mod threats;
mod two_factor;
mod web;
