//! Databases of a test's own on a PostgreSQL server: made empty, and dropped
//! when the test is done with them, so a run leaves no database behind.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Store, StoreError};

/// A new, empty PostgreSQL database, dropped (with whatever is still
/// connected to it) when this value is.
#[derive(Debug)]
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl ScratchDatabase {
    /// Creates a database named after `prefix` on the server `admin_url`
    /// reaches (a URL of one of its databases).
    pub async fn create(admin_url: &str, prefix: &str) -> Result<Self, StoreError> {
        let (base, _) = admin_url
            .rsplit_once('/')
            .ok_or_else(|| StoreError::UnsupportedUrl(crate::redact_url(admin_url)))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "{}_{}_{}_{nanos}",
            prefix.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Store::connect(admin_url, 1).await?;
        let made = admin.execute_raw(&format!("CREATE DATABASE {name}")).await;
        admin.close().await;
        made?;
        Ok(ScratchDatabase {
            url: format!("{base}/{name}"),
            admin_url: admin_url.to_owned(),
            name,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop cannot wait for a future, and may run on a runtime's thread:
        // the statement runs on a thread and a runtime of its own.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let admin = Store::connect(&admin_url, 1)
                    .await
                    .map_err(|e| e.to_string())?;
                let done = admin
                    .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                admin.close().await;
                done.map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("the test database {} was left behind: {e}", self.name),
            Err(_) => eprintln!("the test database {} was left behind", self.name),
        }
    }
}
