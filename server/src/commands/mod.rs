//! What each subcommand does.

mod user;

use estafette_core::Config;

use crate::cli::{Cli, Command};
use crate::startup::{open_store, Application};
use crate::{telemetry, ServerError};

pub async fn run(cli: Cli) -> Result<(), ServerError> {
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    match cli.command {
        Command::CheckConfig => {
            println!("The configuration is valid.");
            println!("  listen:   {}", config.server.listen);
            println!(
                "  database: {}",
                estafette_store::redact_url(&config.database_url())
            );
            println!(
                "  imap:     {} ({:?})",
                config.imap_server().address(),
                config.imap.security
            );
            println!(
                "  smtp:     {} ({:?})",
                config.smtp_server().address(),
                config.smtp.security
            );
            Ok(())
        }
        Command::Serve => {
            telemetry::init(config.server.log_format);
            Application::build(config).await?.run().await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Command::User(cmd) => user::run(config, cmd).await,
    }
}
