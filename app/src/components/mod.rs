mod shortcuts;
mod time;
mod toast;
mod two_factor;

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_texts;

#[cfg(feature = "hydrate")]
pub use shortcuts::shortcut_key;
pub use shortcuts::Shortcuts;
pub use time::LocalTime;
pub use toast::{provide_toaster, use_toaster, Toaster, Toasts};
pub use two_factor::TwoFactorSetup;

/// An error message, announced to screen readers, or nothing.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let t = use_texts();
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e.message(t)}</p> })
    }
}

/// A short confirmation, announced politely.
#[component]
pub fn Notice(#[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    move || {
        text.get()
            .map(|t| view! { <p class="notice" role="status">{t}</p> })
    }
}
