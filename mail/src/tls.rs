use std::sync::{Arc, OnceLock};

use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use crate::MailError;

/// One rustls configuration (ring provider, web PKI roots) for every connection.
fn config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
                .map_err(|e| e.to_string())
        })
        .clone()
}

pub(crate) async fn wrap(host: &str, tcp: TcpStream) -> Result<TlsStream<TcpStream>, MailError> {
    let tls_err = |e: String| MailError::Tls(host.to_owned(), e);
    let name = ServerName::try_from(host.to_owned()).map_err(|e| tls_err(e.to_string()))?;
    TlsConnector::from(config().map_err(tls_err)?)
        .connect(name, tcp)
        .await
        .map_err(|e| tls_err(e.to_string()))
}

/// The TLS version a connection speaks (`TLSv1_3`), for `estafette doctor`.
pub(crate) fn version(stream: &TlsStream<TcpStream>) -> String {
    stream
        .get_ref()
        .1
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_else(|| "TLS".into())
}
