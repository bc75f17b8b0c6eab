use leptos::prelude::*;

use crate::api::security::{ConfirmEnrolment, StartEnrolment};
use crate::components::ErrorNote;

/// Enrolment: the password again, then the QR code and the key, then a first
/// code to turn it on, then the recovery codes, shown once.
#[component]
pub fn TwoFactorSetup(
    /// Where "Continue" goes once the recovery codes are shown.
    #[prop(into)]
    done_href: String,
) -> impl IntoView {
    let start = ServerAction::<StartEnrolment>::new();
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    let enrolment = move || start.value().get().and_then(Result::ok);
    let codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        {move || match (enrolment(), codes()) {
            (_, Some(codes)) => view! {
                <div class="stack">
                    <p role="status"><strong>"Two-factor sign-in is on."</strong></p>
                    <p>"Keep these recovery codes somewhere safe. Each works once, if you lose your phone. They are not shown again."</p>
                    <ul class="recovery-codes" aria-label="Recovery codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <a class="button primary" href=done_href.clone() rel="external">"Continue"</a>
                </div>
            }.into_any(),
            (Some(e), None) => view! {
                <div class="stack">
                    <p>"Scan this code with an authenticator app, or type the key into it."</p>
                    <img class="qr" src=e.qr_data_url alt="QR code for your authenticator app" width="200" height="200"/>
                    <p>"Key: " <code class="totp-key" aria-label="Key">{e.key}</code></p>
                    <ActionForm action=confirm attr:class="stack">
                        <label for="enrol-code">"Authentication code"</label>
                        <input id="enrol-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            maxlength="7" required/>
                        <ErrorNote error=Signal::derive(move || confirm.value().get().and_then(Result::err))/>
                        <button type="submit" class="primary" disabled=confirm.pending()>"Enable"</button>
                    </ActionForm>
                </div>
            }.into_any(),
            (None, None) => view! {
                <ActionForm action=start attr:class="stack">
                    <p>"Confirm your password to set up an authenticator app."</p>
                    <label for="enrol-password">"Current password"</label>
                    <input id="enrol-password" name="password" type="password" autocomplete="current-password" required/>
                    <ErrorNote error=Signal::derive(move || start.value().get().and_then(Result::err))/>
                    <button type="submit" disabled=start.pending()>"Set up two-factor sign-in"</button>
                </ActionForm>
            }.into_any(),
        }}
    }
}
