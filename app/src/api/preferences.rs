//! The settings page's choices and the trusted senders.

use leptos::prelude::*;

use crate::error::AppError;
use crate::prefs::Prefs;

/// Keeps `prefs` (all checked first) and returns them as stored.
#[server(prefix = "/api", endpoint = "save_preferences")]
pub async fn save_preferences(prefs: Prefs) -> Result<Prefs, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    // A save without a language keeps none; the page then shows English
    // until the account's first page records the browser's.
    let language = prefs.language.clone().unwrap_or_else(|| "en".into());
    let saved = services()?.replace_choices(&who, prefs).await?;
    Ok(crate::prefs::of_account(&saved, &language))
}

/// Senders whose remote content always loads.
#[server(prefix = "/api", endpoint = "trusted_senders")]
pub async fn trusted_senders() -> Result<Vec<String>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.preferences(&who).await?.trusted_senders)
}

#[server(prefix = "/api", endpoint = "distrust_sender")]
pub async fn distrust_sender(address: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.distrust_sender(&who, &address).await?)
}
