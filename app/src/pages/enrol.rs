use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::TwoFactorSetup;
use crate::i18n::use_texts;

/// Where the 2FA policy sends an account that has not enrolled yet.
#[component]
pub fn EnrolPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.enrol_title/>
        <main class="centered">
            <section class="card wide" aria-labelledby="enrol-title">
                <h1 id="enrol-title">{t.two_factor}</h1>
                <p>{t.enrol_required}</p>
                <TwoFactorSetup done_href="/"/>
                <form method="post" action="/api/sign_out"><button type="submit" class="link">{t.sign_out}</button></form>
            </section>
        </main>
    }
}
