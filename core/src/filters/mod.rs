//! Filters and the automatic reply, run by the mail server: the user's Sieve
//! script, read and written over ManageSieve as the signed-in user. Estafette
//! writes one script of its own (`script`); a script written elsewhere is
//! shown as text, kept, and runs after Estafette's rules (Sieve `include`),
//! never silently overwritten.

pub mod apply;
mod banner;
pub mod policy;
pub mod rules;
pub mod script;
pub mod vacation;

use estafette_mail::managesieve::{self, ManageSieve};
use estafette_mail::MailError;

use crate::visitor::SignedIn;
use crate::{ClientInfo, CoreError, Services};
pub use banner::BannerCache;
pub use rules::Rule;
use script::{Parts, SCRIPT_NAME};
pub use vacation::Vacation;

/// What Settings → Filters shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub rules: Vec<Rule>,
    pub vacation: Vacation,
    /// Whether Estafette's rules and reply can be saved: not when its own
    /// script was changed elsewhere (shown in `other` instead).
    pub editable: bool,
    /// A script written elsewhere, shown as text.
    pub other: Option<OtherScript>,
    /// Whether the rules may forward outside the organisation.
    pub forward_outside: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherScript {
    pub name: String,
    pub text: String,
    /// It runs: active itself, or included by Estafette's.
    pub runs: bool,
}

/// What the server holds, as Estafette sees it.
struct State {
    /// Estafette's parts, when its script reads back (or there is none).
    parts: Option<Parts>,
    other: Option<OtherScript>,
}

fn edited_elsewhere() -> CoreError {
    CoreError::Invalid(
        "Your filters were changed by another mail program. They are shown as text; choose Start over to use Estafette's editor again.".into(),
    )
}

async fn state(ms: &mut ManageSieve) -> Result<State, MailError> {
    let scripts = ms.list().await?;
    let active = scripts.iter().find(|s| s.active).map(|s| s.name.clone());
    let ours = match scripts.iter().any(|s| s.name == SCRIPT_NAME) {
        true => ms.get(SCRIPT_NAME).await?,
        false => None,
    };
    let parts = match &ours {
        Some(text) => script::read(text),
        None => Some(Parts::default()),
    };
    let other_name = match (&parts, &active) {
        (None, _) => Some(SCRIPT_NAME.to_owned()),
        (Some(_), Some(a)) if a != SCRIPT_NAME => Some(a.clone()),
        (Some(p), _) => p.include.clone(),
    };
    let other = match other_name {
        Some(name) if name == SCRIPT_NAME => ours.map(|text| OtherScript {
            name,
            text,
            runs: active.as_deref() == Some(SCRIPT_NAME),
        }),
        Some(name) => ms.get(&name).await?.map(|text| OtherScript {
            runs: true,
            name,
            text,
        }),
        None => None,
    };
    Ok(State { parts, other })
}

impl Services {
    /// Logs into the ManageSieve server as the signed-in user.
    async fn sieve(&self, who: &SignedIn) -> Result<ManageSieve, CoreError> {
        let session = &who.0;
        let sealed = session
            .sealed_password
            .as_deref()
            .ok_or(CoreError::NotSignedIn)?;
        let password = session
            .token
            .unseal(sealed)
            .map_err(|_| CoreError::NotSignedIn)?;
        let server = self.config.sieve_server();
        managesieve::login(&server, &session.account.email, &password)
            .await
            .map_err(|e| match e {
                MailError::Unreachable(..) | MailError::Tls(..) => {
                    tracing::warn!(error = %e, "ManageSieve unreachable");
                    CoreError::Invalid(format!(
                        "Filters are run by the mail server, and no ManageSieve server answers at {}.",
                        server.address()
                    ))
                }
                other => sieve_error(other),
            })
    }

    async fn with_sieve<T>(
        &self,
        who: &SignedIn,
        op: impl AsyncFnOnce(&mut ManageSieve) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let mut ms = self.sieve(who).await?;
        let result = op(&mut ms).await;
        ms.logout().await;
        result
    }

    pub async fn filters(&self, who: &SignedIn) -> Result<Filters, CoreError> {
        let forward_outside = self.forwarding_outside_allowed().await?;
        let state = self
            .with_sieve(who, async |ms| state(ms).await.map_err(sieve_error))
            .await?;
        let editable = state.parts.is_some();
        let parts = state.parts.unwrap_or_default();
        self.banner_cache.set(
            who.0.account.id,
            parts.vacation.clone().filter(|v| v.enabled),
        );
        Ok(Filters {
            rules: parts.rules,
            vacation: parts.vacation.unwrap_or_else(|| Vacation {
                days: 7,
                ..Vacation::default()
            }),
            editable,
            other: state.other,
            forward_outside,
        })
    }

    /// Writes Estafette's script with `change` applied to its parts, and makes
    /// it the one that runs (a script written elsewhere keeps running after it).
    async fn write_parts(
        &self,
        who: &SignedIn,
        change: impl FnOnce(&mut Parts),
    ) -> Result<Parts, CoreError> {
        let parts = self
            .with_sieve(who, async |ms| {
                let state = state(ms).await.map_err(sieve_error)?;
                let mut parts = state.parts.ok_or_else(edited_elsewhere)?;
                parts.include = state.other.map(|o| o.name);
                change(&mut parts);
                ms.put(SCRIPT_NAME, &script::generate(&parts))
                    .await
                    .map_err(sieve_error)?;
                ms.set_active(Some(SCRIPT_NAME))
                    .await
                    .map_err(sieve_error)?;
                Ok(parts)
            })
            .await?;
        self.banner_cache.set(
            who.0.account.id,
            parts.vacation.clone().filter(|v| v.enabled),
        );
        Ok(parts)
    }

    /// Replaces the rules (in their order). Forwarding is checked against the
    /// policy, and every rule that forwards is audited.
    pub async fn save_rules(
        &self,
        who: &SignedIn,
        rules: Vec<Rule>,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let rules = rules::checked(rules)?;
        let forwards: Vec<(String, String)> = rules
            .iter()
            .filter(|r| r.enabled)
            .flat_map(|r| r.forwards().map(|a| (r.name.clone(), a.to_owned())))
            .collect();
        self.check_forwarding(forwards.iter().map(|(_, a)| a.as_str()))
            .await?;
        self.write_parts(who, |p| p.rules = rules).await?;
        for (rule, address) in forwards {
            let detail = format!("rule \"{rule}\" forwards to {address}");
            self.audit_client(
                client,
                Some(&who.0.account.email),
                "filter_forward",
                Some(&detail),
            )
            .await;
        }
        Ok(())
    }

    /// Adds one rule at the end (e.g. "filter messages like this").
    pub async fn add_rule(
        &self,
        who: &SignedIn,
        rule: Rule,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let mut rules = self.filters(who).await?.rules;
        rules.push(rule);
        self.save_rules(who, rules, client).await
    }

    /// Sets the automatic reply. Its dates are in the user's time zone (the
    /// preferences', else `browser_zone`); the user's identities count as theirs.
    pub async fn save_vacation(
        &self,
        who: &SignedIn,
        mut vacation: Vacation,
        browser_zone: &str,
    ) -> Result<(), CoreError> {
        let zone = self.preferences(who).await?.choices.time_zone;
        vacation.time_zone = if zone.is_empty() {
            browser_zone.trim().to_owned()
        } else {
            zone
        };
        let mut addresses: Vec<String> = self
            .identities(who)
            .await?
            .into_iter()
            .map(|i| i.email)
            .collect();
        addresses.push(who.0.account.email.clone());
        vacation.addresses = addresses;
        let vacation = vacation.checked()?;
        self.write_parts(who, |p| p.vacation = Some(vacation))
            .await?;
        Ok(())
    }

    /// Turns the reply off, keeping what it says.
    pub async fn turn_off_vacation(&self, who: &SignedIn) -> Result<(), CoreError> {
        self.write_parts(who, |p| {
            if let Some(v) = p.vacation.as_mut() {
                v.enabled = false;
            }
        })
        .await?;
        Ok(())
    }

    /// Saves a script written as text (the advanced editor): the server
    /// checks it first, and its errors name their lines.
    pub async fn save_script(
        &self,
        who: &SignedIn,
        name: &str,
        text: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        if text.len() > 512 * 1024 {
            return Err(CoreError::TooLarge("A script has at most 512 KB.".into()));
        }
        let forwards = policy::destinations(text)?;
        self.check_forwarding(forwards.iter().map(String::as_str))
            .await?;
        self.with_sieve(who, async |ms| {
            ms.check(text).await.map_err(sieve_error)?;
            ms.put(name, text).await.map_err(sieve_error)
        })
        .await?;
        self.banner_cache.forget(who.0.account.id);
        for address in forwards {
            let detail = format!("script \"{name}\" forwards to {address}");
            self.audit_client(
                client,
                Some(&who.0.account.email),
                "filter_forward",
                Some(&detail),
            )
            .await;
        }
        Ok(())
    }

    /// Estafette's script changed elsewhere becomes a script of its own,
    /// kept and still running, and Estafette starts a new one that includes it.
    pub async fn start_over(&self, who: &SignedIn) -> Result<String, CoreError> {
        self.with_sieve(who, async |ms| {
            let names: Vec<String> = ms
                .list()
                .await
                .map_err(sieve_error)?
                .into_iter()
                .map(|s| s.name)
                .collect();
            let text = ms
                .get(SCRIPT_NAME)
                .await
                .map_err(sieve_error)?
                .unwrap_or_default();
            if script::read(&text).is_some() {
                return Err(CoreError::Invalid(
                    "Your filters are already Estafette's.".into(),
                ));
            }
            let kept = (1..)
                .map(|n| {
                    if n == 1 {
                        "estafette-edited".to_owned()
                    } else {
                        format!("estafette-edited-{n}")
                    }
                })
                .find(|n| !names.contains(n))
                .unwrap_or_default();
            ms.put(&kept, &text).await.map_err(sieve_error)?;
            let parts = Parts {
                include: Some(kept.clone()),
                ..Parts::default()
            };
            ms.put(SCRIPT_NAME, &script::generate(&parts))
                .await
                .map_err(sieve_error)?;
            ms.set_active(Some(SCRIPT_NAME))
                .await
                .map_err(sieve_error)?;
            Ok(kept)
        })
        .await
        .inspect(|_| self.banner_cache.set(who.0.account.id, None))
    }
}

/// The ManageSieve server's refusals, in its own words.
fn sieve_error(e: MailError) -> CoreError {
    match e {
        MailError::ScriptRefused(m) | MailError::BadScriptName(m) | MailError::BadMessage(m) => {
            CoreError::Invalid(m)
        }
        other => other.into(),
    }
}
