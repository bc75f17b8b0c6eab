use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::components::ErrorNote;

/// The password form: current, new, new again.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <ActionForm action=change attr:class="stack">
            <label for="pw-current">"Current password"</label>
            <input id="pw-current" name="current" type="password" autocomplete="current-password" required/>
            <label for="pw-new">"New password"</label>
            <input id="pw-new" name="new" type="password" autocomplete="new-password" minlength="8" required
                aria-describedby="pw-hint"/>
            <p id="pw-hint" class="muted">"At least 8 characters; a few unrelated words make a strong password."</p>
            <label for="pw-confirm">"New password again"</label>
            <input id="pw-confirm" name="confirm" type="password" autocomplete="new-password" required/>
            <ErrorNote error=Signal::derive(move || change.value().get().and_then(Result::err))/>
            <button type="submit" class="primary" disabled=change.pending()>"Change password"</button>
        </ActionForm>
    }
}

/// After an admin set a temporary password: choose your own before going on.
#[component]
pub fn PasswordPage() -> impl IntoView {
    view! {
        <Title text="Choose a new password"/>
        <main class="centered">
            <section class="card" aria-labelledby="pw-title">
                <h1 id="pw-title">"Choose a new password"</h1>
                <p>"Your password was set by an administrator. Choose your own to continue."</p>
                <ChangePasswordForm/>
            </section>
        </main>
    }
}
