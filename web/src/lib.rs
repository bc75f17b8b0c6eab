//! Estafette's requests to the open web on a reader's behalf: a remote
//! image for the image proxy, the one-click unsubscribe POST of RFC 8058.
//! The URL is the sender's, so every request is checked where it goes
//! (SSRF):
//!
//! - `http` and `https` only, without a user name, to the ports allowed
//!   (80 and 443 unless configured);
//! - the host's addresses are resolved here, each must be public
//!   ([`address::is_inside`]), and the connection goes to those addresses
//!   and nowhere else (no second lookup a rebinding name could answer
//!   differently);
//! - redirects are followed by hand, at most [`MAX_REDIRECTS`], each
//!   checked as the first (one-click follows none);
//! - no proxy from the environment, no cookies, no referrer, a time limit
//!   and a size limit.
//!
//! `allow` names the socket addresses an organisation exempts (its own list
//! server on a private network, say); nothing else inside is reachable.

pub mod address;
pub mod image;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::Client;
use thiserror::Error;
use url::{Host, Url};

/// Redirects an image fetch follows.
pub const MAX_REDIRECTS: usize = 3;
/// The body RFC 8058 asks for.
pub const ONE_CLICK_BODY: &str = "List-Unsubscribe=One-Click";
const USER_AGENT: &str = "Estafette";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebError {
    /// The URL leads somewhere requests are not made (the text says why).
    #[error("{0}")]
    Refused(String),
    #[error("{0} cannot be reached")]
    Unreachable(String),
    #[error("{host} answered {status}")]
    Status { host: String, status: u16 },
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    #[error("not an image")]
    NotImage,
}

/// Where requests may go.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Socket addresses reachable although inside (see the module's text).
    pub allow: Vec<SocketAddr>,
    /// Ports of the public internet that may be asked.
    pub ports: Vec<u16>,
    /// For the whole of one request (connection, answer, body).
    pub timeout: Duration,
}

/// An image, its type read from its bytes (shared, not copied, by each
/// answer that serves it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub content_type: &'static str,
    pub bytes: bytes::Bytes,
}

/// A checked destination: the host as the URL names it and the addresses
/// the connection may use.
#[derive(Debug, Clone)]
struct Target {
    host: String,
    domain: Option<String>,
    addrs: Vec<SocketAddr>,
}

/// A resolver that resolves nothing: every name a client may reach is
/// given to it beforehand, checked.
struct NoLookups;

impl reqwest::dns::Resolve for NoLookups {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move { Err(format!("{name} was not checked").into()) })
    }
}

#[derive(Debug, Clone)]
pub struct Web {
    limits: Limits,
}

impl Web {
    pub fn new(limits: Limits) -> Web {
        Web { limits }
    }

    fn refused(why: impl Into<String>) -> WebError {
        WebError::Refused(why.into())
    }

    /// Checks `url` and resolves its host (see the module's text).
    async fn target(&self, url: &Url) -> Result<Target, WebError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Self::refused(format!(
                "{}: addresses are not requested",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Self::refused(
                "addresses with a user name are not requested",
            ));
        }
        let host = url
            .host()
            .ok_or_else(|| Self::refused("an address without a host"))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Self::refused("an address without a port"))?;
        let l = &self.limits;
        if !l.ports.contains(&port) && !l.allow.iter().any(|a| a.port() == port) {
            return Err(Self::refused(format!("port {port} is not requested")));
        }
        let (name, domain, addrs) = match host {
            Host::Ipv4(ip) => (
                ip.to_string(),
                None,
                vec![SocketAddr::new(IpAddr::V4(ip), port)],
            ),
            Host::Ipv6(ip) => (
                ip.to_string(),
                None,
                vec![SocketAddr::new(IpAddr::V6(ip), port)],
            ),
            Host::Domain(d) => {
                let lookup = tokio::net::lookup_host((d, port));
                let addrs: Vec<SocketAddr> = tokio::time::timeout(l.timeout, lookup)
                    .await
                    .map_err(|_| WebError::Unreachable(d.to_owned()))?
                    .map_err(|_| WebError::Unreachable(d.to_owned()))?
                    .collect();
                (d.to_owned(), Some(d.to_owned()), addrs)
            }
        };
        if addrs.is_empty() {
            return Err(WebError::Unreachable(name));
        }
        // Every address must do: a name that also resolves inside is refused
        // whichever address a connection would have picked.
        for addr in &addrs {
            let allowed = l.allow.contains(addr)
                || (l.ports.contains(&port) && !address::is_inside(addr.ip()));
            if !allowed {
                tracing::info!(host = %name, "refused a request to an address inside");
                return Err(Self::refused(format!("{name} is not a public address")));
            }
        }
        Ok(Target {
            host: name,
            domain,
            addrs,
        })
    }

    /// A client that connects to `target`'s checked addresses only.
    fn client(&self, target: &Target) -> Result<Client, WebError> {
        let mut b = Client::builder()
            .no_proxy()
            .redirect(Policy::none())
            .referer(false)
            .timeout(self.limits.timeout)
            .connect_timeout(self.limits.timeout)
            .user_agent(USER_AGENT)
            .dns_resolver(Arc::new(NoLookups));
        if let Some(domain) = &target.domain {
            b = b.resolve_to_addrs(domain, &target.addrs);
        }
        b.build()
            .map_err(|e| WebError::Unreachable(format!("{} ({e})", target.host)))
    }

    fn unreachable(target: &Target, e: &reqwest::Error) -> WebError {
        tracing::info!(host = %target.host, error = %e, "a request on a reader's behalf failed");
        WebError::Unreachable(target.host.clone())
    }

    /// The image at `url`, at most `max` bytes, through at most
    /// [`MAX_REDIRECTS`] redirects.
    pub async fn image(&self, url: &str, max: u64) -> Result<Image, WebError> {
        let mut url = Url::parse(url).map_err(|_| Self::refused("not a web address"))?;
        for _ in 0..=MAX_REDIRECTS {
            let target = self.target(&url).await?;
            let mut res = self
                .client(&target)?
                .get(url.clone())
                .header(
                    ACCEPT,
                    "image/avif,image/webp,image/png,image/jpeg,image/gif",
                )
                .send()
                .await
                .map_err(|e| Self::unreachable(&target, &e))?;
            let status = res.status();
            if status.is_redirection() {
                let next = res
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok());
                match next {
                    Some(next) => {
                        url = next;
                        continue;
                    }
                    None => {
                        return Err(WebError::Status {
                            host: target.host,
                            status: status.as_u16(),
                        })
                    }
                }
            }
            if !status.is_success() {
                return Err(WebError::Status {
                    host: target.host,
                    status: status.as_u16(),
                });
            }
            if res.content_length().is_some_and(|n| n > max) {
                return Err(WebError::TooLarge(max));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = res
                .chunk()
                .await
                .map_err(|e| Self::unreachable(&target, &e))?
            {
                if (bytes.len() + chunk.len()) as u64 > max {
                    return Err(WebError::TooLarge(max));
                }
                bytes.extend_from_slice(&chunk);
            }
            let content_type = image::sniff(&bytes).ok_or(WebError::NotImage)?;
            return Ok(Image {
                content_type,
                bytes: bytes.into(),
            });
        }
        Err(Self::refused(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// The one-click unsubscribe POST (RFC 8058) to `url`: its status when
    /// the list's server accepted it. A redirect is not followed.
    pub async fn one_click(&self, url: &str) -> Result<u16, WebError> {
        let url = Url::parse(url).map_err(|_| Self::refused("not a web address"))?;
        let target = self.target(&url).await?;
        let res = self
            .client(&target)?
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(ONE_CLICK_BODY)
            .send()
            .await
            .map_err(|e| Self::unreachable(&target, &e))?;
        let status = res.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(WebError::Status {
                host: target.host,
                status: status.as_u16(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web() -> Web {
        Web::new(Limits {
            allow: Vec::new(),
            ports: vec![80, 443],
            timeout: Duration::from_secs(2),
        })
    }

    #[tokio::test]
    async fn only_web_addresses_without_user_names_on_allowed_ports() {
        let w = web();
        for url in [
            "ftp://93.184.215.14/x.png",
            "file:///etc/passwd",
            "gopher://93.184.215.14:70/_GET",
            "dict://93.184.215.14:11211/stat",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "http://user:pw@93.184.215.14/x.png",
            "http://93.184.215.14:22/",
            "https://93.184.215.14:6379/",
            "http://[::1]/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0x7f000001/",
            "http://[0:0:0:0:0:ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://100.100.100.200/",
            "not a url",
        ] {
            let got = w.image(url, 1024).await;
            assert!(matches!(got, Err(WebError::Refused(_))), "{url}: {got:?}");
            let got = w.one_click(url).await;
            assert!(matches!(got, Err(WebError::Refused(_))), "{url}: {got:?}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_inside_is_refused() {
        let got = web().image("http://localhost/x.png", 1024).await;
        assert!(matches!(got, Err(WebError::Refused(_))), "{got:?}");
    }
}
