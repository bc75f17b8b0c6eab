//! Filters and the automatic reply (Settings → Filters), "filter messages
//! like this", and the mail view's banner. Rules travel as JSON: they nest.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A rule, written as the domain's (`field`: `from`, `to_cc`, `subject`,
/// `header`, `body`, `size`; `op`: `contains`, `not_contains`, `is`,
/// `matches`, `over`, `under`; `kind`: `move`, `copy`, `mark_read`, `flag`,
/// `keyword`, `forward`, `discard`, `stop`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RuleView {
    pub name: String,
    pub enabled: bool,
    pub match_all: bool,
    pub conditions: Vec<ConditionView>,
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConditionView {
    pub field: String,
    #[serde(default)]
    pub header: String,
    pub op: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActionView {
    pub kind: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VacationView {
    pub enabled: bool,
    pub start: String,
    pub end: String,
    pub subject: String,
    pub message: String,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherScriptView {
    pub name: String,
    pub text: String,
    pub runs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiltersView {
    pub rules: Vec<RuleView>,
    pub vacation: VacationView,
    pub editable: bool,
    pub other: Option<OtherScriptView>,
    pub forward_outside: bool,
}

/// What "filter messages like this" starts from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LikeView {
    pub from: String,
    pub list_id: String,
    pub subject: String,
}

#[cfg(feature = "ssr")]
mod convert {
    use estafette_core::filters::{Filters, Rule, Vacation};

    use super::*;

    /// The two sides write rules alike: one reads what the other wrote.
    pub fn rule(view: RuleView) -> Result<Rule, AppError> {
        serde_json::to_value(view)
            .and_then(serde_json::from_value)
            .map_err(|_| {
                AppError::from(estafette_core::CoreError::Invalid(
                    "Unknown condition or action.".into(),
                ))
            })
    }

    pub fn rule_view(rule: &Rule) -> RuleView {
        serde_json::to_value(rule)
            .and_then(serde_json::from_value)
            .unwrap_or_default()
    }

    pub fn vacation(view: VacationView) -> Vacation {
        Vacation {
            enabled: view.enabled,
            start: view.start,
            end: view.end,
            subject: view.subject,
            message: view.message,
            days: view.days,
            ..Vacation::default()
        }
    }

    pub fn filters(f: Filters) -> FiltersView {
        FiltersView {
            rules: f.rules.iter().map(rule_view).collect(),
            vacation: VacationView {
                enabled: f.vacation.enabled,
                start: f.vacation.start,
                end: f.vacation.end,
                subject: f.vacation.subject,
                message: f.vacation.message,
                days: f.vacation.days,
            },
            editable: f.editable,
            other: f.other.map(|o| OtherScriptView {
                name: o.name,
                text: o.text,
                runs: o.runs,
            }),
            forward_outside: f.forward_outside,
        }
    }
}

#[server(prefix = "/api", endpoint = "filters")]
pub async fn filters() -> Result<FiltersView, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(convert::filters(services()?.filters(&who).await?))
}

/// Replaces the rules, in their order.
#[server(prefix = "/api", endpoint = "save_rules", input = Json)]
pub async fn save_rules(rules: Vec<RuleView>) -> Result<(), AppError> {
    use super::context::{client_info, services, signed_in};
    let who = signed_in()?;
    let rules = rules
        .into_iter()
        .map(convert::rule)
        .collect::<Result<_, _>>()?;
    Ok(services()?.save_rules(&who, rules, &client_info()).await?)
}

/// Adds a rule at the end, and applies it to the messages now in
/// `apply_in` unless that is empty; returns how many it took there.
#[server(prefix = "/api", endpoint = "add_rule", input = Json)]
pub async fn add_rule(rule: RuleView, apply_in: String) -> Result<usize, AppError> {
    use super::context::{client_info, services, signed_in};
    let who = signed_in()?;
    let rule = convert::rule(rule)?;
    let services = services()?;
    services
        .add_rule(&who, rule.clone(), &client_info())
        .await?;
    if apply_in.is_empty() {
        return Ok(0);
    }
    Ok(services.apply_rule(&who, &apply_in, rule).await?)
}

/// A rule applied to the messages now in `folder`; how many it took.
#[server(prefix = "/api", endpoint = "apply_rule", input = Json)]
pub async fn apply_rule(folder: String, rule: RuleView) -> Result<usize, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let rule = convert::rule(rule)?;
    Ok(services()?.apply_rule(&who, &folder, rule).await?)
}

/// The sender, list and subject of a message, to make a rule from.
#[server(prefix = "/api", endpoint = "like_this")]
pub async fn like_this(folder: String, uid: u32) -> Result<LikeView, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    let like = services()?.message_like(&who, &folder, uid).await?;
    Ok(LikeView {
        from: like.from,
        list_id: like.list_id,
        subject: like.subject,
    })
}

/// Sets the automatic reply; its dates are in the preferences' time zone,
/// or `browser_zone` when they name none.
#[server(prefix = "/api", endpoint = "save_vacation", input = Json)]
pub async fn save_vacation(vacation: VacationView, browser_zone: String) -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .save_vacation(&who, convert::vacation(vacation), &browser_zone)
        .await?)
}

#[server(prefix = "/api", endpoint = "vacation_off")]
pub async fn turn_off_vacation() -> Result<(), AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.turn_off_vacation(&who).await?)
}

/// The last day of the automatic reply while it is on (empty: no last day).
#[server(prefix = "/api", endpoint = "vacation_banner")]
pub async fn vacation_banner() -> Result<Option<String>, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.vacation_banner(&who).await.map(|v| v.end))
}

/// Saves a script written as text, once the server has checked it.
#[server(prefix = "/api", endpoint = "save_script")]
pub async fn save_script(name: String, text: String) -> Result<(), AppError> {
    use super::context::{client_info, services, signed_in};
    let who = signed_in()?;
    Ok(services()?
        .save_script(&who, &name, &text, &client_info())
        .await?)
}

/// Keeps a script changed elsewhere as a script of its own, and starts
/// Estafette's rules anew; returns the kept script's name.
#[server(prefix = "/api", endpoint = "filters_start_over")]
pub async fn start_over() -> Result<String, AppError> {
    use super::context::{services, signed_in};
    let who = signed_in()?;
    Ok(services()?.start_over(&who).await?)
}
