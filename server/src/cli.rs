use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Estafette: a self-hosted webmail.
#[derive(Debug, Parser)]
#[command(name = "estafette", version, about)]
pub struct Cli {
    /// Configuration file (TOML). `ESTAFETTE_SECTION__KEY` variables override it.
    #[arg(short, long, env = "ESTAFETTE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the configuration and explain what is wrong.
    CheckConfig,
    /// Connect to everything the configuration names (database, data
    /// directory, site, IMAP, SMTP, ManageSieve, clamd) without changing
    /// anything, and say for each what is wrong and what to do. Exits 1
    /// when a required one fails.
    Doctor {
        /// Also sign in to the mail servers as this account (its password
        /// is asked, or read from standard input with --password-stdin).
        #[arg(long, value_name = "ADDRESS")]
        user: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the sanitised HTML document the message view shows for a message.
    RenderEml {
        /// The message (RFC 5322, as an .eml file).
        file: PathBuf,
        /// Load remote images and resources, as when the reader allows them.
        #[arg(long)]
        allow_remote: bool,
    },
    /// Print, as JSON, what the message view warns about in a message:
    /// sender authentication and every warning with its kind.
    InspectEml {
        /// The message (RFC 5322, as an .eml file).
        file: PathBuf,
        /// Trust `Authentication-Results` from this server (repeatable;
        /// replaces `mail.authserv_id`).
        #[arg(long = "authserv-id", value_name = "ID")]
        authserv_id: Vec<String>,
        /// The reader's address: its domain is the reader's own.
        #[arg(long, value_name = "ADDRESS")]
        recipient: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Write the audit log to standard output, oldest first, as CSV or JSON.
    Export {
        /// From this day on (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DAY", default_value = "")]
        since: String,
        /// Up to this day, included (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DAY", default_value = "")]
        until: String,
        /// `csv` or `json`.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (the first admin is made this way).
    Add {
        email: String,
        /// Make the account an admin.
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input instead of asking for it.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { email: String },
    /// Enable a disabled account.
    Enable { email: String },
    /// Delete an account.
    Delete { email: String },
    /// Set a new password (ends the account's sessions).
    Passwd {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Turn two-factor sign-in off for an account.
    #[command(name = "reset-2fa")]
    Reset2fa { email: String },
    /// Make an account admin (`true`) or a plain user (`false`).
    SetAdmin {
        email: String,
        #[arg(action = clap::ArgAction::Set)]
        admin: bool,
    },
}
