use leptos::prelude::*;

use crate::api::auth::{current_user, SignOut};

/// The frame of every signed-in page: the top bar, then the page.
#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/">"Estafette"</a>
                <nav class="main-nav" aria-label="Main">
                    <a href="/">"Mail"</a>
                    <a href="/settings">"Settings"</a>
                    <Suspense fallback=|| ()>
                        {move || me.get().and_then(Result::ok).flatten().filter(|m| m.is_admin).map(|_| view! {
                            <a href="/admin">"Admin"</a>
                        })}
                    </Suspense>
                </nav>
                <Suspense fallback=|| ()>
                    {move || me.get().and_then(Result::ok).flatten().map(|m| view! {
                        <span class="who">{m.email}</span>
                    })}
                </Suspense>
                <ActionForm action=sign_out>
                    <button type="submit" class="link">"Sign out"</button>
                </ActionForm>
            </header>
            <div class="body">{children()}</div>
        </div>
    }
}
