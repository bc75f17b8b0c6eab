//! `estafette doctor`: everything the configuration names, asked without
//! changing anything, each judged ok or not with what to do. The probes are
//! the mail layer's; the judgement (what Estafette needs of each server) is
//! here.

use std::path::Path;

use estafette_mail::probe::{self, Login};
use estafette_mail::MailError;
use estafette_store::Store;

use crate::Config;

/// How one check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok(String),
    /// Works, with less than Estafette can use.
    Warn(String),
    /// Does not work: what is wrong, and what to do.
    Fail(String),
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    /// A failure of a required check stops Estafette from serving its users.
    pub required: bool,
    pub verdict: Verdict,
}

impl Check {
    fn new(name: impl Into<String>, required: bool, verdict: Verdict) -> Check {
        Check {
            name: name.into(),
            required,
            verdict,
        }
    }

    /// Whether it stands in the way (a required check that failed).
    pub fn blocks(&self) -> bool {
        self.required && matches!(self.verdict, Verdict::Fail(_))
    }
}

/// IMAP extensions Estafette uses, and what goes without each.
const IMAP_WANTED: &[(&str, &str)] = &[
    ("IDLE", "no live updates"),
    ("SORT", "lists sorted by date of arrival only"),
    ("MOVE", "moves copy then delete"),
    (
        "UIDPLUS",
        "deletions expunge every deleted message of the folder",
    ),
    ("SPECIAL-USE", "Sent, Drafts, Trash found by name only"),
    ("CONDSTORE", "no change tracking"),
    (
        "THREAD=REFERENCES",
        "conversations grouped by Estafette alone",
    ),
    ("ESEARCH", "searches answered in full"),
    ("QUOTA", "no mailbox usage shown"),
];

/// Runs every check; `login` signs in to the mail servers as that account.
pub async fn doctor(config: &Config, login: Option<Login<'_>>) -> Vec<Check> {
    let mut checks = vec![
        database(config).await,
        data_dir(&config.server.data_dir),
        secret_key(config),
        site(&config.server.site_root),
    ];
    checks.push(imap(config, login).await);
    checks.push(smtp(config, login).await);
    checks.push(sieve(config, login).await);
    if let Some(clamd) = config.scan.clamd() {
        let required = config.scan.when_unavailable == crate::config::WhenUnavailable::Refuse;
        let sample = futures::stream::once(async { Ok::<_, String>(b"Estafette doctor".to_vec()) });
        let verdict = match clamd.scan(sample).await {
            Ok(_) => Verdict::Ok(format!("{} answers", config.scan.clamd)),
            Err(e) => Verdict::Fail(format!(
                "{}: {e}; start clamd or correct scan.clamd",
                config.scan.clamd
            )),
        };
        checks.push(Check::new("virus scanning (clamd)", required, verdict));
    }
    checks
}

async fn database(config: &Config) -> Check {
    let url = config.database_url();
    let shown = estafette_store::redact_url(&url);
    if let Some(file) = crate::files::sqlite_file(config) {
        if !file.exists() {
            return Check::new(
                "database",
                true,
                Verdict::Fail(format!(
                    "{} does not exist yet; run `estafette migrate` (or start the service once)",
                    file.display()
                )),
            );
        }
    }
    let verdict = match Store::connect_read_only(&url).await {
        Err(e) => Verdict::Fail(format!(
            "{shown}: {e}; check database.url and that the server runs"
        )),
        Ok(store) => {
            let verdict = match store.ready().await {
                Ok(()) => Verdict::Ok(format!("{shown}: reachable, every migration applied")),
                Err(estafette_store::StoreError::NotMigrated) => Verdict::Fail(format!(
                    "{shown}: migrations are pending; run `estafette migrate`"
                )),
                Err(e) => Verdict::Fail(format!("{shown}: {e}")),
            };
            store.close().await;
            verdict
        }
    };
    Check::new("database", true, verdict)
}

fn data_dir(dir: &Path) -> Check {
    let verdict = if !dir.is_dir() {
        Verdict::Fail(format!(
            "{} is not a directory; create it (mode 700) or correct server.data_dir",
            dir.display()
        ))
    } else {
        let probe = dir.join(format!(".doctor-{}", std::process::id()));
        match std::fs::write(&probe, b"") {
            Err(e) => Verdict::Fail(format!(
                "{} cannot be written ({e}); give it to the user Estafette runs as",
                dir.display()
            )),
            Ok(()) => {
                let _ = std::fs::remove_file(&probe);
                Verdict::Ok(format!("{} is writable", dir.display()))
            }
        }
    };
    Check::new("data directory", true, verdict)
}

fn secret_key(config: &Config) -> Check {
    let verdict = if !config.auth.secret_key.is_empty() {
        match crate::keys::decode(&config.auth.secret_key) {
            Ok(_) => Verdict::Ok("auth.secret_key is set".into()),
            Err(e) => Verdict::Fail(format!("auth.secret_key: {e}")),
        }
    } else {
        let path = config.server.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => match crate::keys::decode(&text) {
                Ok(_) => Verdict::Ok(format!("{} holds the key", path.display())),
                Err(e) => Verdict::Fail(format!("{}: {e}", path.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Verdict::Warn(format!(
                "{} does not exist yet: it is made on the first start",
                path.display()
            )),
            Err(e) => Verdict::Fail(format!("{} cannot be read: {e}", path.display())),
        }
    };
    let exposed = crate::files::exposed(config);
    let verdict = match (verdict, exposed.first()) {
        (Verdict::Ok(_), Some(warning)) => Verdict::Warn(warning.clone()),
        (v, _) => v,
    };
    Check::new("server key and file modes", true, verdict)
}

fn site(root: &Path) -> Check {
    let pkg = root.join("pkg");
    let version = std::fs::read_to_string(pkg.join("VERSION")).unwrap_or_default();
    let dir = match version.trim() {
        "" => pkg,
        hash => pkg.join(hash),
    };
    let missing: Vec<&str> = ["estafette.js", "estafette_bg.wasm", "estafette.css"]
        .into_iter()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    let verdict = if missing.is_empty() {
        Verdict::Ok(format!("the bundle is in {}", dir.display()))
    } else {
        Verdict::Fail(format!(
            "{} lacks {}; build it (`scripts/build.sh site`) or correct server.site_root",
            dir.display(),
            missing.join(", ")
        ))
    };
    Check::new("site", true, verdict)
}

/// What to say of a server that could not be reached or refused.
fn unreachable(what: &str, keys: &str, e: &MailError) -> Verdict {
    Verdict::Fail(format!(
        "{e}; check {keys} and that the {what} server is running"
    ))
}

fn signed_in(verdict: Verdict, login: Option<Result<(), MailError>>) -> Verdict {
    match (verdict, login) {
        (v, None) => v,
        (Verdict::Fail(f), _) => Verdict::Fail(f),
        (_, Some(Err(MailError::Rejected))) => {
            Verdict::Fail("signing in was refused: wrong address or password".into())
        }
        (_, Some(Err(e))) => Verdict::Fail(format!("signing in failed: {e}")),
        (Verdict::Ok(s), Some(Ok(()))) => Verdict::Ok(format!("{s}; signed in")),
        (Verdict::Warn(s), Some(Ok(()))) => Verdict::Warn(format!("{s}; signed in")),
    }
}

/// A greeting without its status and bracketed codes: the server's words.
fn greeting(text: &str) -> String {
    let text = text.trim().trim_start_matches("* OK").trim();
    let text = match (text.starts_with('['), text.find(']')) {
        (true, Some(end)) => &text[end + 1..],
        _ => text,
    };
    text.trim().chars().take(120).collect()
}

fn tls_word(tls: &Option<String>) -> String {
    tls.clone().unwrap_or_else(|| "plain (loopback)".into())
}

async fn imap(config: &Config, login: Option<Login<'_>>) -> Check {
    let server = config.imap_server();
    let name = format!("IMAP {}", server.address());
    let verdict = match probe::imap(&server, login).await {
        Err(e) => unreachable("IMAP", "imap.host, imap.port and imap.security", &e),
        Ok(offer) => {
            let (caps, login) = match offer.login {
                Some(Ok(caps)) => (caps, Some(Ok(()))),
                Some(Err(e)) => (offer.before_login.clone(), Some(Err(e))),
                None => (offer.before_login.clone(), None),
            };
            let has = |c: &str| caps.iter().any(|x| x.eq_ignore_ascii_case(c));
            let lacking: Vec<String> = IMAP_WANTED
                .iter()
                .filter(|(c, _)| !has(c))
                .map(|(c, without)| format!("{c} ({without})"))
                .collect();
            let said = format!("{}, {}", tls_word(&offer.tls), greeting(&offer.greeting));
            let verdict = if login.is_none() {
                // Before login a server shows little: its extensions are judged signed in.
                Verdict::Ok(format!("{said}; its extensions are judged with --user"))
            } else if lacking.is_empty() {
                Verdict::Ok(said)
            } else {
                Verdict::Warn(format!("{said}; lacks {}", lacking.join(", ")))
            };
            signed_in(verdict, login)
        }
    };
    Check::new(name, true, verdict)
}

async fn smtp(config: &Config, login: Option<Login<'_>>) -> Check {
    let server = config.smtp_server();
    let name = format!("SMTP submission {}", server.address());
    let verdict = match probe::smtp(&server, login).await {
        Err(e) => unreachable("SMTP", "smtp.host, smtp.port and smtp.security", &e),
        Ok(offer) => {
            let said = format!("{}, AUTH {}", tls_word(&offer.tls), offer.auth.join(" "));
            let plain = offer.auth.iter().any(|a| a == "PLAIN" || a == "LOGIN");
            let limit = config.limits.max_message_bytes();
            let verdict = if !plain {
                Verdict::Fail(format!(
                    "{said}: neither AUTH PLAIN nor LOGIN is offered; Estafette cannot sign in to send"
                ))
            } else if offer.size_limit.is_some_and(|s| s > 0 && s < limit) {
                Verdict::Warn(format!(
                    "{said}; it refuses messages over {} bytes, less than limits.max_message_mb",
                    offer.size_limit.unwrap_or(0)
                ))
            } else {
                Verdict::Ok(said)
            };
            signed_in(verdict, offer.login)
        }
    };
    Check::new(name, true, verdict)
}

async fn sieve(config: &Config, login: Option<Login<'_>>) -> Check {
    let server = config.sieve_server();
    let name = format!("ManageSieve {}", server.address());
    let verdict = match probe::sieve(&server, login).await {
        Err(e) => Verdict::Warn(format!(
            "{e}: filters and the automatic reply are off until sieve.host/sieve.port reach one"
        )),
        Ok(offer) => signed_in(
            Verdict::Ok(format!(
                "{}, {} (Sieve: {})",
                tls_word(&offer.tls),
                offer.capabilities.implementation,
                offer.capabilities.extensions.join(" ")
            )),
            offer.login,
        ),
    };
    Check::new(name, false, verdict)
}
