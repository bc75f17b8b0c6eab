use std::sync::Arc;

use estafette_store::Store;

use crate::connections::MailSessions;
use crate::live::Watches;
use crate::message_files::MessageFiles;
use crate::throttle::InFlight;
use crate::uploads::Uploads;
use crate::{Config, CoreError};

/// Everything a request handler needs, built once at start-up.
pub struct Services {
    pub config: Arc<Config>,
    pub(crate) store: Store,
    pub mail: MailSessions,
    pub uploads: Uploads,
    /// Live updates of open folders (see `live`).
    pub watches: Watches,
    /// Messages as files while they are sent (see `message_files`).
    pub(crate) files: MessageFiles,
    /// Sign-in and code checks being judged on this instance (see `throttle`).
    pub(crate) in_flight: InFlight,
    /// Encrypts TOTP secrets at rest (see `keys`).
    pub(crate) key: [u8; 32],
    /// Signs device cookies (see `throttle`).
    pub(crate) device_key: [u8; 32],
    /// Seals held messages' credentials, and names that key (see `outbox`).
    pub(crate) outbox_key: [u8; 32],
    pub(crate) outbox_key_id: String,
    /// Estafette's own DKIM check (`mail.verify_dkim`; see `defence`).
    pub(crate) verifier: Option<estafette_threats::dkim::Verifier>,
    /// What the open message frames may load (see `inline`).
    pub(crate) inline: crate::inline::InlineGrants,
    /// Whether each account's automatic reply is on, for the mail view.
    pub(crate) banner_cache: crate::filters::BannerCache,
    /// Requests to the web on a reader's behalf (see `estafette_web`).
    pub(crate) web: estafette_web::Web,
    /// Remote images, fetched and kept for the frames (see `image_proxy`).
    pub images: crate::image_proxy::ImageProxy,
    /// One-click unsubscribes asked (see `unsubscribe`).
    pub(crate) unsubscribes: crate::unsubscribe::Unsubscribes,
    /// The address book's CardDAV side (see `carddav`).
    pub(crate) contacts_sync: crate::carddav::ContactsSync,
}

impl Services {
    pub fn new(config: Arc<Config>, store: Store) -> Result<Arc<Self>, CoreError> {
        let key = crate::keys::load(&config)?;
        let (outbox_key, outbox_key_id) = crate::outbox::outbox_key(&key);
        let mail = MailSessions::new(config.imap_server(), config.limits.imap_timeout());
        let uploads = Uploads::new(&config.upload_dir(), &config.limits);
        let files = MessageFiles::open(&config.server.data_dir)?;
        let verifier = crate::defence::verifier(config.mail.verify_dkim);
        let web = estafette_web::Web::new(config.web.limits());
        let images = crate::image_proxy::ImageProxy::new(
            web.clone(),
            estafette_auth::seal::derive(&key, "image proxy"),
            config.web.max_image_mb * 1024 * 1024,
        );
        let contacts_sync = crate::carddav::ContactsSync::new(config.carddav.url(), store.clone());
        Ok(Arc::new(Services {
            config,
            store,
            mail,
            uploads,
            watches: Watches::default(),
            files,
            in_flight: InFlight::default(),
            device_key: estafette_auth::seal::derive(&key, "device cookie"),
            key,
            outbox_key,
            outbox_key_id,
            verifier,
            inline: Default::default(),
            banner_cache: Default::default(),
            web,
            images,
            unsubscribes: Default::default(),
            contacts_sync,
        }))
    }
}

impl Services {
    /// Ready: the database answers and every migration is applied.
    pub async fn ready(&self) -> Result<(), CoreError> {
        Ok(self.store.ready().await?)
    }

    /// Closes the database's connections (the command line, once done).
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Where a request comes from, for the audit log and the sessions page.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// The values of the request's device cookies (see `throttle`).
    pub device_cookies: Vec<String>,
}
