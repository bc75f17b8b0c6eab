use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::TwoFactorSetup;

/// Where the 2FA policy sends an account that has not enrolled yet.
#[component]
pub fn EnrolPage() -> impl IntoView {
    view! {
        <Title text="Set up two-factor sign-in"/>
        <main class="centered">
            <section class="card wide" aria-labelledby="enrol-title">
                <h1 id="enrol-title">"Two-factor authentication"</h1>
                <p>"Your administrator asks every account like yours to use two-factor sign-in. Set it up to reach your mail."</p>
                <TwoFactorSetup done_href="/"/>
                <form method="post" action="/api/sign_out"><button type="submit" class="link">"Sign out"</button></form>
            </section>
        </main>
    }
}
