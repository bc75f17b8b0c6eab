//! The document the message view shows in its sandboxed iframe: the
//! sanitised body alone (the page around it shows the headers), under its
//! own Content-Security-Policy. `estafette render-eml` prints the same with
//! a headers block above it.

use crate::message::{Mailbox, Message};
use crate::sanitize::{sanitize_html, text_to_html_with, Policy};

/// The policy inside the frame: no scripts, no plugins, no forms, no
/// navigation of the frame, images only from the message and the image
/// proxy (or from anywhere when `direct_remote`: `render-eml`, which has no
/// proxy, when asked to allow remote content), inline styles.
pub fn frame_csp(direct_remote: bool) -> String {
    let images = if direct_remote {
        "'self' data: https: http:"
    } else {
        "'self' data:"
    };
    format!(
        "default-src 'none'; img-src {images}; style-src 'unsafe-inline'; font-src 'none'; \
         script-src 'none'; object-src 'none'; form-action 'none'; base-uri 'none'; \
         frame-src 'none'; connect-src 'none'; media-src 'none'"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn people(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| match (&m.name, &m.address) {
            (Some(n), Some(a)) => format!("{} &lt;{}&gt;", escape(n), escape(a)),
            (None, Some(a)) => escape(a),
            (Some(n), None) => escape(n),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rendered document and what was blocked in it.
pub struct Rendered {
    pub document: String,
    pub remote_blocked: usize,
}

/// What stands above the body: nothing in the message view (the page shows
/// the headers, in the reader's language), the headers for a file read with
/// `render-eml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    BodyOnly,
    WithHeaders,
}

/// The message's body sanitised under `policy`, and what was blocked.
pub fn body(message: &Message, policy: &Policy) -> (String, usize) {
    match (&message.html, &message.text) {
        (Some(html), _) => {
            let s = sanitize_html(html, policy);
            (s.html, s.remote_blocked)
        }
        (None, Some(text)) => (
            format!(
                "<div class=\"text\">{}</div>",
                text_to_html_with(text, policy)
            ),
            0,
        ),
        (None, None) => (String::new(), 0),
    }
}

/// The headers block of a file's document (English: an operator's tool).
fn headers(message: &Message, remote_blocked: usize) -> String {
    let mut headers = String::new();
    for (label, value) in [
        ("From", people(&message.from)),
        ("To", people(&message.to)),
        ("Cc", people(&message.cc)),
        (
            "Date",
            message
                .date
                .map(|d| mail_parser::DateTime::from_timestamp(d).to_rfc822())
                .unwrap_or_default(),
        ),
        ("Subject", escape(&message.subject)),
    ] {
        if !value.is_empty() {
            headers.push_str(&format!("<div><b>{label}:</b> {value}</div>"));
        }
    }
    if message.more_recipients > 0 {
        headers.push_str(&format!(
            "<div>… and {} more recipients</div>",
            message.more_recipients
        ));
    }
    if remote_blocked > 0 {
        headers.push_str(&format!(
            "<p class=\"remote\">{remote_blocked} remote images or resources blocked.</p>"
        ));
    }
    format!("<header>{headers}</header>")
}

pub fn render(message: &Message, policy: &Policy, framing: Framing) -> Rendered {
    let (body, remote_blocked) = body(message, policy);
    let header = match framing {
        Framing::BodyOnly => String::new(),
        Framing::WithHeaders => headers(message, remote_blocked),
    };
    let document = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\
         <meta name=\"referrer\" content=\"no-referrer\"><base target=\"_blank\">\
         <style>body{{font:15px/1.45 system-ui,sans-serif;margin:0;padding:12px;overflow-wrap:anywhere}}\
         header{{border-bottom:1px solid #ccc;margin-bottom:12px;padding-bottom:8px}}\
         .text{{white-space:pre-wrap}}.remote{{background:#fff4ce;color:#3b2f00;padding:4px 8px;border-radius:4px}}img{{max-width:100%;height:auto}}</style></head>\
         <body>{header}<main>{body}</main></body></html>\n",
        csp = frame_csp(policy.allow_remote && policy.remote_via.is_none()),
    );
    Rendered {
        document,
        remote_blocked,
    }
}
