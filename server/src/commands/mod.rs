//! What each subcommand does.

mod inspect;
mod user;

use estafette_core::Config;

use crate::cli::{AuditCommand, Cli, Command};
use crate::startup::{open_store, Application};
use crate::{telemetry, ServerError};

pub async fn run(cli: Cli) -> Result<(), ServerError> {
    let config = match cli.command {
        // Works on a file alone, whatever the configuration.
        Command::RenderEml { .. } => Config::default(),
        // Reads the `[mail]` section only when a file is named.
        Command::InspectEml { .. } if cli.config.is_none() => Config::default(),
        _ => Config::load(cli.config.as_deref(), std::env::vars())?,
    };
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
            for warning in estafette_core::files::exposed(&config) {
                eprintln!("warning: {warning}");
            }
            Ok(())
        }
        Command::Serve => {
            telemetry::init(config.server.log_format, config.log.redact_addresses);
            Application::build(config).await?.run().await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Command::User(cmd) => user::run(config, cmd).await,
        Command::Audit(AuditCommand::Export {
            since,
            until,
            format,
        }) => audit_export(config, &since, &until, &format).await,
        Command::Doctor {
            user,
            password_stdin,
        } => doctor(&config, user, password_stdin).await,
        Command::RenderEml { file, allow_remote } => render_eml(&file, allow_remote),
        Command::InspectEml {
            file,
            authserv_id,
            recipient,
        } => inspect::inspect_eml(&config.mail, &file, authserv_id, recipient).await,
    }
}

/// Needs no configuration: a message in, the iframe's document out.
fn render_eml(file: &std::path::Path, allow_remote: bool) -> Result<(), ServerError> {
    let raw = std::fs::read(file)
        .map_err(|e| ServerError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let document = estafette_core::document::render_file(&raw, allow_remote)
        .map_err(|e| ServerError::Usage(format!("{}: {e}", file.display())))?;
    print!("{document}");
    Ok(())
}

/// One line per check: `ok`, `warn` or `FAIL`, then what it found.
async fn doctor(
    config: &Config,
    user: Option<String>,
    password_stdin: bool,
) -> Result<(), ServerError> {
    use estafette_core::doctor::{self, Verdict};
    let password = match &user {
        Some(_) => Some(user::read_password(password_stdin)?),
        None => None,
    };
    let login = user
        .as_deref()
        .zip(password.as_ref())
        .map(|(user, password)| estafette_mail::probe::Login { user, password });
    let checks = doctor::doctor(config, login).await;
    for c in &checks {
        let (word, said) = match &c.verdict {
            Verdict::Ok(s) => ("ok  ", s),
            Verdict::Warn(s) => ("warn", s),
            Verdict::Fail(s) => ("FAIL", s),
        };
        println!("{word}  {}: {said}", c.name);
    }
    let blocking = checks.iter().filter(|c| c.blocks()).count();
    if blocking > 0 {
        return Err(ServerError::Failed(format!(
            "{blocking} required check(s) failed"
        )));
    }
    Ok(())
}

/// The audit log to standard output, a page at a time.
async fn audit_export(
    config: Config,
    since: &str,
    until: &str,
    format: &str,
) -> Result<(), ServerError> {
    use std::io::Write;

    use estafette_core::accounts::Actor;
    use estafette_core::audit::{Format, Period, EXPORT_PAGE};

    let usage = |e: estafette_core::CoreError| ServerError::Usage(e.to_string());
    let format = Format::parse(format).map_err(usage)?;
    let period = Period::parse(since, until).map_err(usage)?;
    let store = open_store(&config).await?;
    let services = estafette_core::Services::new(std::sync::Arc::new(config), store)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    out.write_all(format.start().as_bytes())?;
    let mut after = 0;
    loop {
        let page = services
            .audit_export_page(Actor::command_line(), period, after)
            .await?;
        for (i, e) in page.iter().enumerate() {
            out.write_all(format.entry(e, after == 0 && i == 0).as_bytes())?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == EXPORT_PAGE => after = last.id,
            _ => break,
        }
    }
    out.write_all(format.end().as_bytes())?;
    out.flush()?;
    Ok(())
}
