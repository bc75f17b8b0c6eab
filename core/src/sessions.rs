//! Resolving the session cookie of a request, with idle and absolute time-outs.

use estafette_auth::SessionToken;
use estafette_store::{now, AccountState, SessionStage};

use crate::visitor::{Session, SignedIn, Visitor};
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

    /// Ends every session past its idle or absolute time-out; returns how many.
    pub async fn end_expired_sessions(&self) -> Result<u64, CoreError> {
        let t = now();
        let idle = self.config.auth.session_idle_minutes as i64 * 60;
        let absolute = self.config.auth.session_absolute_hours as i64 * 3600;
        let expired = self.store.expired_sessions(t - idle, t - absolute).await?;
        for key in &expired {
            self.end_session(key).await?;
        }
        Ok(expired.len() as u64)
    }

    /// Ends one session: its row and its IMAP connection.
    pub async fn end_session(&self, key: &str) -> Result<(), CoreError> {
        self.store.delete_session(key).await?;
        self.mail.close(key).await;
        Ok(())
    }
}

/// One of the user's own sessions, as the sessions page lists it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// A short handle (not the row key) to name the session when revoking it.
    pub handle: String,
    pub current: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

fn handle_of(id_hash: &str) -> String {
    id_hash.chars().take(16).collect()
}

impl Services {
    pub async fn my_sessions(&self, me: &SignedIn) -> Result<Vec<SessionInfo>, CoreError> {
        let me = me.session();
        let current = me.token.id_hash();
        Ok(self
            .store
            .sessions_of(me.account.id)
            .await?
            .into_iter()
            .map(|s| SessionInfo {
                handle: handle_of(&s.id_hash),
                current: s.id_hash == current,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                client_address: s.client_address,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Ends one of the user's own sessions, named by its handle.
    pub async fn revoke_session(&self, me: &SignedIn, handle: &str) -> Result<(), CoreError> {
        let me = me.session();
        let target = self
            .store
            .sessions_of(me.account.id)
            .await?
            .into_iter()
            .find(|s| handle.len() == 16 && handle_of(&s.id_hash) == handle)
            .ok_or_else(|| CoreError::Invalid("no such session".into()))?;
        self.end_session(&target.id_hash).await
    }

    /// Ends every session of the account, this one included.
    pub async fn sign_out_everywhere(&self, me: &SignedIn) -> Result<(), CoreError> {
        let me = me.session();
        for s in self.store.sessions_of(me.account.id).await? {
            self.end_session(&s.id_hash).await?;
        }
        Ok(())
    }

    /// The account's own sign-ins and failures, newest first.
    pub async fn sign_in_history(
        &self,
        me: &SignedIn,
    ) -> Result<Vec<estafette_store::AuditEntry>, CoreError> {
        let me = me.session();
        let filter = estafette_store::AuditFilter {
            who: Some(me.account.email.clone()),
            limit: 200,
            ..Default::default()
        };
        Ok(self
            .store
            .audit_entries(&filter)
            .await?
            .into_iter()
            .filter(|e| e.action.starts_with("sign_in") || e.action.starts_with("second_factor"))
            .take(50)
            .collect())
    }
}
