//! The signed-in user's preferences as the pages use them. The server renders
//! each page with them (read by the session middleware), writes them into
//! `<html data-prefs>`, and the browser picks them up from there when it
//! hydrates; the settings page changes the signal and every page follows at
//! once, without a reload.

use leptos::prelude::*;

use crate::i18n::Locale;

/// The preferences as a page uses them: the account's choices, with the
/// language always filled in (the browser's until one is chosen).
pub type Prefs = estafette_wire::Choices;

/// What the pages read off the preferences.
pub trait PrefsExt {
    /// The interface's language.
    fn locale(&self) -> Locale;
    /// As carried in `<html data-prefs>`.
    fn to_json(&self) -> String;
}

impl PrefsExt for Prefs {
    fn locale(&self) -> Locale {
        self.language
            .as_deref()
            .and_then(Locale::from_code)
            .unwrap_or(Locale::En)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The account's choices, in `language` when it has not chosen one.
#[cfg(feature = "ssr")]
pub fn of_account(p: &estafette_core::preferences::Preferences, language: &str) -> Prefs {
    let mut prefs = p.choices.clone();
    prefs.language.get_or_insert_with(|| language.to_owned());
    prefs
}

/// The page's preferences: on the server from the request (the signed-in
/// account's, else the defaults in the browser's language), in the browser
/// from `<html data-prefs>`.
fn initial() -> Prefs {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>();
        let language = parts
            .as_ref()
            .and_then(|p| p.headers.get(http::header::ACCEPT_LANGUAGE))
            .and_then(|v| v.to_str().ok())
            .map(Locale::negotiate)
            .unwrap_or(Locale::En)
            .code();
        match parts.as_ref().and_then(|p| {
            p.extensions
                .get::<estafette_core::preferences::Preferences>()
        }) {
            Some(p) => of_account(p, language),
            None => Prefs {
                language: Some(language.to_owned()),
                ..Prefs::default()
            },
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("data-prefs"))
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }
}

/// Puts the preferences (and the language they choose) in context, once.
pub fn provide() -> RwSignal<Prefs> {
    if let Some(prefs) = use_context::<RwSignal<Prefs>>() {
        return prefs;
    }
    let first = initial();
    let locale = RwSignal::new(first.locale());
    let prefs = RwSignal::new(first);
    provide_context(prefs);
    provide_context(locale);
    // The language follows the preferences one turn later, once every
    // effect of the change has run: the pages are then made anew in it
    // (an effect of a page being replaced never runs after its page is gone).
    Effect::new(move |_| {
        let chosen = prefs.with(Prefs::locale);
        if chosen != locale.get_untracked() {
            set_timeout(move || locale.set(chosen), std::time::Duration::ZERO);
        }
    });
    prefs
}

/// The language in force, following the preferences.
pub fn use_locale() -> RwSignal<Locale> {
    use_context::<RwSignal<Locale>>().unwrap_or_else(|| RwSignal::new(Locale::En))
}

/// The preferences in force.
pub fn use_prefs() -> RwSignal<Prefs> {
    use_context::<RwSignal<Prefs>>().unwrap_or_else(|| RwSignal::new(Prefs::default()))
}

/// Keeps `<html>`'s language, theme and density in step with the signal.
pub fn apply_to_document(prefs: RwSignal<Prefs>) {
    Effect::new(move |_| {
        let Some(html) = document().document_element() else {
            return;
        };
        prefs.with(|p| {
            let _ = html.set_attribute("lang", p.locale().code());
            let _ = html.set_attribute("data-theme", p.theme.as_str());
            let _ = html.set_attribute("data-density", p.density.as_str());
        });
    });
}
