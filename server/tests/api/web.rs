//! Requests on a reader's behalf, tried as an attacker would: a message's
//! remote images through the image proxy and its one-click unsubscribe,
//! against a local "list server" (the one address `web.allow` exempts) and
//! an "internal service" that must never be reached, whatever the message
//! names: a name resolving to loopback, a redirect to the cloud metadata
//! address or inside, `[::1]`, decimal and hexadecimal IPv4 forms, too many
//! redirects; the same request many times at once; another account.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, Uri};

use app::api::mail::UnsubscribeDone;

use crate::helpers::{append_as, spawn_with, Db, TestApp};

/// A 1×1 PNG.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0x50,
    0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9, 0x8c, 0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A request a test server received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub body: String,
    pub headers: HeaderMap,
}

#[derive(Clone)]
struct Seen {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Where `/inside` redirects (the internal service).
    inside: String,
}

pub struct TestServer {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl TestServer {
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().map(|h| h.clone()).unwrap_or_default()
    }

    pub fn hits_of(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(http::header::LOCATION, to)]).into_response()
}

async fn answer(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    if let Ok(mut hits) = seen.hits.lock() {
        hits.push(Hit {
            method: method.to_string(),
            path: path.clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
            headers,
        });
    }
    let png = |bytes: Vec<u8>| ([(http::header::CONTENT_TYPE, "image/png")], bytes).into_response();
    match (method.as_str(), path.as_str()) {
        ("GET", "/pixel.png") | ("GET", "/shared.png") => png(PIXEL.to_vec()),
        ("GET", "/script.png") => {
            png(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec())
        }
        ("GET", "/huge.png") => {
            let mut bytes = PIXEL.to_vec();
            bytes.resize(6 * 1024 * 1024, 0);
            png(bytes)
        }
        ("GET", "/meta") => redirect("http://169.254.169.254/latest/meta-data/".into()),
        ("GET", "/inside") => redirect(seen.inside.clone()),
        ("GET", hop) if hop.starts_with("/hop/") => match hop[5..].parse::<u32>() {
            Ok(0) => png(PIXEL.to_vec()),
            Ok(n) => redirect(format!("/hop/{}", n - 1)),
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        },
        ("POST", "/unsubscribe") => StatusCode::OK.into_response(),
        ("POST", "/unsubscribe-moved") => redirect("/unsubscribe-elsewhere".into()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A server on 127.0.0.1 that records every request; `/inside` redirects to `inside`.
pub async fn test_server(inside: &str) -> TestServer {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = Seen {
        hits: hits.clone(),
        inside: inside.to_owned(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = axum::Router::new().fallback(answer).with_state(seen);
    tokio::spawn(async move { axum::serve(listener, router).await });
    TestServer { addr, hits }
}

/// The internal service, the list server in front of it, and Estafette
/// allowed to reach the list server only. The internal service's port is
/// one of `web.ports`, so that only its address keeps it out of reach.
async fn setting() -> (TestServer, TestServer, TestApp) {
    let internal = test_server("").await;
    let list = test_server(&format!("http://{}/secret", internal.addr)).await;
    let ports = format!("[80, 443, {}]", internal.addr.port());
    let app = spawn_with(
        Db::Shared,
        &[
            ("ESTAFETTE_WEB__ALLOW", &list.addr.to_string()),
            ("ESTAFETTE_WEB__PORTS", &ports),
        ],
    )
    .await;
    (internal, list, app)
}

fn newsletter(extra_headers: &str, html: &str) -> String {
    format!(
        "From: News <news@list.example>\r\nTo: reader@example.test\r\nSubject: This week\r\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{}@list.example>\r\nMIME-Version: 1.0\r\n\
         {extra_headers}Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n",
        rand_id()
    )
}

fn rand_id() -> String {
    crate::helpers::unique_email("n").replace('@', ".")
}

/// A new reader with `raw` in their INBOX: the browser and its UID.
async fn reader_with(app: &TestApp, raw: &str) -> (String, TestApp, u32) {
    let (email, browser) = app.user("reader").await;
    append_as(&email, "INBOX", raw.as_bytes()).await;
    let page = browser.wait_for_inbox(1).await;
    let uid = page.rows[0].uid;
    (email, browser, uid)
}

/// The proxied image URLs of the frame, in the message's order.
async fn proxied(browser: &TestApp, uid: u32) -> Vec<String> {
    let res = browser
        .get(&format!("/frame?folder=INBOX&uid={uid}&remote=true"))
        .await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
    let doc = res.text().await.unwrap_or_default();
    assert!(!doc.contains("src=\"http"), "nothing remote is left: {doc}");
    doc.split("src=\"")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once('"')
                .map(|(src, _)| src.replace("&amp;", "&"))
        })
        .filter(|src| src.starts_with("/image?u="))
        .collect()
}

#[tokio::test]
async fn remote_images_come_through_the_proxy_and_never_from_inside() {
    let (internal, list, app) = setting().await;
    let (l, i) = (list.addr.port(), internal.addr.port());
    let urls = [
        format!("http://127.0.0.1:{l}/pixel.png"), // 0: the allowed list server
        format!("http://localhost:{i}/a.png"),     // 1: a name resolving to loopback
        format!("http://127.0.0.1:{l}/meta"),      // 2: redirect to the metadata address
        format!("http://127.0.0.1:{l}/inside"),    // 3: redirect inside
        format!("http://[::1]:{i}/a.png"),         // 4
        format!("http://2130706433:{i}/a.png"),    // 5: 127.0.0.1 in decimal
        format!("http://0x7f.1:{i}/a.png"),        // 6: and in hex, shortened
        format!("http://[::ffff:127.0.0.1]:{i}/a.png"), // 7: IPv4-mapped
        format!("http://127.0.0.1:{i}/a.png"),     // 8
        "http://169.254.169.254/latest/meta-data/".to_owned(), // 9
        format!("http://127.0.0.1:{l}/hop/3"),     // 10: three redirects: followed
        format!("http://127.0.0.1:{l}/hop/4"),     // 11: four: not
        format!("http://127.0.0.1:{l}/script.png"), // 12: not an image, whatever it says
        format!("http://127.0.0.1:{l}/huge.png"),  // 13: over web.max_image_mb
        format!("http://user:pw@127.0.0.1:{l}/pixel.png"), // 14: a user name
    ];
    let html: String = urls.iter().map(|u| format!("<img src=\"{u}\">")).collect();
    let (_, reader, uid) = reader_with(&app, &newsletter("", &html)).await;
    let srcs = proxied(&reader, uid).await;
    assert_eq!(srcs.len(), urls.len(), "{srcs:?}");

    // Strangers may load a frame's images (the frame sends no cookie).
    let anyone = reader.new_browser();
    let expected = [
        200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 422, 413, 403,
    ];
    for (n, (src, want)) in srcs.iter().zip(expected).enumerate() {
        let res = anyone.get(src).await;
        assert_eq!(res.status().as_u16(), want, "{n}: {}", urls[n]);
        if want == 200 {
            assert_eq!(res.headers()["content-type"], "image/png");
            assert_eq!(res.headers()["x-content-type-options"], "nosniff");
            assert_eq!(
                res.headers()["cross-origin-resource-policy"],
                "cross-origin"
            );
            assert!(res.headers()["content-security-policy"]
                .to_str()
                .unwrap_or_default()
                .contains("sandbox"));
            assert_eq!(res.bytes().await.expect("bytes").as_ref(), PIXEL);
        }
    }
    assert!(
        internal.hits().is_empty(),
        "the internal service was reached: {:?}",
        internal.hits()
    );
    assert_eq!(list.hits_of("/hop/4"), 1);
    assert_eq!(list.hits_of("/hop/0"), 1, "hop/3 was followed to its end");
    // Nothing of the reader's went with them.
    for hit in list.hits() {
        for header in [
            "cookie",
            "referer",
            "x-forwarded-for",
            "forwarded",
            "authorization",
        ] {
            assert!(!hit.headers.contains_key(header), "{header} sent: {hit:?}");
        }
    }
    assert_eq!(
        list.hits_of("/pixel.png"),
        1,
        "the user name's URL was not fetched"
    );

    // Only what the server signed: another URL, a changed token, none.
    let pixel = &srcs[0];
    let token = pixel.rsplit_once("&t=").map(|(_, t)| t).unwrap_or_default();
    for forged in [
        format!(
            "/image?u={}&t={token}",
            app::urls::encode(&format!("http://127.0.0.1:{l}/shared.png"))
        ),
        pixel.replace("&t=", "&t=9"),
        format!("/image?u={}", app::urls::encode(&urls[0])),
    ] {
        let status = anyone.get(&forged).await.status().as_u16();
        assert!(matches!(status, 400 | 404), "{forged}: {status}");
    }
    assert_eq!(list.hits_of("/shared.png"), 0);
}

#[tokio::test]
async fn an_image_is_fetched_once_however_many_readers_ask_at_once() {
    let (_internal, list, app) = setting().await;
    let url = format!("http://127.0.0.1:{}/shared.png", list.addr.port());
    let raw = newsletter("", &format!("<p>Hi</p><img src=\"{url}\">"));
    let (_, first, uid) = reader_with(&app, &raw).await;
    let (_, second, uid2) = reader_with(&app, &raw).await;
    let (a, b) = (proxied(&first, uid).await, proxied(&second, uid2).await);
    let requests = (0..100).map(|n| {
        let (browser, src) = if n % 2 == 0 {
            (&first, &a[0])
        } else {
            (&second, &b[0])
        };
        async move { browser.get(src).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert_eq!(list.hits_of("/shared.png"), 1, "the sender saw one fetch");
    // Read again later: still the one fetch.
    assert_eq!(
        first.get(&proxied(&first, uid).await[0]).await.status(),
        200
    );
    assert_eq!(list.hits_of("/shared.png"), 1);
}

fn one_click(list: &TestServer, path: &str) -> String {
    format!(
        "List-Unsubscribe: <mailto:leave@list.example?subject=unsubscribe>,\r\n <http://{}{path}?id=42>\r\n\
         List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        list.addr
    )
}

async fn unsubscribe(browser: &TestApp, uid: u32) -> reqwest::Response {
    browser
        .post(
            "/api/unsubscribe",
            &[("folder", "INBOX"), ("uid", &uid.to_string())],
        )
        .await
}

#[tokio::test]
async fn one_click_unsubscribe_posts_once_however_many_clicks_arrive() {
    let (_internal, list, app) = setting().await;
    let raw = newsletter(&one_click(&list, "/unsubscribe"), "<p>News</p>");
    let (_, reader, uid) = reader_with(&app, &raw).await;

    let offer = reader
        .outline(&uid.to_string())
        .await
        .unsubscribe
        .expect("a way to unsubscribe");
    assert!(offer.one_click, "{offer:?}");
    assert_eq!(offer.host, "127.0.0.1");
    assert_eq!(
        offer.compose.as_deref(),
        Some("/compose?to=mailto%3Aleave%40list.example%3Fsubject%3Dunsubscribe")
    );
    assert_eq!(list.hits().len(), 0, "nothing is done before the click");

    // Another account cannot make it ask: it has no such message.
    let (_, stranger) = app.user("stranger").await;
    assert_eq!(unsubscribe(&stranger, uid).await.status(), 404);
    assert_eq!(
        reader
            .new_browser()
            .post(
                "/api/unsubscribe",
                &[("folder", "INBOX"), ("uid", &uid.to_string())]
            )
            .await
            .status(),
        401
    );
    assert_eq!(list.hits().len(), 0);

    let clicks = (0..30).map(|_| async {
        let res = unsubscribe(&reader, uid).await;
        let status = res.status().as_u16();
        (
            status,
            res.json::<serde_json::Value>().await.unwrap_or_default(),
        )
    });
    let answers = futures::future::join_all(clicks).await;
    assert!(
        answers.iter().all(|(s, _)| matches!(s, 200 | 429)),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .any(|(s, v)| *s == 200 && v["already"] == false),
        "{answers:?}"
    );
    let posts: Vec<Hit> = list.hits();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let post = &posts[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/unsubscribe")
    );
    assert_eq!(post.body, "List-Unsubscribe=One-Click");
    assert_eq!(
        post.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(!post.headers.contains_key("cookie") && !post.headers.contains_key("referer"));

    // Later: said done, not asked again.
    let again = unsubscribe(&reader, uid).await;
    assert_eq!(again.status(), 200);
    assert!(again.json::<UnsubscribeDone>().await.expect("json").already);
    assert_eq!(list.hits().len(), 1);
}

#[tokio::test]
async fn one_click_goes_nowhere_inside_and_follows_no_redirect() {
    let (internal, list, app) = setting().await;
    // Pointed at the internal service, by name or by address.
    for target in [
        format!("http://localhost:{}/unsubscribe", internal.addr.port()),
        format!("http://{}/unsubscribe", internal.addr),
        format!("http://0x7f.1:{}/unsubscribe", internal.addr.port()),
        "http://169.254.169.254/unsubscribe".to_owned(),
        "ftp://127.0.0.1/unsubscribe".to_owned(),
    ] {
        let headers = format!(
            "List-Unsubscribe: <{target}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        );
        let (_, reader, uid) = reader_with(&app, &newsletter(&headers, "<p>x</p>")).await;
        let res = unsubscribe(&reader, uid).await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 422, "{target}: {text}");
        if !target.starts_with("ftp:") {
            assert!(text.contains("cannot be used"), "{target}: {text}");
        }
    }
    assert!(internal.hits().is_empty(), "{:?}", internal.hits());

    // A redirect is the list refusing: not followed.
    let raw = newsletter(&one_click(&list, "/unsubscribe-moved"), "<p>x</p>");
    let (_, reader, uid) = reader_with(&app, &raw).await;
    let res = unsubscribe(&reader, uid).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap_or_default()
        .contains("did not accept"));
    assert_eq!(list.hits_of("/unsubscribe-moved"), 1);
    assert_eq!(list.hits_of("/unsubscribe-elsewhere"), 0);
    // Failed, so it may be tried again.
    unsubscribe(&reader, uid).await;
    assert_eq!(list.hits_of("/unsubscribe-moved"), 2);

    // A link only (no List-Unsubscribe-Post): offered as a page, not clicked here.
    let headers = format!("List-Unsubscribe: <http://{}/page>\r\n", list.addr);
    let (_, reader, uid) = reader_with(&app, &newsletter(&headers, "<p>x</p>")).await;
    let offer = reader
        .outline(&uid.to_string())
        .await
        .unsubscribe
        .expect("a way to unsubscribe");
    assert!(!offer.one_click);
    assert_eq!(offer.web, Some(format!("http://{}/page", list.addr)));
    assert_eq!(unsubscribe(&reader, uid).await.status(), 422);
    assert_eq!(list.hits_of("/page"), 0);
}
