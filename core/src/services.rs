use std::sync::Arc;

use estafette_store::Store;

use crate::mailbox::MailSessions;
use crate::Config;

/// Everything a request handler needs, built once at start-up.
pub struct Services {
    pub config: Arc<Config>,
    pub store: Store,
    pub mail: MailSessions,
}

impl Services {
    pub fn new(config: Arc<Config>, store: Store) -> Arc<Self> {
        let mail = MailSessions::new(config.imap_server());
        Arc::new(Services {
            config,
            store,
            mail,
        })
    }
}

/// Where a request comes from, for the audit log and the sessions page.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}
