use leptos::prelude::*;

use crate::api::security::{ConfirmEnrolment, StartEnrolment};
use crate::components::ErrorNote;
use crate::i18n::use_texts;

/// Enrolment: the password again, then the QR code and the key, then a first
/// code to turn it on, then the recovery codes, shown once.
#[component]
pub fn TwoFactorSetup(
    /// Where "Continue" goes once the recovery codes are shown.
    #[prop(into)]
    done_href: String,
) -> impl IntoView {
    let t = use_texts();
    let start = ServerAction::<StartEnrolment>::new();
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    let enrolment = move || start.value().get().and_then(Result::ok);
    let codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        {move || match (enrolment(), codes()) {
            (_, Some(codes)) => view! {
                <div class="stack">
                    <p role="status"><strong>{t.two_factor_now_on}</strong></p>
                    <p>{t.keep_recovery_codes}</p>
                    <ul class="recovery-codes" aria-label=t.recovery_codes>
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <a class="button primary" href=done_href.clone() rel="external">{t.continue_}</a>
                </div>
            }.into_any(),
            (Some(e), None) => view! {
                <div class="stack">
                    <p>{t.scan_or_type_key}</p>
                    <img class="qr" src=e.qr_data_url alt=t.qr_alt width="200" height="200"/>
                    <p>{t.key}": " <code class="totp-key">{e.key}</code></p>
                    <ActionForm action=confirm attr:class="stack">
                        <label for="enrol-code">{t.authentication_code}</label>
                        <input id="enrol-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            maxlength="7" required/>
                        <ErrorNote error=Signal::derive(move || confirm.value().get().and_then(Result::err))/>
                        <button type="submit" class="primary" disabled=confirm.pending()>{t.enable}</button>
                    </ActionForm>
                </div>
            }.into_any(),
            (None, None) => view! {
                <ActionForm action=start attr:class="stack">
                    <p>{t.confirm_password_to_set_up}</p>
                    <label for="enrol-password">{t.current_password}</label>
                    <input id="enrol-password" name="password" type="password" autocomplete="current-password" required/>
                    <ErrorNote error=Signal::derive(move || start.value().get().and_then(Result::err))/>
                    <button type="submit" disabled=start.pending()>{t.set_up_two_factor}</button>
                </ActionForm>
            }.into_any(),
        }}
    }
}
