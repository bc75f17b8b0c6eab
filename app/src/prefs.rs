//! The signed-in user's preferences as the pages use them. The server renders
//! each page with them (read by the session middleware), writes them into
//! `<html data-prefs>`, and the browser picks them up from there when it
//! hydrates; the settings page changes the signal and every page follows at
//! once, without a reload.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    pub language: String,
    pub time_zone: String,
    pub date_format: String,
    pub theme: String,
    pub density: String,
    pub page_size: u32,
    pub reading_pane: bool,
    pub conversations: bool,
    pub remote_content: String,
    pub shortcuts: bool,
    pub compose_format: String,
    pub undo_send_seconds: u32,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            language: "en".into(),
            time_zone: String::new(),
            date_format: "locale".into(),
            theme: "system".into(),
            density: "comfortable".into(),
            page_size: 50,
            reading_pane: true,
            conversations: false,
            remote_content: "ask".into(),
            shortcuts: true,
            compose_format: "plain".into(),
            undo_send_seconds: 10,
        }
    }
}

impl Prefs {
    pub fn locale(&self) -> Locale {
        Locale::from_code(&self.language).unwrap_or(Locale::En)
    }

    /// As carried in `<html data-prefs>`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
impl Prefs {
    pub fn from_core(p: &estafette_core::preferences::Preferences, language: &str) -> Prefs {
        Prefs {
            language: p.language.clone().unwrap_or_else(|| language.to_owned()),
            time_zone: p.time_zone.clone(),
            date_format: p.date_format.clone(),
            theme: p.theme.clone(),
            density: p.density.clone(),
            page_size: p.page_size,
            reading_pane: p.reading_pane,
            conversations: p.conversations,
            remote_content: p.remote_content.clone(),
            shortcuts: p.shortcuts,
            compose_format: p.compose_format.clone(),
            undo_send_seconds: p.undo_send_seconds,
        }
    }

    /// The settings page's choices as the domain keeps them (the trusted
    /// senders are kept by the domain as they are).
    pub fn into_core(self) -> estafette_core::preferences::Preferences {
        estafette_core::preferences::Preferences {
            language: Some(self.language),
            time_zone: self.time_zone,
            date_format: self.date_format,
            theme: self.theme,
            density: self.density,
            page_size: self.page_size,
            reading_pane: self.reading_pane,
            conversations: self.conversations,
            remote_content: self.remote_content,
            shortcuts: self.shortcuts,
            compose_format: self.compose_format,
            trusted_senders: Vec::new(),
            undo_send_seconds: self.undo_send_seconds,
        }
    }
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
            Some(p) => Prefs::from_core(p, language),
            None => Prefs {
                language: language.to_owned(),
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
            let _ = html.set_attribute("data-theme", &p.theme);
            let _ = html.set_attribute("data-density", &p.density);
        });
    });
}
