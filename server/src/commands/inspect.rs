//! `estafette inspect-eml`: the message view's verdicts on a file, as JSON.

use std::path::Path;

use estafette_core::config::MailConfig;
use estafette_threats::{analyse, dkim::Verifier, from_raw, needs_verification, Context};

use crate::ServerError;

/// Flags replace the configuration's `[mail]` values they name.
pub async fn inspect_eml(
    mail: &MailConfig,
    file: &Path,
    authserv_ids: Vec<String>,
    recipient: Option<String>,
) -> Result<(), ServerError> {
    let raw = std::fs::read(file)
        .map_err(|e| ServerError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let mut input = from_raw(&raw)
        .ok_or_else(|| ServerError::Usage(format!("{}: not a message", file.display())))?;
    let mut ctx = Context {
        authserv_ids: if authserv_ids.is_empty() {
            mail.authserv_id.clone()
        } else {
            authserv_ids
        },
        reader_domains: mail.organisation_domains.clone(),
        known_domains: Vec::new(),
        verify_dkim: mail.verify_dkim,
    };
    if let Some(address) = recipient.as_deref() {
        ctx = ctx.with_reader(address);
    }
    if needs_verification(&input.headers, &ctx) {
        let verifier = Verifier::system().map_err(ServerError::Usage)?;
        input.verified = Some(verifier.verify(&raw).await);
    }
    let report = analyse(&input, &ctx);
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| ServerError::Usage(format!("cannot print the report: {e}")))?;
    println!("{json}");
    Ok(())
}
