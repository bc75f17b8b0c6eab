use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::auth::{SignIn, VerifyCode};
use crate::components::{form_fields, ErrorNote};
use crate::i18n::use_texts;

/// The sign-in page. A plain form: it works before (and without) the WASM
/// bundle. (Not `ActionForm`: its reading of the form into the call would
/// weigh on the way in; `form_fields` is all these forms need.)
#[component]
pub fn SignInPage() -> impl IntoView {
    let t = use_texts();
    let sign_in = ServerAction::<SignIn>::new();
    let error = move || sign_in.value().get().and_then(Result::err);
    view! {
        <Title text=t.sign_in_title/>
        <main class="centered">
            <section class="card signin" aria-labelledby="signin-title">
                <h1 id="signin-title" class="brand">"Estafette"</h1>
                <form method="post" action=SignIn::url() class="stack" on:submit=move |ev| {
                    ev.prevent_default();
                    let field = form_fields(&ev);
                    sign_in.dispatch(SignIn { email: field("email"), password: field("password") });
                }>
                    <label for="email">{t.email}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                    <label for="password">{t.password}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <ErrorNote error=Signal::derive(error)/>
                    <button type="submit" class="primary" disabled=sign_in.pending()>{t.sign_in}</button>
                </form>
            </section>
        </main>
    }
}

/// The second step of sign-in: a code from the app, or a recovery code.
#[component]
pub fn CodePage() -> impl IntoView {
    let t = use_texts();
    let verify = ServerAction::<VerifyCode>::new();
    let error = move || verify.value().get().and_then(Result::err);
    let recovery = RwSignal::new(false);
    view! {
        <Title text=t.code_title/>
        <main class="centered">
            <section class="card signin" aria-labelledby="code-title">
                <h1 id="code-title" class="brand">"Estafette"</h1>
                <form method="post" action=VerifyCode::url() class="stack" on:submit=move |ev| {
                    ev.prevent_default();
                    verify.dispatch(VerifyCode { code: form_fields(&ev)("code") });
                }>
                    {move || if recovery.get() {
                        view! {
                            <label for="code">{t.recovery_code}</label>
                            <input id="code" name="code" type="text" autocomplete="off" required autofocus
                                spellcheck="false" placeholder="xxxx-xxxx-xxxx"/>
                        }.into_any()
                    } else {
                        view! {
                            <p class="muted">{t.code_hint}</p>
                            <label for="code">{t.authentication_code}</label>
                            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                                pattern="[0-9 ]*" maxlength="7" required autofocus/>
                        }.into_any()
                    }}
                    <ErrorNote error=Signal::derive(error)/>
                    <button type="submit" class="primary" disabled=verify.pending()>{t.verify}</button>
                </form>
                <p>
                    <a href="#recovery" on:click=move |ev| { ev.prevent_default(); recovery.update(|r| *r = !*r); }>
                        {move || if recovery.get() { t.use_authenticator } else { t.use_recovery_code }}
                    </a>
                </p>
                <p><a href="/login">{t.start_again}</a></p>
            </section>
        </main>
    }
}
