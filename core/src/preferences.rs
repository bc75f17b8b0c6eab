//! Each account's preferences, one JSON document in the store. Unknown or
//! missing fields take their defaults, so older documents keep working.

use serde::{Deserialize, Serialize};

use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// The most senders whose remote content is always loaded.
const MAX_TRUSTED: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Addresses whose messages load remote images without asking.
    pub trusted_senders: Vec<String>,
    /// How long a sent message waits in the outbox, open to undo (0 to 30 s).
    pub undo_send_seconds: u32,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            trusted_senders: Vec::new(),
            undo_send_seconds: 10,
        }
    }
}

impl Preferences {
    pub fn trusts(&self, address: &str) -> bool {
        self.trusted_senders
            .iter()
            .any(|t| t.eq_ignore_ascii_case(address.trim()))
    }
}

impl Services {
    pub async fn preferences(&self, who: &SignedIn) -> Result<Preferences, CoreError> {
        let Some(data) = self.store.preferences(who.0.account.id).await? else {
            return Ok(Preferences::default());
        };
        Ok(serde_json::from_str(&data).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable preferences; using the defaults");
            Preferences::default()
        }))
    }

    pub async fn save_preferences(
        &self,
        who: &SignedIn,
        preferences: &Preferences,
    ) -> Result<(), CoreError> {
        let data =
            serde_json::to_string(preferences).map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(self.store.set_preferences(who.0.account.id, &data).await?)
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
}

impl Services {
    /// Sets how long sent messages wait, open to undo.
    pub async fn set_undo_send_seconds(
        &self,
        who: &SignedIn,
        seconds: u32,
    ) -> Result<(), CoreError> {
        if seconds > crate::sending::MAX_UNDO_SECONDS {
            return Err(CoreError::Invalid(format!(
                "The undo delay is at most {} seconds.",
                crate::sending::MAX_UNDO_SECONDS
            )));
        }
        let mut preferences = self.preferences(who).await?;
        preferences.undo_send_seconds = seconds;
        self.save_preferences(who, &preferences).await
    }
}
