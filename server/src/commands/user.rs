//! `estafette user …`: account administration from the command line.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use estafette_core::accounts::Actor;
use estafette_core::config::PasswordSource;
use estafette_core::{Config, Services};
use estafette_store::{AccountState, Role};
use secrecy::SecretString;

use crate::cli::UserCommand;
use crate::startup::open_store;
use crate::ServerError;

/// One line from standard input, or a hidden prompt on a terminal.
pub(super) fn read_password(from_stdin: bool) -> Result<SecretString, ServerError> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        eprint!("Password: ");
    } else if !from_stdin {
        return Err(ServerError::Usage(
            "no terminal to ask for the password: pass --password-stdin".into(),
        ));
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(ServerError::Usage("the password is empty".into()));
    }
    Ok(SecretString::from(password))
}

pub async fn run(config: Config, cmd: UserCommand) -> Result<(), ServerError> {
    let store = open_store(&config).await?;
    let imap_checks_passwords = config.auth.password_source == PasswordSource::Imap;
    let services = Services::new(Arc::new(config), store)?;
    let actor = Actor::command_line();
    match cmd {
        UserCommand::Add {
            email,
            admin,
            password_stdin,
        } => {
            let password = if imap_checks_passwords && !password_stdin {
                None
            } else {
                Some(read_password(password_stdin)?)
            };
            let role = if admin { Role::Admin } else { Role::User };
            let account = services
                .create_account(actor, &email, password.as_ref(), role)
                .await?;
            println!("Created {} ({}).", account.email, role.as_str());
        }
        UserCommand::List => {
            let accounts = services.list_accounts(actor, "").await?;
            println!("{:<40} {:<6} {:<9} 2FA", "EMAIL", "ROLE", "STATE");
            for a in accounts {
                let totp = if a.totp_enabled { "on" } else { "off" };
                println!(
                    "{:<40} {:<6} {:<9} {totp}",
                    a.email,
                    a.role.as_str(),
                    a.state.as_str()
                );
            }
        }
        UserCommand::Disable { email } => {
            services
                .set_state(actor, &email, AccountState::Disabled)
                .await?;
            println!("Disabled {email}; its sessions have ended.");
        }
        UserCommand::Enable { email } => {
            services
                .set_state(actor, &email, AccountState::Active)
                .await?;
            println!("Enabled {email}.");
        }
        UserCommand::Delete { email } => {
            services.delete_account(actor, &email).await?;
            println!("Deleted {email}.");
        }
        UserCommand::Passwd {
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            services.set_password(actor, &email, &password).await?;
            println!("Changed the password of {email}; its sessions have ended.");
        }
        UserCommand::Reset2fa { email } => {
            services.reset_two_factor(actor, &email).await?;
            println!("Two-factor sign-in is off for {email}.");
        }
        UserCommand::SetAdmin { email, admin } => {
            let role = if admin { Role::Admin } else { Role::User };
            services.set_role(actor, &email, role).await?;
            println!("{email} is now {}.", role.as_str());
        }
    }
    services.close().await;
    Ok(())
}
