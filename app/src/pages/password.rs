use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ChangePasswordForm;
use crate::i18n::use_texts;

/// After an admin set a temporary password: choose your own before going on.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.choose_password_title/>
        <main class="centered">
            <section class="card" aria-labelledby="pw-title">
                <h1 id="pw-title">{t.choose_password_title}</h1>
                <p>{t.choose_password_why}</p>
                <ChangePasswordForm/>
            </section>
        </main>
    }
}
