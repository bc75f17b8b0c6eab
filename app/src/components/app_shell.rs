use leptos::prelude::*;
use leptos::server_fn::ServerFn;

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

/// The search box of pages that have no search of their own: it searches
/// the inbox.
#[component]
fn QuickSearch() -> impl IntoView {
    let t = use_texts();
    view! {
        <form method="GET" action="/" class="search" role="search">
            <input type="search" id="search" name="q" aria-label=t.search placeholder=t.search_placeholder/>
        </form>
    }
}

/// The frame of every signed-in page: the top bar (search, compose, the
/// account menu), then the page. `search` replaces the plain search box.
#[component]
pub fn AppShell(#[prop(optional)] search: Option<Children>, children: Children) -> impl IntoView {
    watch_session();
    let t = use_texts();
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    let search = search.map_or_else(|| view! { <QuickSearch/> }.into_any(), |s| s());
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/">"Estafette"</a>
                <div class="topbar-search">{search}</div>
                <a href="/compose" class="button primary compose-link">{t.compose}</a>
                <nav class="main-nav" aria-label=t.main_menu>
                    <a href="/">{t.mail}</a>
                    <a href="/contacts">{t.contacts}</a>
                    <a href="/outbox">{t.outbox}</a>
                </nav>
                <details class="account-menu">
                    <summary>
                        <Suspense fallback=move || t.account>
                            {move || me.get().and_then(Result::ok).flatten().map(|m| m.email)}
                        </Suspense>
                    </summary>
                    <div class="menu">
                        <a href="/settings">{t.settings}</a>
                        <Suspense fallback=|| ()>
                            {move || me.get().and_then(Result::ok).flatten().filter(|m| m.is_admin).map(|_| view! {
                                <a href="/admin">{t.admin}</a>
                            })}
                        </Suspense>
                        <form method="post" action=SignOut::url() on:submit=move |ev| {
                            ev.prevent_default();
                            sign_out.dispatch(SignOut {});
                        }>
                            <button type="submit" class="link">{t.sign_out}</button>
                        </form>
                    </div>
                </details>
            </header>
            <div class="body">{children()}</div>
        </div>
    }
}
