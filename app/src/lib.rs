//! Estafette's pages, components and server functions. Server functions are
//! thin: they extract who is asking, call `estafette_core`, map the result.

mod actions;
pub mod api;
mod components;
mod dates;
pub mod error;
pub mod i18n;
mod keys;
mod mailto;
mod pages;
mod prefs;
pub mod urls;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

use components::{Shortcuts, Toasts};
use pages::admin::{AdminPage, AuditPage};
use pages::compose::ComposePage;
use pages::contacts::ContactsPage;
use pages::enrol::EnrolPage;
use pages::filters::FiltersPage;
use pages::link::LinkPage;
use pages::login::{CodePage, SignInPage};
use pages::mail::{MailPage, MessagePage};
use pages::not_found::NotFound;
use pages::outbox::OutboxPage;
use pages::password::PasswordPage;
use pages::settings::SettingsPage;

/// The language to record for an account that has none yet, from the
/// browser's `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn browser_language(accept_language: &str) -> &'static str {
    i18n::Locale::negotiate(accept_language).code()
}

/// The HTML document around the application (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use prefs::PrefsExt;
    let prefs = prefs::provide().get_untracked();
    view! {
        <!DOCTYPE html>
        <html lang=prefs.locale().code() data-theme=prefs.theme.as_str()
            data-density=prefs.density.as_str() data-prefs=prefs.to_json()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href=format!("/{}/favicon.svg", options.site_pkg_dir)/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let prefs = prefs::provide();
    let locale = prefs::use_locale();
    prefs::apply_to_document(prefs);
    components::provide_toaster();
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    // A server function's redirect (signing in or out) loads the next page
    // whole: it is rendered with the account's preferences, and nothing of
    // the previous session stays in memory. Set before the router sets its own.
    #[cfg(feature = "hydrate")]
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = window().location().assign(to);
    });
    view! {
        <Stylesheet id="estafette" href=stylesheet_href()/>
        <Title formatter=|page: String| if page.is_empty() { "Estafette".to_owned() } else { format!("{page} · Estafette") }/>
        <Router>
            {move || {
                locale.track();
                view! { <Shortcuts/><Toasts/> }
            }}
            <Routes fallback=|| in_language(|| NotFound().into_any())>
                <Route path=path!("/login") view=|| in_language(|| SignInPage().into_any())/>
                <Route path=path!("/login/code") view=|| in_language(|| CodePage().into_any())/>
                <Route path=path!("/enrol") view={Lazy::<Enrol>::new()}/>
                <Route path=path!("/password") view={Lazy::<Password>::new()}/>
                <Route path=path!("/settings") view={Lazy::<Settings>::new()}/>
                <Route path=path!("/settings/filters") view={Lazy::<Filters>::new()}/>
                <Route path=path!("/admin") view={Lazy::<Admin>::new()}/>
                <Route path=path!("/admin/audit") view={Lazy::<Audit>::new()}/>
                <Route path=path!("/message") view={Lazy::<Message>::new()}/>
                <Route path=path!("/link") view={Lazy::<Link>::new()}/>
                <Route path=path!("/compose") view={Lazy::<Compose>::new()}/>
                <Route path=path!("/outbox") view={Lazy::<Outbox>::new()}/>
                <Route path=path!("/contacts") view={Lazy::<Contacts>::new()}/>
                <Route path=path!("/") view=|| in_language(|| MailPage().into_any())/>
            </Routes>
        </Router>
    }
}

/// Pages away from the way in (sign-in, then the mailbox): each comes in a
/// part of the bundle of its own, loaded when first visited, so that the
/// first load stays small. (`lazy_route` wants an `impl` per page.)
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                in_language(|| $page().into_any()).into_any()
            }
        }
    )*};
}

lazy_pages!(
    Enrol => EnrolPage,
    Password => PasswordPage,
    Settings => SettingsPage,
    Filters => FiltersPage,
    Admin => AdminPage,
    Audit => AuditPage,
    Compose => ComposePage,
    Message => MessagePage,
    Link => LinkPage,
    Outbox => OutboxPage,
    Contacts => ContactsPage,
);

/// The stylesheet, in the bundle's versioned directory: from the options on
/// the server, from the page itself in the browser.
fn stylesheet_href() -> String {
    #[cfg(feature = "ssr")]
    let dir = use_context::<LeptosOptions>().map(|o| o.site_pkg_dir.to_string());
    #[cfg(not(feature = "ssr"))]
    let dir = document()
        .get_element_by_id("estafette")
        .and_then(|link| link.get_attribute("href"))
        .and_then(|href| {
            href.rsplit_once('/')
                .map(|(dir, _)| dir.trim_start_matches('/').to_owned())
        });
    format!("/{}/estafette.css", dir.unwrap_or_else(|| "pkg".into()))
}

/// A page, rendered anew when the language changes (every component reads
/// its words once, when it is made).
fn in_language(page: fn() -> AnyView) -> impl IntoView {
    let locale = prefs::use_locale();
    move || {
        locale.track();
        page()
    }
}

/// The page's Content-Security-Policy: only our own files, and the inline
/// hydration script by its per-response nonce.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::header::{HeaderValue, CONTENT_SECURITY_POLICY};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}
