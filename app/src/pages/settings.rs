use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::SignOutEverywhere;
use crate::api::mail::{
    default_identity, identities, remove_identity, save_identity, set_undo_delay, undo_delay,
    IdentityView,
};
use crate::api::security::{
    get_two_factor_status, my_sessions, sign_in_history, DisableTwoFactor, RevokeSession,
};
use crate::components::{ErrorNote, TwoFactorSetup};
use crate::dates::format_time;
use crate::error::AppError;
use crate::i18n::use_texts;
use crate::pages::password::ChangePasswordForm;
use crate::pages::shell::AppShell;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.settings/>
        <AppShell>
            <div class="settings">
                <h1>{t.settings}</h1>
                <ComposingSection/>
                <IdentitiesSection/>
                <section aria-labelledby="security-title">
                    <h2 id="security-title">{t.security}</h2>
                    <TwoFactorSection/>
                    <section aria-labelledby="password-title">
                        <h3 id="password-title">{t.password_heading}</h3>
                        <ChangePasswordForm/>
                    </section>
                    <SessionsSection/>
                    <HistorySection/>
                </section>
            </div>
        </AppShell>
    }
}

/// Composing: how long a sent message waits, open to undo.
#[component]
fn ComposingSection() -> impl IntoView {
    let t = use_texts();
    let delay = Resource::new(|| (), |_| undo_delay());
    let saved = RwSignal::new(None::<Result<(), AppError>>);
    let choose = move |e: leptos::ev::Event| {
        let Ok(seconds) = event_target_value(&e).parse::<u32>() else {
            return;
        };
        leptos::task::spawn_local(async move {
            saved.set(Some(set_undo_delay(seconds).await));
        });
    };
    view! {
        <section aria-labelledby="composing-title">
            <h2 id="composing-title">{t.compose}</h2>
            <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || delay.get().map(|current| {
                    let current = current.unwrap_or(10);
                    view! {
                        <label for="undo-delay">{t.undo_delay}</label>
                        <select id="undo-delay" name="undo_delay" on:change=choose>
                            {[0u32, 5, 10, 20, 30].into_iter().map(|s| {
                                let label = if s == 0 { t.no_delay.to_owned() } else { format!("{s} s") };
                                view! { <option value=s.to_string() selected=s == current>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })}
            </Transition>
            <p class="muted" role="status">
                {move || match saved.get() {
                    Some(Ok(())) => t.saved.to_owned(),
                    Some(Err(e)) => e.message(t),
                    None => String::new(),
                }}
            </p>
        </section>
    }
}

/// Identities: the names and addresses mail is sent as, each with its
/// signature; one is the default.
#[component]
fn IdentitiesSection() -> impl IntoView {
    let t = use_texts();
    let changed = RwSignal::new(0u32);
    let list = Resource::new(move || changed.get(), |_| identities());
    let error = RwSignal::new(None::<AppError>);
    // The form adds (id 0) or edits the identity whose Edit was clicked.
    let (editing, name, email, signature) = (
        RwSignal::new(0i64),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let done = move |result: Result<(), AppError>| {
        error.set(result.err());
        changed.update(|n| *n += 1);
    };
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let (id, n, m, s) = (
            editing.get_untracked(),
            name.get_untracked(),
            email.get_untracked(),
            signature.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let result = save_identity(id, n, m, s).await.map(|_| ());
            if result.is_ok() {
                editing.set(0);
                for field in [name, email, signature] {
                    field.set(String::new());
                }
            }
            done(result);
        });
    };
    let row = move |i: IdentityView| {
        let id = i.id;
        let edit = {
            let i = i.clone();
            move |_| {
                editing.set(i.id);
                name.set(i.name.clone());
                email.set(i.email.clone());
                signature.set(i.signature.clone());
            }
        };
        view! {
            <li class="identity">
                <span>{i.label()}</span>
                {i.is_default.then(|| view! { <span class="muted">" "{t.default_mark}</span> })}
                {(id != 0).then(|| view! {
                    <span class="actions">
                        <button type="button" class="link" on:click=edit>{t.edit}</button>
                        {(!i.is_default).then(|| view! {
                            <button type="button" class="link" on:click=move |_| {
                                leptos::task::spawn_local(async move { done(default_identity(id).await) });
                            }>{t.make_default}</button>
                        })}
                        <button type="button" class="link" on:click=move |_| {
                            leptos::task::spawn_local(async move { done(remove_identity(id).await) });
                        }>{t.delete}</button>
                    </span>
                })}
            </li>
        }
    };
    view! {
        <section aria-labelledby="identities-title">
            <h2 id="identities-title">{t.identities}</h2>
            <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) => view! { <ul class="identities">{items.into_iter().map(row).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Transition>
            <form class="stack" on:submit=save>
                <label for="identity-name">{t.display_name}</label>
                <input id="identity-name" name="name" type="text" maxlength="100" bind:value=name/>
                <label for="identity-email">{t.email}</label>
                <input id="identity-email" name="email" type="email" required bind:value=email/>
                <label for="identity-signature">{t.signature}</label>
                <textarea id="identity-signature" name="signature" rows="4" bind:value=signature></textarea>
                <ErrorNote error/>
                <button type="submit" class="primary">
                    {move || if editing.get() == 0 { t.add_identity } else { t.save_identity }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn TwoFactorSection() -> impl IntoView {
    let t = use_texts();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let status = Resource::new(move || disable.version().get(), |_| get_two_factor_status());
    view! {
        <section aria-labelledby="tfa-title">
            <h3 id="tfa-title">{t.two_factor}</h3>
            <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || status.get().map(|r| match r {
                    Ok(s) if s.enabled => view! {
                        <p role="status">{t.two_factor_on}" "{t.recovery_codes_left.replace("{}", &s.recovery_codes_left.to_string())}</p>
                        {(!s.required).then(|| view! {
                            <ActionForm action=disable attr:class="stack">
                                <label for="off-password">{t.current_password}</label>
                                <input id="off-password" name="password" type="password" autocomplete="current-password" required/>
                                <label for="off-code">{t.authentication_code}</label>
                                <input id="off-code" name="code" type="text" autocomplete="one-time-code" required/>
                                <ErrorNote error=Signal::derive(move || disable.value().get().and_then(Result::err))/>
                                <button type="submit" class="danger">{t.turn_off_two_factor}</button>
                            </ActionForm>
                        })}
                    }.into_any(),
                    Ok(_) => view! {
                        <p>{t.two_factor_off_explained}</p>
                        <TwoFactorSetup done_href="/settings"/>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let t = use_texts();
    let revoke = ServerAction::<RevokeSession>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let sessions = Resource::new(move || revoke.version().get(), |_| my_sessions());
    view! {
        <section aria-labelledby="sessions-title">
            <h3 id="sessions-title">"Active sessions"</h3>
            <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || sessions.get().map(|r| match r {
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Last seen"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <td class="device">{s.device}</td>
                                        <td>{s.address}</td>
                                        <td>{format_time(s.last_seen_at)}</td>
                                        <td>{if s.current {
                                            view! { <span class="badge">"This session"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="handle" value=s.handle/>
                                                    <button type="submit" class="link">"Sign out"</button>
                                                </ActionForm>
                                            }.into_any()
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Suspense>
            <ActionForm action=everywhere>
                <button type="submit">{t.sign_out_everywhere}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn HistorySection() -> impl IntoView {
    let t = use_texts();
    let history = Resource::new(|| (), |_| sign_in_history());
    view! {
        <section aria-labelledby="history-title">
            <h3 id="history-title">"Sign-in history"</h3>
            <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || history.get().map(|r| match r {
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Address"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|h| view! {
                                    <tr><td>{format_time(h.at)}</td><td>{describe(&h.action)}</td><td>{h.address}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

fn describe(action: &str) -> &'static str {
    match action {
        "sign_in" => "Signed in",
        "sign_in_password_ok" => "Password accepted",
        "sign_in_failed" => "Failed sign-in",
        "sign_in_lockout" => "Sign-in locked after failures",
        "sign_in_refused_locked" => "Refused while locked",
        "second_factor_failed" => "Wrong authentication code",
        "second_factor_lockout" => "Code entry locked",
        _ => "Other",
    }
}
