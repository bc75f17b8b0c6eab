//! Reply templates: saved texts inserted while writing (see
//! `estafette_core::templates`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A saved text and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub body: String,
}

/// The user's templates, by name.
#[server(prefix = "/api", endpoint = "templates")]
pub async fn templates() -> Result<Vec<TemplateView>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .templates(&who)
        .await?
        .into_iter()
        .map(|t| TemplateView {
            id: t.id,
            name: t.name,
            body: t.body,
        })
        .collect())
}

/// Adds a template (`id` 0) or changes one; returns its id.
#[server(prefix = "/api", endpoint = "save_template")]
pub async fn save_template(id: i64, name: String, body: String) -> Result<i64, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.save_template(&who, id, &name, &body).await?)
}

#[server(prefix = "/api", endpoint = "remove_template")]
pub async fn remove_template(id: i64) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.remove_template(&who, id).await?)
}

/// Template `id` with its placeholders filled in for the first recipient
/// of `to` (the To field as typed).
#[server(prefix = "/api", endpoint = "fill_template")]
pub async fn fill_template(id: i64, to: String) -> Result<String, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.fill_template(&who, id, &to).await?)
}
