//! Labels (IMAP keywords; see `estafette_core::labels`): what a folder
//! offers, and setting or removing one on messages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The labels a folder offers, and whether a new one may be named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelChoice {
    pub labels: Vec<String>,
    pub new_allowed: bool,
}

#[server(prefix = "/api", endpoint = "labels")]
pub async fn labels(folder: String) -> Result<LabelChoice, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let offered = services()?.labels(&who, &folder).await?;
    Ok(LabelChoice {
        labels: offered.labels,
        new_allowed: offered.new_allowed,
    })
}

/// Adds (`on`) or removes `label` on messages (`uids`, comma-separated).
#[server(prefix = "/api", endpoint = "set_label")]
pub async fn set_label(
    folder: String,
    uids: String,
    label: String,
    on: bool,
) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let uids = estafette_core::organising::uids(&uids)?;
    Ok(services()?
        .set_label(&who, &folder, &uids, &label, on)
        .await?)
}
