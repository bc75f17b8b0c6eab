use leptos::prelude::*;

use crate::api::auth::{current_user, SignOut};
use crate::i18n::use_texts;

/// How often an open page checks that its session still lives (an admin may
/// disable the account, or the user sign out everywhere from elsewhere).
const SESSION_CHECK: std::time::Duration = std::time::Duration::from_secs(10);

/// Sends the browser to the sign-in page once the session has ended.
fn watch_session() {
    Effect::new(move |_| {
        let check = move || {
            leptos::task::spawn_local(async move {
                if let Ok(None) = current_user().await {
                    let _ = window().location().set_href("/login");
                }
            })
        };
        let handle = set_interval_with_handle(check, SESSION_CHECK).ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
}

/// The frame of every signed-in page: the top bar, then the page.
#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    watch_session();
    let t = use_texts();
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/">"Estafette"</a>
                <nav class="main-nav" aria-label="Main">
                    <a href="/">{t.mail}</a>
                    <a href="/compose" class="compose-link">{t.compose}</a>
                    <a href="/outbox">{t.outbox}</a>
                    <a href="/settings">{t.settings}</a>
                    <Suspense fallback=|| ()>
                        {move || me.get().and_then(Result::ok).flatten().filter(|m| m.is_admin).map(|_| view! {
                            <a href="/admin">{t.admin}</a>
                        })}
                    </Suspense>
                </nav>
                <Suspense fallback=|| ()>
                    {move || me.get().and_then(Result::ok).flatten().map(|m| view! {
                        <span class="who">{m.email}</span>
                    })}
                </Suspense>
                <ActionForm action=sign_out>
                    <button type="submit" class="link">{t.sign_out}</button>
                </ActionForm>
            </header>
            <div class="body">{children()}</div>
        </div>
    }
}
