use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_texts;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_texts();
    view! {
        <Title text=t.not_found/>
        <main class="centered">
            <h1>{t.nothing_here}</h1>
            <p><a href="/">{t.back_to_mail}</a></p>
        </main>
    }
}
