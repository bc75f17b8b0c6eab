//! Each account's preferences, one JSON document in the store. Unknown,
//! missing or unreadable fields take their defaults, so older documents keep
//! working.

use serde::{Deserialize, Serialize};

use crate::visitor::{Session, SignedIn};
use crate::{CoreError, Services};

/// The most senders whose remote content is always loaded.
const MAX_TRUSTED: usize = 1_000;

pub use estafette_wire::{
    Choices, ComposeFormat, DateFormat, Density, RemoteContent, Theme, PAGE_SIZES,
};

/// An account's preferences: what it chooses on the settings page, and the
/// senders it trusts (added from a message, removed one by one). Stored as
/// one flat JSON document, as before the two were told apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(flatten)]
    pub choices: Choices,
    /// Addresses whose messages load remote images without asking.
    pub trusted_senders: Vec<String>,
}

/// A stored document read over the defaults: what it says is kept, what it
/// lacks (an older document) takes its default, what is unknown is left, and
/// a value that cannot be read (`"theme":"neon"`, a choice no longer
/// offered) takes its field's default, the other choices kept.
fn stored(data: &str) -> Result<Preferences, serde_json::Error> {
    let mut document = serde_json::to_value(Preferences::default())?;
    let stored: serde_json::Value = serde_json::from_str(data)?;
    if let (Some(fields), Some(stored)) = (document.as_object_mut(), stored.as_object()) {
        for (key, value) in stored {
            let Some(default) = fields.insert(key.clone(), value.clone()) else {
                fields.remove(key);
                continue;
            };
            if Preferences::deserialize(&*fields).is_err() {
                tracing::warn!(field = %key, "unreadable preference; using its default");
                fields.insert(key.clone(), default);
            }
        }
    }
    serde_json::from_value(document)
}

impl Preferences {
    pub fn trusts(&self, address: &str) -> bool {
        self.choices.remote_content == RemoteContent::Always
            || self
                .trusted_senders
                .iter()
                .any(|t| t.eq_ignore_ascii_case(address.trim()))
    }

    /// Refuses any value the interface does not offer (those read as enums,
    /// such as the theme, cannot be but one of theirs).
    pub fn check(&self) -> Result<(), CoreError> {
        let c = &self.choices;
        if let Some(language) = &c.language {
            let well_formed = (2..=3).contains(&language.len())
                && language.bytes().all(|b| b.is_ascii_lowercase());
            if !well_formed {
                return Err(CoreError::Invalid(format!(
                    "Unknown language: {language:?}."
                )));
            }
        }
        let zone_ok = c.time_zone.len() <= 64
            && c.time_zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
        if !zone_ok {
            return Err(CoreError::Invalid("Unknown time zone.".into()));
        }
        if !PAGE_SIZES.contains(&c.page_size) {
            return Err(CoreError::Invalid(format!(
                "A page shows 25, 50, 100 or 200 messages, not {}.",
                c.page_size
            )));
        }
        if c.undo_send_seconds > crate::sending::MAX_UNDO_SECONDS {
            return Err(CoreError::Invalid(format!(
                "The undo delay is at most {} seconds.",
                crate::sending::MAX_UNDO_SECONDS
            )));
        }
        Ok(())
    }
}

impl Services {
    pub async fn preferences(&self, who: &SignedIn) -> Result<Preferences, CoreError> {
        self.preferences_of(&who.0).await
    }

    async fn preferences_of(&self, session: &Session) -> Result<Preferences, CoreError> {
        let Some(data) = self.store.preferences(session.account.id).await? else {
            return Ok(Preferences::default());
        };
        Ok(stored(&data).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable preferences; using the defaults");
            Preferences::default()
        }))
    }

    async fn save_preferences(
        &self,
        who: &SignedIn,
        preferences: &Preferences,
    ) -> Result<(), CoreError> {
        self.save_preferences_of(&who.0, preferences).await
    }

    async fn save_preferences_of(
        &self,
        session: &Session,
        preferences: &Preferences,
    ) -> Result<(), CoreError> {
        let data =
            serde_json::to_string(preferences).map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(self
            .store
            .set_preferences(session.account.id, &data)
            .await?)
    }

    /// The preferences a page is rendered with (any full session's, also
    /// one that must change its password first). The first time, the
    /// browser's language (`browser_language`) becomes the account's.
    pub async fn page_preferences(
        &self,
        session: &Session,
        browser_language: &str,
    ) -> Result<Preferences, CoreError> {
        let mut preferences = self.preferences_of(session).await?;
        if preferences.choices.language.is_none() {
            preferences.choices.language = Some(browser_language.to_owned());
            if preferences.check().is_ok() {
                self.save_preferences_of(session, &preferences).await?;
            }
        }
        Ok(preferences)
    }

    /// Replaces the settings page's choices (everything but the trusted
    /// senders, which are added from a message and removed one by one), all
    /// checked before any is kept.
    pub async fn replace_choices(
        &self,
        who: &SignedIn,
        choices: Choices,
    ) -> Result<Preferences, CoreError> {
        let stored = self.preferences(who).await?;
        let preferences = Preferences {
            choices,
            trusted_senders: stored.trusted_senders,
        };
        preferences.check()?;
        self.save_preferences(who, &preferences).await?;
        Ok(preferences)
    }

    /// Always loads remote content in messages from `address`.
    pub async fn trust_sender(&self, who: &SignedIn, address: &str) -> Result<(), CoreError> {
        let address = address.trim().to_lowercase();
        if address.is_empty() || address.len() > 320 || !address.contains('@') {
            return Err(CoreError::Invalid("That is not an address.".into()));
        }
        let mut preferences = self.preferences(who).await?;
        if !preferences.trusts(&address) {
            if preferences.trusted_senders.len() >= MAX_TRUSTED {
                return Err(CoreError::Invalid(format!(
                    "At most {MAX_TRUSTED} senders can be trusted."
                )));
            }
            preferences.trusted_senders.push(address);
            self.save_preferences(who, &preferences).await?;
        }
        Ok(())
    }

    /// Asks again before loading remote content from `address`.
    pub async fn distrust_sender(&self, who: &SignedIn, address: &str) -> Result<(), CoreError> {
        let mut preferences = self.preferences(who).await?;
        let before = preferences.trusted_senders.len();
        preferences
            .trusted_senders
            .retain(|t| !t.eq_ignore_ascii_case(address.trim()));
        if preferences.trusted_senders.len() != before {
            self.save_preferences(who, &preferences).await?;
        }
        Ok(())
    }

    /// Sets how long sent messages wait, open to undo.
    pub async fn set_undo_send_seconds(
        &self,
        who: &SignedIn,
        seconds: u32,
    ) -> Result<(), CoreError> {
        let mut preferences = self.preferences(who).await?;
        preferences.choices.undo_send_seconds = seconds;
        preferences.check()?;
        self.save_preferences(who, &preferences).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_documents_keep_working_and_values_are_checked() {
        let old = stored(r#"{"trusted_senders":["a@b.c"],"undo_send_seconds":5,"unknown":1}"#)
            .unwrap_or_default();
        let null_language = stored(r#"{"language":null,"theme":"dark"}"#).unwrap_or_default();
        assert_eq!(null_language.choices.language, None);
        assert_eq!(null_language.choices.theme, Theme::Dark);
        assert_eq!(old.choices.undo_send_seconds, 5);
        assert_eq!(old.choices.page_size, 50);
        assert!(old.check().is_ok());
        assert!(old.trusts("A@B.C"));
        // Kept as one flat document, as before.
        let stored_again = serde_json::to_value(&old).unwrap_or_default();
        assert_eq!(stored_again["undo_send_seconds"], 5);
        assert_eq!(stored_again["theme"], "system");
        assert_eq!(stored_again["trusted_senders"][0], "a@b.c");
        assert!(!stored_again
            .as_object()
            .is_some_and(|o| o.contains_key("unknown")));

        // A value no longer offered takes its field's default only; every
        // other choice is kept.
        let neon = stored(
            r#"{"theme":"neon","density":"compact","date_format":"iso",
                "remote_content":"always","compose_format":"rich","page_size":25,
                "language":"fr","trusted_senders":["a@b.c"]}"#,
        )
        .expect("a readable document");
        assert_eq!(neon.choices.theme, Theme::System);
        assert_eq!(neon.choices.density, Density::Compact);
        assert_eq!(neon.choices.date_format, DateFormat::Iso);
        assert_eq!(neon.choices.remote_content, RemoteContent::Always);
        assert_eq!(neon.choices.compose_format, ComposeFormat::Rich);
        assert_eq!(neon.choices.page_size, 25);
        assert_eq!(neon.choices.language.as_deref(), Some("fr"));
        assert_eq!(neon.trusted_senders, ["a@b.c"]);
        let unknowns = stored(
            r#"{"theme":"dark","density":"spacious","date_format":"us",
                "remote_content":"sometimes","compose_format":"markdown","undo_send_seconds":5}"#,
        )
        .expect("a readable document");
        assert_eq!(
            unknowns.choices,
            Choices {
                theme: Theme::Dark,
                undo_send_seconds: 5,
                ..Choices::default()
            }
        );

        for bad in [
            Preferences {
                choices: Choices {
                    page_size: 7,
                    ..Choices::default()
                },
                ..Preferences::default()
            },
            Preferences {
                choices: Choices {
                    language: Some("<script>".into()),
                    ..Choices::default()
                },
                ..Preferences::default()
            },
            Preferences {
                choices: Choices {
                    time_zone: "Europe/Paris\"".into(),
                    ..Choices::default()
                },
                ..Preferences::default()
            },
            Preferences {
                choices: Choices {
                    undo_send_seconds: 31,
                    ..Choices::default()
                },
                ..Preferences::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        let always = Preferences {
            choices: Choices {
                remote_content: RemoteContent::Always,
                ..Choices::default()
            },
            ..Preferences::default()
        };
        assert!(always.trusts("anyone@example.org"));
    }
}
