use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::ErrorNote;
use crate::i18n::use_texts;

/// The password form: current, new, new again.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let t = use_texts();
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <ActionForm action=change attr:class="stack">
            <label for="pw-current">{t.current_password}</label>
            <input id="pw-current" name="current" type="password" autocomplete="current-password" required/>
            <label for="pw-new">{t.new_password}</label>
            <input id="pw-new" name="new" type="password" autocomplete="new-password" minlength="8" required
                aria-describedby="pw-hint"/>
            <p id="pw-hint" class="muted">{t.password_hint}</p>
            <label for="pw-confirm">{t.new_password_again}</label>
            <input id="pw-confirm" name="confirm" type="password" autocomplete="new-password" required/>
            <ErrorNote error=Signal::derive(move || change.value().get().and_then(Result::err))/>
            <button type="submit" class="primary" disabled=change.pending()>{t.change_password}</button>
        </ActionForm>
    }
}
