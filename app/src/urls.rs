//! The application's URLs, built in one place (pages and server handlers).

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
pub fn compose_from(folder: &str, uid: u32, start: &str) -> String {
    format!("/compose?folder={}&uid={uid}&start={start}", encode(folder))
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
/// (`estafette_mail::sanitize::upload_image_src`).
pub fn upload(id: &str) -> String {
    format!("/upload?id={}", encode(id))
}

/// Server-sent events for changes in a folder.
pub fn events(folder: &str) -> String {
    format!("/events?folder={}", encode(folder))
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
}
