//! The application's URLs, built in one place (pages and server handlers).

use crate::api::mail::{ListRequest, Search};
use estafette_wire::Start;

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The audit log as a file (`csv` or `json`), of the days given.
pub fn audit_export(format: &str, since: &str, until: &str) -> String {
    format!(
        "/api/admin/audit_export?format={format}&since={}&until={}",
        encode(since.trim()),
        encode(until.trim())
    )
}

/// The message view of one message.
pub fn message(folder: &str, uid: u32) -> String {
    format!("/message?folder={}&uid={uid}", encode(folder))
}

/// The sandboxed document of one message, remote content loaded or not.
pub fn frame(folder: &str, uid: u32, remote: bool) -> String {
    let remote = if remote { "&remote=true" } else { "" };
    format!("/frame?folder={}&uid={uid}{remote}", encode(folder))
}

/// Image `n` of a frame's grant (see `estafette_core::inline`): the frame
/// loads it without a cookie.
pub fn inline_image(grant: &str, n: usize) -> String {
    format!("/inline?grant={}&n={n}", encode(grant))
}

/// Where the frame loads a remote image from: the image proxy, with the
/// server's token for that URL.
pub fn image_proxy(url: &str, token: &str) -> String {
    format!("{IMAGE_PROXY}{}&t={}", encode(url), encode(token))
}

pub const IMAGE_PROXY: &str = "/image?u=";

/// The warning page a suspicious link of a message passes through: where
/// `href` really leads, and what its text showed (`shown`).
pub fn link_check(href: &str, shown: &str) -> String {
    let shown = if shown.is_empty() {
        String::new()
    } else {
        format!("&shown={}", encode(shown))
    };
    format!("{LINK_CHECK}{}{shown}", encode(href))
}

/// The warning page's address, before the link it checks (percent-encoded).
pub const LINK_CHECK: &str = "/link?to=";

/// One attachment, downloaded or (`view`) shown by the browser.
pub fn part(folder: &str, uid: u32, section: &str, view: bool) -> String {
    let view = if view { "&view=true" } else { "" };
    format!(
        "/part?folder={}&uid={uid}&section={}{view}",
        encode(folder),
        encode(section)
    )
}

/// The compose form started from a message: `reply`, `all` or `forward`.
pub fn compose_from(folder: &str, uid: u32, start: Start) -> String {
    format!(
        "/compose?folder={}&uid={uid}&start={}",
        encode(folder),
        start.as_str()
    )
}

/// Settings → Filters, with a rule started from a message.
pub fn filter_like(folder: &str, uid: u32) -> String {
    format!("/settings/filters?like={}&uid={uid}", encode(folder))
}

/// The message as it was received, as plain text.
pub fn source(folder: &str, uid: u32) -> String {
    format!("/source?folder={}&uid={uid}", encode(folder))
}

/// The message as it was received, saved as a `.eml` file.
pub fn original(folder: &str, uid: u32) -> String {
    format!("{}&download=true", source(folder, uid))
}

/// Where a file of the compose form is sent (`POST`).
pub fn new_upload(name: &str, content_type: &str) -> String {
    format!(
        "/upload?name={}&type={}",
        encode(name),
        encode(content_type)
    )
}

/// A file sent from the compose form: shown (images) or removed (`DELETE`).
/// The server's cleaning of the rich text knows this form too
/// (`upload_image_src` of the mail crate's sanitiser).
pub fn upload(id: &str) -> String {
    format!("/upload?id={}", encode(id))
}

/// Server-sent events for changes in a folder.
pub fn events(folder: &str) -> String {
    format!("/events?folder={}", encode(folder))
}

/// What the message list shows, read from its page's query (`get` gives a
/// parameter's value): the inverse of [`list_href`].
pub fn list_request(get: impl Fn(&str) -> Option<String>) -> ListRequest {
    let text = |k: &str| get(k).unwrap_or_default();
    let on = |k: &str| get(k).is_some_and(|v| v == "on" || v == "true");
    ListRequest {
        folder: get("folder").unwrap_or_else(|| "INBOX".into()),
        page: get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
        sort: text("sort"),
        conversations: get("conversations").map(|v| v == "on" || v == "true"),
        search: Search {
            q: text("q"),
            unread: on("unread"),
            flagged: on("flagged"),
            attachment: on("attachment"),
            label: text("label"),
            since: text("since"),
            before: text("before"),
            everywhere: on("everywhere"),
        },
    }
}

/// The list page for `r`, leaving defaults out of the URL.
pub fn list_href(r: &ListRequest) -> String {
    let mut url = format!("/?folder={}", encode(&r.folder));
    let mut add = |k: &str, v: &str| url.push_str(&format!("&{k}={}", encode(v)));
    if r.page > 0 {
        add("page", &r.page.to_string());
    }
    let f = &r.search;
    for (k, v) in [
        ("sort", &r.sort),
        ("q", &f.q),
        ("label", &f.label),
        ("since", &f.since),
        ("before", &f.before),
    ] {
        if !v.is_empty() {
            add(k, v);
        }
    }
    for (k, v) in [
        ("unread", f.unread),
        ("flagged", f.flagged),
        ("attachment", f.attachment),
        ("everywhere", f.everywhere),
    ] {
        if v {
            add(k, "on");
        }
    }
    if let Some(grouped) = r.conversations {
        add("conversations", if grouped { "on" } else { "off" });
    }
    url
}

/// The list with one message open in the reading pane.
pub fn open_href(r: &ListRequest, folder: &str, uid: u32) -> String {
    format!("{}&in={}&uid={uid}", list_href(r), encode(folder))
}

/// The first page of a folder.
pub fn folder_href(folder: &str) -> String {
    list_href(&ListRequest {
        folder: folder.to_owned(),
        ..ListRequest::default()
    })
}

/// The folder's messages with the label `keyword`.
pub fn label_href(folder: &str, keyword: &str) -> String {
    list_href(&ListRequest {
        folder: folder.to_owned(),
        search: Search {
            label: keyword.to_owned(),
            ..Search::default()
        },
        ..ListRequest::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            message("Sent Items", 7),
            "/message?folder=Sent%20Items&uid=7"
        );
        assert_eq!(
            new_upload("a b.png", "image/png"),
            "/upload?name=a%20b.png&type=image%2Fpng"
        );
        assert_eq!(upload("0123abcd"), "/upload?id=0123abcd");
        assert_eq!(
            part("INBOX", 3, "1.2", true),
            "/part?folder=INBOX&uid=3&section=1.2&view=true"
        );
    }

    #[test]
    fn a_list_address_reads_back_as_the_list_it_names() {
        let request = ListRequest {
            folder: "Sent Items".into(),
            page: 2,
            sort: "-from".into(),
            conversations: Some(false),
            search: Search {
                q: "a&b=c".into(),
                unread: true,
                label: "$label1".into(),
                since: "2026-01-02".into(),
                everywhere: true,
                ..Search::default()
            },
        };
        let href = list_href(&request);
        let query = href.trim_start_matches("/?");
        let params: Vec<(String, String)> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), decode(v)))
            .collect();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(list_request(get), request);
        // Defaults stay out of the address.
        assert_eq!(folder_href("INBOX"), "/?folder=INBOX");
        assert_eq!(
            list_request(|_| None),
            ListRequest {
                folder: "INBOX".into(),
                ..ListRequest::default()
            }
        );
    }

    /// Percent-decoding, as the browser's router does.
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}
