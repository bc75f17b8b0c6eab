mod app_shell;
mod change_password;
pub mod icons;
pub mod labels;
mod quota;
mod shortcuts;
pub mod threat_banner;
mod time;
mod toast;
mod two_factor;
pub mod unsubscribe;
mod vacation_banner;

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_texts;

pub use app_shell::AppShell;
pub use change_password::ChangePasswordForm;
pub use quota::QuotaMeter;
#[cfg(feature = "hydrate")]
pub use shortcuts::shortcut_key;
pub use shortcuts::Shortcuts;
pub use time::{CompactTime, LocalTime};
pub use toast::{provide_toaster, use_toaster, Toaster, Toasts};
pub use two_factor::TwoFactorSetup;
pub use vacation_banner::VacationBanner;

/// The fields of a submitted form, by name: read when it is sent, so what was
/// typed before the page came alive counts too. For the forms of the way in
/// (sign-in, the code), which post to their server function without the
/// bundle and dispatch it with the bundle.
pub fn form_fields(ev: &leptos::ev::SubmitEvent) -> impl Fn(&str) -> String {
    let data = form_data(ev);
    move |name| {
        data.as_ref()
            .and_then(|d| d.get(name).as_string())
            .unwrap_or_default()
    }
}

/// The query string a submitted GET form would make (`q=…&unread=on`).
pub fn form_query(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    let data = form_data(ev)?;
    let params = leptos::web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    Some(params.to_string().into())
}

/// The fields of the form an event was sent from.
fn form_data(ev: &leptos::ev::SubmitEvent) -> Option<leptos::web_sys::FormData> {
    use leptos::wasm_bindgen::JsCast;
    let form = ev
        .target()?
        .dyn_into::<leptos::web_sys::HtmlFormElement>()
        .ok()?;
    leptos::web_sys::FormData::new_with_form(&form).ok()
}

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
