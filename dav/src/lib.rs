//! A CardDAV client (RFC 6352 over WebDAV, RFC 4918) for the address book:
//! it finds the user's address books (the principal, its home set, the
//! books in it, one made when there is none), lists their cards with ETags,
//! fetches cards (`addressbook-multiget`), and writes and removes them under
//! a precondition (`If-Match` on the ETag last seen, `If-None-Match: *` for
//! a new one), so that a card changed on the server meanwhile is never
//! overwritten: the server answers 412 and [`DavError::Changed`] says so.
//!
//! Every request goes to the configured server's origin only (with the
//! user's password on it): an `href` elsewhere is refused.

pub mod vcard;
pub mod xml;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use xml::{escape, Response, CALENDARSERVER, CARDDAV, DAV};

/// At most this much of an answer is read.
const MAX_ANSWER: usize = 32 * 1024 * 1024;
/// Cards fetched per `addressbook-multiget`.
const PER_FETCH: usize = 50;
/// Redirects followed while finding the books (e.g. `/.well-known/carddav`).
const MAX_REDIRECTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum DavError {
    #[error("the CardDAV server cannot be reached: {0}")]
    Unreachable(String),
    #[error("the CardDAV server refused the user's name and password")]
    Refused,
    #[error("the card was changed or removed on the server meanwhile")]
    Changed,
    #[error("the CardDAV server answered {0}")]
    Status(u16),
    #[error("the CardDAV server's answer cannot be read: {0}")]
    Malformed(String),
}

/// An address book on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// Its path on the server (as the server writes it, percent-encoded).
    pub href: String,
    pub name: String,
    /// What changes whenever a card in it does (`getctag`, else the sync
    /// token), when the server tells.
    pub version: Option<String>,
}

/// A card on the server, as a listing names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub href: String,
    pub etag: String,
}

/// A card fetched from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub href: String,
    pub etag: String,
    pub text: String,
}

/// The user's session with the CardDAV server.
pub struct CardDav {
    http: reqwest::Client,
    base: Url,
    user: String,
    password: String,
}

impl CardDav {
    pub fn new(
        base: &Url,
        user: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<Self, DavError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent("Estafette")
            .build()
            .map_err(|e| DavError::Unreachable(e.to_string()))?;
        Ok(CardDav {
            http,
            base: base.clone(),
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }

    /// `href` (a path or a URL from the server) as a URL on the server's
    /// origin; anything elsewhere is refused.
    fn url_of(&self, href: &str) -> Result<Url, DavError> {
        let url = self
            .base
            .join(href)
            .map_err(|e| DavError::Malformed(format!("{href}: {e}")))?;
        if url.origin() != self.base.origin() {
            return Err(DavError::Malformed(format!(
                "{href} is not on the CardDAV server"
            )));
        }
        Ok(url)
    }

    /// The path of `href`, as the server's listings name it.
    pub fn path_of(&self, href: &str) -> Result<String, DavError> {
        Ok(self.url_of(href)?.path().to_owned())
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        headers: HeaderMap,
        body: Option<String>,
    ) -> Result<(StatusCode, HeaderMap, String), DavError> {
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(&self.user, Some(&self.password))
            .headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| DavError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| DavError::Unreachable(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(DavError::Malformed("the answer is too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        if status == StatusCode::UNAUTHORIZED {
            return Err(DavError::Refused);
        }
        Ok((status, headers, String::from_utf8_lossy(&body).into_owned()))
    }

    fn xml_headers(depth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        h.insert(
            "Depth",
            HeaderValue::from_str(depth).unwrap_or(HeaderValue::from_static("0")),
        );
        h
    }

    /// A PROPFIND (or REPORT) whose answer is a multistatus; redirects on
    /// the same origin are followed.
    async fn multistatus(
        &self,
        method: &str,
        href: &str,
        depth: &str,
        body: &str,
    ) -> Result<Vec<Response>, DavError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|e| DavError::Malformed(e.to_string()))?;
        let mut url = self.url_of(href)?;
        for _ in 0..=MAX_REDIRECTS {
            let (status, headers, text) = self
                .send(
                    method.clone(),
                    url.clone(),
                    Self::xml_headers(depth),
                    Some(body.to_owned()),
                )
                .await?;
            if status.is_redirection() {
                let location = headers
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or(DavError::Status(status.as_u16()))?;
                url = self.url_of(
                    url.join(location)
                        .map_err(|e| DavError::Malformed(e.to_string()))?
                        .as_str(),
                )?;
                continue;
            }
            if status != StatusCode::MULTI_STATUS {
                return Err(DavError::Status(status.as_u16()));
            }
            return xml::multistatus(&text).map_err(DavError::Malformed);
        }
        Err(DavError::Malformed("too many redirects".into()))
    }

    async fn propfind(
        &self,
        href: &str,
        depth: &str,
        props: &str,
    ) -> Result<Vec<Response>, DavError> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="{CARDDAV}" xmlns:cs="{CALENDARSERVER}"><d:prop>{props}</d:prop></d:propfind>"#
        );
        self.multistatus("PROPFIND", href, depth, &body).await
    }

    /// The first `<href>` of property `name` on `href`.
    async fn pointer(
        &self,
        href: &str,
        namespace: &str,
        name: &str,
        ask: &str,
    ) -> Result<Option<String>, DavError> {
        let answer = self.propfind(href, "0", ask).await?;
        Ok(answer.iter().find_map(|r| {
            r.prop(namespace, name)
                .and_then(|p| p.hrefs.first().cloned())
        }))
    }

    /// The user's address books; when they have none, one named `name` is
    /// made for them.
    pub async fn books(&self, name: &str) -> Result<Vec<Book>, DavError> {
        let start = self.base.path().to_owned();
        let principal = self
            .pointer(
                &start,
                DAV,
                "current-user-principal",
                "<d:current-user-principal/>",
            )
            .await?
            .unwrap_or(start.clone());
        let home = self
            .pointer(
                &principal,
                CARDDAV,
                "addressbook-home-set",
                "<c:addressbook-home-set/>",
            )
            .await?
            .unwrap_or(principal);
        let home = self.path_of(&home)?;
        let mut books = self.books_in(&home).await?;
        if books.is_empty() {
            self.make_book(&home, name).await?;
            books = self.books_in(&home).await?;
        }
        Ok(books)
    }

    async fn books_in(&self, home: &str) -> Result<Vec<Book>, DavError> {
        let answer = self
            .propfind(
                home,
                "1",
                "<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/>",
            )
            .await?;
        let mut books = Vec::new();
        for r in answer.iter().filter(|r| r.is(CARDDAV, "addressbook")) {
            let href = self.path_of(&r.href)?;
            let name = r.text(DAV, "displayname").unwrap_or_default().to_owned();
            let version = r
                .text(CALENDARSERVER, "getctag")
                .or_else(|| r.text(DAV, "sync-token"))
                .map(str::to_owned);
            books.push(Book {
                name: if name.is_empty() { href.clone() } else { name },
                href,
                version,
            });
        }
        Ok(books)
    }

    async fn make_book(&self, home: &str, name: &str) -> Result<(), DavError> {
        let home = if home.ends_with('/') {
            home.to_owned()
        } else {
            format!("{home}/")
        };
        let url = self.url_of(&format!("{home}contacts/"))?;
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:c="{CARDDAV}"><d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>{}</d:displayname></d:prop></d:set></d:mkcol>"#,
            escape(name)
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        let method =
            Method::from_bytes(b"MKCOL").map_err(|e| DavError::Malformed(e.to_string()))?;
        let (status, _, _) = self.send(method, url, headers, Some(body)).await?;
        match status.as_u16() {
            200..=299 | 405 => Ok(()),
            code => Err(DavError::Status(code)),
        }
    }

    /// The cards of `book`, with their ETags.
    pub async fn list(&self, book: &str) -> Result<Vec<Listed>, DavError> {
        let book_path = self.path_of(book)?;
        let answer = self
            .propfind(book, "1", "<d:resourcetype/><d:getetag/>")
            .await?;
        let mut out = Vec::new();
        for r in &answer {
            let href = self.path_of(&r.href)?;
            if href == book_path || r.is(DAV, "collection") {
                continue;
            }
            if let Some(etag) = r.text(DAV, "getetag") {
                out.push(Listed {
                    href,
                    etag: etag.to_owned(),
                });
            }
        }
        Ok(out)
    }

    /// The cards at `hrefs` of `book`, fetched in a few requests; a card
    /// removed meanwhile is missing from the answer.
    pub async fn fetch(&self, book: &str, hrefs: &[String]) -> Result<Vec<Fetched>, DavError> {
        let mut out = Vec::new();
        for chunk in hrefs.chunks(PER_FETCH) {
            let list: String = chunk
                .iter()
                .map(|h| format!("<d:href>{}</d:href>", escape(h)))
                .collect();
            let body = format!(
                r#"<?xml version="1.0" encoding="utf-8"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="{CARDDAV}"><d:prop><d:getetag/><c:address-data/></d:prop>{list}</c:addressbook-multiget>"#
            );
            for r in self.multistatus("REPORT", book, "1", &body).await? {
                if let (Some(etag), Some(text)) =
                    (r.text(DAV, "getetag"), r.text(CARDDAV, "address-data"))
                {
                    out.push(Fetched {
                        href: self.path_of(&r.href)?,
                        etag: etag.to_owned(),
                        text: text.to_owned(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Writes a card: over the version with `etag`, or as a new one when
    /// `etag` is `None`. Returns the new ETag when the server gives it.
    pub async fn put(
        &self,
        href: &str,
        text: &str,
        etag: Option<&str>,
    ) -> Result<Option<String>, DavError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/vcard; charset=utf-8"),
        );
        match etag {
            Some(etag) => headers.insert(
                "If-Match",
                HeaderValue::from_str(etag).map_err(|e| DavError::Malformed(e.to_string()))?,
            ),
            None => headers.insert("If-None-Match", HeaderValue::from_static("*")),
        };
        let (status, headers, _) = self
            .send(
                Method::PUT,
                self.url_of(href)?,
                headers,
                Some(text.to_owned()),
            )
            .await?;
        match status.as_u16() {
            200..=299 => Ok(headers
                .get(ETAG)
                .and_then(|e| e.to_str().ok())
                .map(str::to_owned)),
            412 => Err(DavError::Changed),
            code => Err(DavError::Status(code)),
        }
    }

    /// Removes the card at `href` if it is still the version with `etag`.
    pub async fn delete(&self, href: &str, etag: &str) -> Result<(), DavError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "If-Match",
            HeaderValue::from_str(etag).map_err(|e| DavError::Malformed(e.to_string()))?,
        );
        let (status, _, _) = self
            .send(Method::DELETE, self.url_of(href)?, headers, None)
            .await?;
        match status.as_u16() {
            200..=299 | 404 => Ok(()),
            412 => Err(DavError::Changed),
            code => Err(DavError::Status(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stay_on_the_configured_origin() {
        let base = Url::parse("https://dav.example.org/dav/").expect("url");
        let dav = CardDav::new(&base, "u", "p", Duration::from_secs(1)).expect("client");
        assert_eq!(
            dav.path_of("/dav/u/contacts/").expect("path"),
            "/dav/u/contacts/"
        );
        assert_eq!(
            dav.path_of("https://dav.example.org/dav/u/x%40y.vcf")
                .expect("path"),
            "/dav/u/x%40y.vcf"
        );
        for elsewhere in [
            "https://evil.example/dav/",
            "//evil.example/dav/",
            "http://dav.example.org/dav/",
            "https://dav.example.org:8443/dav/",
        ] {
            assert!(dav.path_of(elsewhere).is_err(), "{elsewhere}");
        }
    }
}
