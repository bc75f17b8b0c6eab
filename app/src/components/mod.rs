use leptos::prelude::*;

use crate::error::AppError;

/// An error message, announced to screen readers, or nothing.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    }
}
