use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::SignIn;
use crate::components::ErrorNote;

/// The sign-in page. A plain form: it works before (and without) the WASM bundle.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let pending = sign_in.pending();
    let error = move || sign_in.value().get().and_then(Result::err);
    view! {
        <Title text="Sign in"/>
        <main class="centered">
            <section class="card signin" aria-labelledby="signin-title">
                <h1 id="signin-title" class="brand">"Estafette"</h1>
                <ActionForm action=sign_in attr:class="stack">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <ErrorNote error=Signal::derive(error)/>
                    <button type="submit" class="primary" disabled=pending>"Sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}
