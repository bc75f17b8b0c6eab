use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::{current_user, SignOut};
use crate::components::icons::{Glyph, Icon};
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
/// On a phone the main menu and the page's folders are a drawer, opened
/// from the top bar and closed by a link followed, Escape or a tap beside.
#[component]
pub fn AppShell(#[prop(optional)] search: Option<Children>, children: Children) -> impl IntoView {
    watch_session();
    let t = use_texts();
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    let search = search.map_or_else(|| view! { <QuickSearch/> }.into_any(), |s| s());
    let drawer = RwSignal::new(false);
    // A way elsewhere picked in the drawer closes it.
    let followed = move |e: leptos::ev::MouseEvent| {
        use leptos::wasm_bindgen::JsCast;
        let on_link = e
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .is_some();
        if on_link && drawer.get_untracked() {
            drawer.set(false);
        }
    };
    view! {
        <div class="shell" class:drawer-open=move || drawer.get()
            on:keydown=move |e| if e.key() == "Escape" { drawer.set(false) } on:click=followed>
            <header class="topbar">
                <button type="button" class="menu-toggle" aria-label=t.menu aria-controls="main-nav"
                    aria-expanded=move || drawer.get().to_string() on:click=move |_| drawer.update(|d| *d = !*d)>
                    <Icon glyph=Glyph::Menu/>
                </button>
                <a class="brand" href="/">"Estafette"</a>
                <div class="topbar-search">{search}</div>
                <a href="/compose" class="button primary compose-link">
                    <Icon glyph=Glyph::Pencil/><span class="word">{t.compose}</span>
                </a>
                <nav class="main-nav" id="main-nav" aria-label=t.main_menu>
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
            <Show when=move || drawer.get()>
                <button type="button" class="drawer-backdrop" aria-label=t.close on:click=move |_| drawer.set(false)></button>
            </Show>
            <div class="body">{children()}</div>
        </div>
    }
}
