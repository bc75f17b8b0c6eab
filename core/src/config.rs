//! Typed configuration: a TOML file, then `ESTAFETTE_SECTION__KEY` environment
//! overrides, then validation. Every error names the key and the reason.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use estafette_mail::{MailServer, Security};
use serde::Deserialize;
use thiserror::Error;

/// Prefix of environment overrides: `ESTAFETTE_DATABASE__URL=…` sets `database.url`.
pub const ENV_PREFIX: &str = "ESTAFETTE_";
/// Environment variables with the prefix that are not overrides.
const ENV_NOT_OVERRIDES: &[&str] = &["ESTAFETTE_CONFIG", "ESTAFETTE_LOG"];
/// Reserved for the test suite's own settings.
const ENV_TEST_PREFIX: &str = "ESTAFETTE_TEST_";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{origin}: {reason}")]
    Syntax { origin: String, reason: String },
    #[error("{key}: {reason}")]
    Invalid { key: String, reason: String },
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub imap: MailEndpoint,
    pub smtp: MailEndpoint,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub mail: MailConfig,
    pub sieve: SieveConfig,
    pub scan: ScanConfig,
    pub web: WebConfig,
    pub carddav: CardDavConfig,
    pub log: LogConfig,
    pub audit: AuditConfig,
}

/// What the log says of people.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Mail addresses in the log are written as a keyed hash with their
    /// domain (`#3f9a2b1c0d@example.org`), not in clear.
    pub redact_addresses: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            redact_addresses: true,
        }
    }
}

/// How long the audit log is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Entries older than this many days are removed; 0 keeps them all.
    pub retention_days: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            retention_days: 365,
        }
    }
}

/// The CardDAV server that keeps the users' address books, if any: each
/// user's cards are synchronised with their books there, signed in as they
/// sign in to IMAP.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CardDavConfig {
    /// The server's URL (`https://dav.example.org/`); empty: no sync.
    pub url: String,
}

impl CardDavConfig {
    /// The server's URL, when one is configured.
    pub fn url(&self) -> Option<url::Url> {
        let url = self.url.trim();
        (!url.is_empty())
            .then(|| url::Url::parse(url).ok())
            .flatten()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = self.url.trim();
        if url.is_empty() {
            return Ok(());
        }
        let loopback = |u: &url::Url| match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            None => false,
        };
        match url::Url::parse(url) {
            Ok(u) if u.scheme() == "http" && !loopback(&u) => Err(invalid(
                "carddav.url",
                "must be https: each user's password goes with every request (http on loopback only)",
            )),
            Ok(u)
                if matches!(u.scheme(), "http" | "https")
                    && u.host().is_some()
                    && u.username().is_empty()
                    && u.password().is_none() =>
            {
                Ok(())
            }
            _ => Err(invalid(
                "carddav.url",
                "must be an http(s) URL without a user name (each user signs in as themselves)",
            )),
        }
    }
}

/// Requests the server makes to the web for a reader: remote images
/// through its image proxy, one-click unsubscribe (see `estafette_web`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Socket addresses (`10.0.0.5:443`) reachable although inside a
    /// network: an organisation's own list server. Nothing else inside is.
    #[serde(deserialize_with = "one_or_many")]
    pub allow: Vec<String>,
    /// Ports of the public internet that may be asked.
    pub ports: Vec<u16>,
    /// The largest remote image, in megabytes.
    pub max_image_mb: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            allow: Vec::new(),
            ports: vec![80, 443],
            max_image_mb: 5,
        }
    }
}

/// How long one request to the web may take.
const WEB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl WebConfig {
    fn allowed(&self) -> Result<Vec<std::net::SocketAddr>, ConfigError> {
        self.allow
            .iter()
            .map(|a| {
                a.trim().parse().map_err(|_| {
                    invalid(
                        "web.allow",
                        format!("`{a}` is not an address and port such as 10.0.0.5:443"),
                    )
                })
            })
            .collect()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.allowed()?;
        if self.ports.contains(&0) {
            return Err(invalid("web.ports", "0 is not a port"));
        }
        if !(1..=50).contains(&self.max_image_mb) {
            return Err(invalid("web.max_image_mb", "must be between 1 and 50"));
        }
        Ok(())
    }

    /// Where the server's requests may go.
    pub fn limits(&self) -> estafette_web::Limits {
        estafette_web::Limits {
            allow: self.allowed().unwrap_or_default(),
            ports: self.ports.clone(),
            timeout: WEB_TIMEOUT,
        }
    }
}

/// Optional virus scanning of attachments by ClamAV's daemon.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// `unix:/path` or `tcp:host:port`; empty: no scanning.
    pub clamd: String,
    /// When clamd cannot be reached: refuse the file, or let it through.
    pub when_unavailable: WhenUnavailable,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhenUnavailable {
    #[default]
    Refuse,
    Allow,
}

impl ScanConfig {
    /// The daemon to ask, when scanning is on.
    pub fn clamd(&self) -> Option<estafette_mail::clamd::Clamd> {
        estafette_mail::clamd::Clamd::parse(self.clamd.trim())
    }
}

/// The ManageSieve server that keeps the users' filters (Sieve scripts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SieveConfig {
    /// Empty: the IMAP host.
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls`, or `plain` (loopback only).
    pub security: Security,
}

impl Default for SieveConfig {
    fn default() -> Self {
        SieveConfig {
            host: String::new(),
            port: 4190,
            security: Security::Starttls,
        }
    }
}

/// What a user may send.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// The largest message, attachments included, in megabytes.
    pub max_message_mb: u64,
    /// Files a session may have uploaded and not yet sent.
    pub max_uploads_per_session: u32,
    /// Their total size, in megabytes.
    pub max_upload_mb_per_session: u64,
    /// Messages an account may have waiting in the outbox (undo, send later).
    pub max_held_messages: u32,
    /// How long a held message the mail server cannot take for now (down,
    /// or a 4xx reply) is tried again after it was due, in hours.
    pub send_retry_hours: u32,
    /// Live-update streams (open pages) an account may have at once.
    pub max_event_streams: u32,
    /// Messages an account may send within an hour window (see
    /// `sending_limit`): a stolen account cannot become a spam relay.
    pub max_messages_per_hour: u32,
    /// Recipients (To, Cc and Bcc counted) an account may send to within a
    /// day window; a message with more is refused alone.
    pub max_recipients_per_day: u32,
    /// The longest one operation on a session's IMAP connection may take
    /// (signing in to it, a page, a message, a chunk of a download), in
    /// seconds; past it the connection is closed and the request fails.
    pub imap_timeout_seconds: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_message_mb: 25,
            max_uploads_per_session: 50,
            max_upload_mb_per_session: 100,
            max_held_messages: 100,
            send_retry_hours: 24,
            max_event_streams: 8,
            max_messages_per_hour: 200,
            max_recipients_per_day: 1000,
            imap_timeout_seconds: 120,
        }
    }
}

impl LimitsConfig {
    pub fn max_message_bytes(&self) -> u64 {
        self.max_message_mb * 1024 * 1024
    }

    pub fn imap_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.imap_timeout_seconds)
    }
}

/// How received mail is judged (sender authentication, lookalikes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The receiving server's authserv-ids: only `Authentication-Results`
    /// headers carrying one of them are trusted. A list, or one string
    /// (`ESTAFETTE_MAIL__AUTHSERV_ID=mx.example.org`), commas separating.
    #[serde(deserialize_with = "one_or_many")]
    pub authserv_id: Vec<String>,
    /// Check DKIM and DMARC alignment when no trusted header says (DNS).
    pub verify_dkim: bool,
    /// The organisation's other domains: mail claiming them must be verified.
    #[serde(deserialize_with = "one_or_many")]
    pub organisation_domains: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

impl MailConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        for id in &self.authserv_id {
            if id.trim().is_empty() || id.contains(char::is_whitespace) || id.contains(';') {
                return Err(invalid(
                    "mail.authserv_id",
                    format!("`{id}` is not an authserv-id such as mx.example.org"),
                ));
            }
        }
        for d in &self.organisation_domains {
            let ok = !d.is_empty()
                && d.contains('.')
                && d.split('.')
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
            if !ok {
                return Err(invalid(
                    "mail.organisation_domains",
                    format!("`{d}` is not a domain such as example.org"),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: String,
    /// Where the built site (`pkg/` with the WASM bundle and CSS) is.
    pub site_root: PathBuf,
    /// Directory for the SQLite database and temporary files.
    pub data_dir: PathBuf,
    /// Set when Estafette is served over HTTPS: cookies get `Secure` and `__Host-`.
    pub tls: bool,
    /// `human` or `json`.
    pub log_format: LogFormat,
    /// Reverse proxies (addresses or CIDR ranges) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client. Empty: none is believed.
    #[serde(deserialize_with = "one_or_many")]
    pub trusted_proxies: Vec<String>,
    /// Where uploads wait until their message is sent, apart from the
    /// database. Empty: `estafette-uploads` in the system's temporary directory.
    pub upload_dir: PathBuf,
    /// Where Prometheus scrapes `/metrics`, apart from the application's
    /// address (never public by accident). Empty: no metrics.
    pub metrics_listen: String,
}

/// An IMAP or SMTP server. Without a port, the protocol's own is used
/// (IMAP 143 or 993 with `tls`; submission 587 or 465 with `tls`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailEndpoint {
    pub host: String,
    pub port: Option<u16>,
    /// `tls`, `starttls`, or `plain` (loopback only).
    pub security: Security,
}

impl Default for MailEndpoint {
    fn default() -> Self {
        MailEndpoint {
            host: "127.0.0.1".into(),
            port: None,
            security: Security::Starttls,
        }
    }
}

impl MailEndpoint {
    fn server(&self, plain_port: u16, tls_port: u16) -> MailServer {
        let default_port = if self.security == Security::Tls {
            tls_port
        } else {
            plain_port
        };
        MailServer {
            host: self.host.clone(),
            port: self.port.unwrap_or(default_port),
            security: self.security,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means
    /// `sqlite://<data_dir>/estafette.db`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PasswordSource {
    /// Estafette's argon2id hashes are the passwords (Dovecot reads them too).
    Database,
    /// The IMAP server checks passwords; Estafette keeps only the account row.
    Imap,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub password_source: PasswordSource,
    /// Sign out after this many minutes without a request.
    pub session_idle_minutes: u64,
    /// Sign out this many hours after sign-in, active or not.
    pub session_absolute_hours: u64,
    /// Failed sign-ins per account, and per client address, within
    /// `failure_window_minutes` before a temporary lock.
    pub max_failures: u32,
    pub max_failures_per_address: u32,
    pub failure_window_minutes: u64,
    /// The first lock lasts this long; each further failure doubles it, up to
    /// `max_lockout_minutes`. Locks always end: no one can lock a victim out for good.
    pub lockout_seconds: u64,
    pub max_lockout_minutes: u64,
    /// Key (base64, 32 bytes) that encrypts TOTP secrets at rest. Empty: a key
    /// file `secret.key` in the data directory, made on first start. Several
    /// instances must share it.
    pub secret_key: String,
    /// With `password_source = "imap"` and provisioning allowed: the domains
    /// whose addresses may get an account on first sign-in (required then).
    #[serde(deserialize_with = "one_or_many")]
    pub provision_domains: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            site_root: PathBuf::from("target/site"),
            data_dir: PathBuf::from("data"),
            tls: false,
            log_format: LogFormat::Human,
            trusted_proxies: Vec::new(),
            upload_dir: PathBuf::new(),
            metrics_listen: String::new(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: String::new(),
            max_connections: 10,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            password_source: PasswordSource::Database,
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            max_failures: 5,
            max_failures_per_address: 20,
            failure_window_minutes: 15,
            lockout_seconds: 60,
            max_lockout_minutes: 15,
            secret_key: String::new(),
            provision_domains: Vec::new(),
        }
    }
}

impl Config {
    /// Reads `path` (when given), applies the environment, validates.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (mut table, origin) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::Read {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                let table = text
                    .parse::<toml::Table>()
                    .map_err(|e| ConfigError::Syntax {
                        origin: p.display().to_string(),
                        reason: e.to_string(),
                    })?;
                (table, p.display().to_string())
            }
            None => (toml::Table::new(), "defaults".to_owned()),
        };
        apply_env(&mut table, env)?;
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let key = e.path().to_string();
                let reason = e.inner().message().to_owned();
                if key == "." {
                    ConfigError::Syntax { origin, reason }
                } else {
                    ConfigError::Invalid { key, reason }
                }
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        self.metrics_addr()?;
        self.web.validate()?;
        self.carddav.validate()?;
        if !self.scan.clamd.trim().is_empty() && self.scan.clamd().is_none() {
            return Err(invalid(
                "scan.clamd",
                "must be unix:/path/to/clamd.sock or tcp:host:port",
            ));
        }
        if !self.database.url.is_empty() {
            estafette_store::Backend::from_url(&self.database.url)
                .map_err(|e| invalid("database.url", e.to_string()))?;
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if !(1..=1024).contains(&self.limits.max_message_mb) {
            return Err(invalid(
                "limits.max_message_mb",
                "must be between 1 and 1024",
            ));
        }
        if !(1..=100_000).contains(&self.limits.max_messages_per_hour) {
            return Err(invalid(
                "limits.max_messages_per_hour",
                "must be between 1 and 100000",
            ));
        }
        if !(1..=1_000_000).contains(&self.limits.max_recipients_per_day) {
            return Err(invalid(
                "limits.max_recipients_per_day",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=3600).contains(&self.limits.imap_timeout_seconds) {
            return Err(invalid(
                "limits.imap_timeout_seconds",
                "must be between 1 and 3600 (an hour)",
            ));
        }
        if self.audit.retention_days > 36_500 {
            return Err(invalid(
                "audit.retention_days",
                "must be between 0 (keep everything) and 36500 (a hundred years)",
            ));
        }
        if !(1..=720).contains(&self.limits.send_retry_hours) {
            return Err(invalid(
                "limits.send_retry_hours",
                "must be between 1 and 720 (30 days)",
            ));
        }
        for (key, server) in [
            ("imap", self.imap_server()),
            ("smtp", self.smtp_server()),
            ("sieve", self.sieve_server()),
        ] {
            if server.host.trim().is_empty() {
                return Err(invalid(&format!("{key}.host"), "must not be empty"));
            }
            if server.port == 0 {
                return Err(invalid(
                    &format!("{key}.port"),
                    "must be between 1 and 65535",
                ));
            }
            server
                .check_security()
                .map_err(|e| invalid(&format!("{key}.security"), e.to_string()))?;
        }
        if self.auth.session_idle_minutes == 0 {
            return Err(invalid("auth.session_idle_minutes", "must be at least 1"));
        }
        for (key, value) in [
            (
                "auth.session_absolute_hours",
                self.auth.session_absolute_hours,
            ),
            ("auth.max_failures", u64::from(self.auth.max_failures)),
            (
                "auth.max_failures_per_address",
                u64::from(self.auth.max_failures_per_address),
            ),
            (
                "auth.failure_window_minutes",
                self.auth.failure_window_minutes,
            ),
            ("auth.lockout_seconds", self.auth.lockout_seconds),
            ("auth.max_lockout_minutes", self.auth.max_lockout_minutes),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        crate::proxies::TrustedProxies::parse(&self.server.trusted_proxies)
            .map_err(|e| invalid("server.trusted_proxies", e))?;
        for (key, value) in [
            (
                "limits.max_uploads_per_session",
                u64::from(self.limits.max_uploads_per_session),
            ),
            (
                "limits.max_upload_mb_per_session",
                self.limits.max_upload_mb_per_session,
            ),
            (
                "limits.max_held_messages",
                u64::from(self.limits.max_held_messages),
            ),
            (
                "limits.max_event_streams",
                u64::from(self.limits.max_event_streams),
            ),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        for domain in &self.auth.provision_domains {
            let d = domain.trim();
            if d.is_empty() || d.contains(['@', ' ', '/']) || !d.contains('.') {
                return Err(invalid(
                    "auth.provision_domains",
                    format!("`{domain}` is not a domain name"),
                ));
            }
        }
        if !self.auth.secret_key.is_empty() {
            crate::keys::decode(&self.auth.secret_key)
                .map_err(|e| invalid("auth.secret_key", e))?;
        }
        self.mail.validate()?;
        Ok(())
    }

    pub fn imap_server(&self) -> MailServer {
        self.imap.server(143, 993)
    }

    pub fn smtp_server(&self) -> MailServer {
        self.smtp.server(587, 465)
    }

    /// The ManageSieve server: the IMAP host unless another is given.
    pub fn sieve_server(&self) -> MailServer {
        let host = if self.sieve.host.trim().is_empty() {
            self.imap.host.clone()
        } else {
            self.sieve.host.clone()
        };
        MailServer {
            host,
            port: self.sieve.port,
            security: self.sieve.security,
        }
    }

    /// The metrics endpoint's address, when metrics are on; it may not be
    /// the application's own.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let text = self.server.metrics_listen.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let addr: SocketAddr = text.parse().map_err(|_| {
            invalid(
                "server.metrics_listen",
                format!("`{text}` is not an address:port such as 127.0.0.1:9090"),
            )
        })?;
        if self
            .listen_addr()
            .is_ok_and(|l| l == addr && addr.port() != 0)
        {
            return Err(invalid(
                "server.metrics_listen",
                "must differ from server.listen: metrics are not for the public",
            ));
        }
        Ok(Some(addr))
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.listen.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!(
                    "`{}` is not an address:port such as 127.0.0.1:8080",
                    self.server.listen
                ),
            )
        })
    }

    /// The proxies whose forwarding headers are believed (checked by `load`).
    pub fn trusted_proxies(&self) -> crate::proxies::TrustedProxies {
        crate::proxies::TrustedProxies::parse(&self.server.trusted_proxies).unwrap_or_default()
    }

    /// Where uploads wait (see `server.upload_dir`).
    pub fn upload_dir(&self) -> PathBuf {
        if self.server.upload_dir.as_os_str().is_empty() {
            std::env::temp_dir().join("estafette-uploads")
        } else {
            self.server.upload_dir.clone()
        }
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!(
                "sqlite://{}",
                self.server.data_dir.join("estafette.db").display()
            )
        } else {
            self.database.url.clone()
        }
    }
}

/// `ESTAFETTE_AUTH__SESSION_IDLE_MINUTES=30` → `auth.session_idle_minutes = 30`.
/// Values that parse as TOML (numbers, booleans) keep their type; others are strings.
fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in env {
        let Some(path) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if ENV_NOT_OVERRIDES.contains(&name.as_str()) || name.starts_with(ENV_TEST_PREFIX) {
            continue;
        }
        let keys: Vec<String> = path.split("__").map(str::to_lowercase).collect();
        if keys.len() != 2 || keys.iter().any(String::is_empty) {
            return Err(invalid(
                &name,
                "environment overrides are named ESTAFETTE_SECTION__KEY (two underscores)",
            ));
        }
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.clone()));
        let section = table
            .entry(keys[0].clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match section {
            toml::Value::Table(t) => {
                t.insert(keys[1].clone(), parsed);
            }
            _ => return Err(invalid(&keys[0], "must be a section")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().map_err(|e| invalid("test", e.to_string()))?;
        let path = dir.path().join("estafette.toml");
        std::fs::write(&path, text).map_err(|e| invalid("test", e.to_string()))?;
        Config::load(
            Some(&path),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn defaults_are_valid_and_safe() {
        let c = Config::load(None, []).map_err(|e| e.to_string());
        let c = c.as_ref().map_err(Clone::clone);
        assert!(c.is_ok(), "{c:?}");
        if let Ok(c) = c {
            assert_eq!(c.server.listen, "127.0.0.1:8080");
            assert_eq!(c.imap_server().port, 143);
            assert_eq!(c.smtp_server().port, 587);
            assert_eq!(c.imap.security, Security::Starttls);
            assert!(c.database_url().starts_with("sqlite://"));
            assert_eq!(c.sieve_server().port, 4190);
            assert_eq!(c.sieve_server().security, Security::Starttls);
            assert_eq!(c.limits.max_messages_per_hour, 200);
            assert_eq!(c.limits.max_recipients_per_day, 1000);
        }
    }

    #[test]
    fn a_typo_names_the_key() {
        let err = load_str("[database]\nulr = \"sqlite://x.db\"\n", &[])
            .err()
            .map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("database.ulr"), "{err}");
        assert!(err.contains("unknown field"), "{err}");
        let err = load_str("[databse]\n", &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("databse"), "{err}");
    }

    #[test]
    fn bad_values_name_the_key_and_reason() {
        let cases = [
            ("[imap]\nport = \"many\"\n", "imap.port"),
            ("[imap]\nsecurity = \"sometimes\"\n", "imap.security"),
            (
                "[imap]\nhost = \"mail.example.org\"\nsecurity = \"plain\"\n",
                "imap.security",
            ),
            ("[server]\nlisten = \"everywhere\"\n", "server.listen"),
            ("[database]\nurl = \"mysql://x/y\"\n", "database.url"),
            ("[sieve]\nport = 0\n", "sieve.port"),
            (
                "[sieve]\nhost = \"mail.example.org\"\nsecurity = \"plain\"\n",
                "sieve.security",
            ),
            (
                "[auth]\nsession_idle_minutes = 0\n",
                "auth.session_idle_minutes",
            ),
            (
                "[auth]\npassword_source = \"ldap\"\n",
                "auth.password_source",
            ),
            ("[mail]\nauthserv_id = [\"mx a\"]\n", "mail.authserv_id"),
            (
                "[mail]\norganisation_domains = [\"not a domain\"]\n",
                "mail.organisation_domains",
            ),
            ("[mail]\nverify_dkim = \"yes\"\n", "mail.verify_dkim"),
            ("[scan]\nclamd = \"/run/clamd.ctl\"\n", "scan.clamd"),
            (
                "[scan]\nwhen_unavailable = \"maybe\"\n",
                "scan.when_unavailable",
            ),
            ("[mail]\nauthserv = \"mx\"\n", "mail.authserv"),
            ("[web]\nallow = [\"10.0.0.5\"]\n", "web.allow"),
            ("[web]\nports = [0]\n", "web.ports"),
            ("[web]\nports = \"http\"\n", "web.ports"),
            ("[web]\nmax_image_mb = 0\n", "web.max_image_mb"),
            (
                "[carddav]\nurl = \"ftp://dav.example.org/\"\n",
                "carddav.url",
            ),
            (
                "[carddav]\nurl = \"https://me:pw@dav.example.org/\"\n",
                "carddav.url",
            ),
            ("[carddav]\nurl = \"dav.example.org\"\n", "carddav.url"),
            (
                "[carddav]\nurl = \"http://dav.example.org/\"\n",
                "carddav.url",
            ),
            (
                "[limits]\nsend_retry_hours = 0\n",
                "limits.send_retry_hours",
            ),
            (
                "[limits]\nimap_timeout_seconds = 0\n",
                "limits.imap_timeout_seconds",
            ),
            (
                "[limits]\nmax_messages_per_hour = 0\n",
                "limits.max_messages_per_hour",
            ),
            (
                "[limits]\nmax_messages_per_hour = 100001\n",
                "limits.max_messages_per_hour",
            ),
            (
                "[limits]\nmax_recipients_per_day = 0\n",
                "limits.max_recipients_per_day",
            ),
            (
                "[limits]\nmax_recipients_per_day = -5\n",
                "limits.max_recipients_per_day",
            ),
        ];
        for (text, key) in cases {
            let err = load_str(text, &[])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with(key), "{text:?} gave {err:?}");
        }
        let err = load_str("[server\n", &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("estafette.toml"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = load_str(
            "[imap]\nport = 143\n",
            &[
                ("ESTAFETTE_IMAP__PORT", "1143"),
                ("ESTAFETTE_IMAP__SECURITY", "plain"),
                ("ESTAFETTE_DATABASE__URL", "postgres://u:p@127.0.0.1/e"),
                ("ESTAFETTE_CONFIG", "ignored.toml"),
                ("PATH", "/bin"),
            ],
        );
        let c = c.map_err(|e| e.to_string());
        assert!(c.is_ok(), "{c:?}");
        if let Ok(c) = c {
            assert_eq!(c.imap_server().port, 1143);
            assert_eq!(c.smtp_server().port, 587);
            assert_eq!(c.imap.security, Security::Plain);
            assert_eq!(c.database_url(), "postgres://u:p@127.0.0.1/e");
        }
        let c = load_str(
            "[mail]\nauthserv_id = [\"mx.example.org\"]\n",
            &[(
                "ESTAFETTE_MAIL__ORGANISATION_DOMAINS",
                "example.org, example.net",
            )],
        )
        .map_err(|e| e.to_string());
        assert_eq!(
            c.as_ref().map(|c| (
                c.mail.authserv_id.clone(),
                c.mail.organisation_domains.clone()
            )),
            Ok((
                vec!["mx.example.org".to_owned()],
                vec!["example.org".to_owned(), "example.net".to_owned()]
            ))
        );
        // Every list of texts is one value or several, commas separating,
        // from the environment as from the file.
        let c = load_str(
            "",
            &[
                ("ESTAFETTE_AUTH__PASSWORD_SOURCE", "imap"),
                (
                    "ESTAFETTE_AUTH__PROVISION_DOMAINS",
                    "example.org,example.net",
                ),
                (
                    "ESTAFETTE_SERVER__TRUSTED_PROXIES",
                    "127.0.0.1, 10.0.0.0/8,",
                ),
            ],
        )
        .map_err(|e| e.to_string());
        assert_eq!(
            c.as_ref().map(|c| (
                c.auth.provision_domains.len(),
                c.server.trusted_proxies.clone()
            )),
            Ok((2, vec!["127.0.0.1".to_owned(), "10.0.0.0/8".to_owned()]))
        );
        let err = load_str("", &[("ESTAFETTE_IMAP__PROT", "1")])
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("imap.prot"));
        let err = load_str("", &[("ESTAFETTE_PORT", "1")])
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("ESTAFETTE_PORT"));
    }
}
