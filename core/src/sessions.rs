//! Resolving the session cookie of a request, with idle and absolute time-outs.

use estafette_auth::SessionToken;
use estafette_store::{now, AccountState, SessionStage};

use crate::visitor::{Session, Visitor};
use crate::{CoreError, Services};

/// `last_seen_at` is written at most this often, to spare the database.
const TOUCH_EVERY_SECS: i64 = 60;

impl Services {
    /// Who holds this cookie. Expired, unknown or damaged cookies are anonymous.
    pub async fn resolve(&self, cookie: Option<&str>) -> Result<Visitor, CoreError> {
        let Some(token) = cookie.and_then(SessionToken::parse) else {
            return Ok(Visitor::Anonymous);
        };
        let key = token.id_hash();
        let Some(row) = self.store.session(&key).await? else {
            self.mail.close(&key).await;
            return Ok(Visitor::Anonymous);
        };
        let t = now();
        let idle = self.config.auth.session_idle_minutes as i64 * 60;
        let absolute = self.config.auth.session_absolute_hours as i64 * 3600;
        if t - row.last_seen_at > idle || t - row.created_at > absolute {
            self.end_session(&key).await?;
            return Ok(Visitor::Anonymous);
        }
        let account = match self.store.account_by_id(row.account_id).await? {
            Some(a) if a.state == AccountState::Active => a,
            _ => {
                self.end_session(&key).await?;
                return Ok(Visitor::Anonymous);
            }
        };
        if t - row.last_seen_at >= TOUCH_EVERY_SECS {
            self.store.touch_session(&key).await?;
        }
        let session = Session {
            token,
            account,
            stage: row.stage,
            sealed_password: row.sealed_password,
        };
        Ok(match row.stage {
            SessionStage::Full => Visitor::SignedIn(session),
            _ => Visitor::Partial(session),
        })
    }

    /// Ends one session: its row and its IMAP connection.
    pub async fn end_session(&self, key: &str) -> Result<(), CoreError> {
        self.store.delete_session(key).await?;
        self.mail.close(key).await;
        Ok(())
    }
}
