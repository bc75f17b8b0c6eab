use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::pages::mail::{encode, href};
use crate::pages::shell::AppShell;

/// One message: the sanitised document in a sandboxed frame (no scripts, no
/// forms, its own CSP; links open in a new tab).
#[component]
pub fn MessagePage() -> impl IntoView {
    let query = use_query_map();
    let folder = Memo::new(move |_| {
        query
            .with(|q| q.get("folder"))
            .unwrap_or_else(|| "INBOX".into())
    });
    let uid = Memo::new(move |_| {
        query
            .with(|q| q.get("uid"))
            .and_then(|u| u.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let frame = move || format!("/frame?folder={}&uid={}", encode(&folder.get()), uid.get());
    view! {
        <Title text="Message"/>
        <AppShell>
            <div class="message-view">
                <p><a href=move || href(&folder.get(), 0)>"← " {move || folder.get()}</a></p>
                <iframe
                    class="message-frame"
                    title="Message"
                    src=frame
                    sandbox="allow-popups allow-popups-to-escape-sandbox"
                    referrerpolicy="no-referrer"
                ></iframe>
            </div>
        </AppShell>
    }
}
