pub mod admin;
pub mod enrol;
pub mod login;
pub mod mail;
pub mod not_found;
pub mod password;
pub mod settings;
pub mod shell;
