//! Settings: preferences, identities, templates, security.

mod templates;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::SignOutEverywhere;
use crate::api::mail::{
    default_identity, identities, remove_identity, save_identity, IdentityView,
};
use crate::api::preferences::{distrust_sender, save_preferences, trusted_senders};
use crate::api::security::{
    get_two_factor_status, my_sessions, sign_in_history, DisableTwoFactor, RevokeSession,
};
use crate::components::{
    use_toaster, AppShell, ChangePasswordForm, ErrorNote, LocalTime, TwoFactorSetup,
};
use crate::error::AppError;
use crate::i18n::{use_texts, Locale, Texts};
use crate::prefs::{use_prefs, Prefs, PrefsExt};
use estafette_wire::{ComposeFormat, DateFormat, Density, RemoteContent, Theme};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.settings/>
        <AppShell>
            <main class="settings" id="main">
                <h1>{t.settings}</h1>
                <nav class="section-nav" aria-label=t.settings>
                    <a href="#general-title">{t.general}</a>
                    <a href="#reading-title">{t.reading}</a>
                    <a href="#composing-title">{t.composing}</a>
                    <a href="#identities-title">{t.identities}</a>
                    <a href="#templates-title">{t.templates}</a>
                    <a href="#security-title">{t.security}</a>
                    <a href="/settings/filters">{t.filters_title}</a>
                </nav>
                <GeneralSection/>
                <ReadingSection/>
                <ComposingSection/>
                <IdentitiesSection/>
                <templates::TemplatesSection/>
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
            </main>
        </AppShell>
    }
}

/// Saves a change to the preferences; the page follows once the server has
/// kept it (a refused value changes nothing and says why).
fn change(edit: impl FnOnce(&mut Prefs) + 'static) {
    let prefs = use_prefs();
    let toaster = use_toaster();
    let mut next = prefs.get_untracked();
    edit(&mut next);
    leptos::task::spawn_local(async move {
        match save_preferences(next).await {
            Ok(saved) => {
                // Said in the language just chosen.
                toaster.say(saved.locale().texts().saved);
                prefs.set(saved);
            }
            Err(e) => toaster.error(&e),
        }
    });
}

/// A labelled choice among `options` (value, label) for one preference.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: Signal<String>,
    set: fn(&mut Prefs, String),
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |e| {
                let value = event_target_value(&e);
                change(move |p| set(p, value));
            }>
                {options.into_iter().map(|(value, text)| {
                    let v = value.clone();
                    view! { <option value=value selected=move || current.get() == v>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A labelled on/off preference.
#[component]
fn Toggle(
    id: &'static str,
    label: &'static str,
    current: Signal<bool>,
    set: fn(&mut Prefs, bool),
) -> impl IntoView {
    view! {
        <div class="field check">
            <input type="checkbox" id=id prop:checked=move || current.get() on:change=move |e| {
                let on = event_target_checked(&e);
                change(move |p| set(p, on));
            }/>
            <label for=id>{label}</label>
        </div>
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

/// The time zones the browser knows, once the page is live (the server
/// renders only the current choice).
fn time_zones() -> RwSignal<Vec<String>> {
    let zones = RwSignal::new(Vec::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        let Ok(intl) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")) else {
            return;
        };
        let list = js_sys::Reflect::get(&intl, &JsValue::from_str("supportedValuesOf"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call1(&intl, &JsValue::from_str("timeZone")).ok())
            .map(|a| {
                js_sys::Array::from(&a)
                    .iter()
                    .filter_map(|z| z.as_string())
                    .collect()
            })
            .unwrap_or_default();
        zones.set(list);
    });
    zones
}

/// General: language, look, the list, dates, the keyboard.
#[component]
fn GeneralSection() -> impl IntoView {
    let t = use_texts();
    let prefs = use_prefs();
    let get = move |f: fn(&Prefs) -> String| Signal::derive(move || prefs.with(f));
    let zones = time_zones();
    let zone_options = move || {
        let current = prefs.with(|p| p.time_zone.clone());
        let mut list = vec![(String::new(), t.browser_time_zone.to_owned())];
        let mut known = zones.get();
        if !current.is_empty() && !known.contains(&current) {
            known.insert(0, current.clone());
        }
        list.extend(known.into_iter().map(|z| (z.clone(), z.replace('_', " "))));
        list.into_iter()
            .map(move |(value, text)| {
                let selected = value == current;
                view! { <option value=value selected=selected>{text}</option> }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="general-title">
            <h2 id="general-title">{t.general}</h2>
            <div class="fields">
                <Choice id="pref-language" label=t.language
                    options=Locale::ALL.iter().map(|l| (l.code().to_owned(), l.texts().language_name.to_owned())).collect()
                    current=get(|p| p.language.clone().unwrap_or_default()) set=|p, v| p.language = Some(v)/>
                <Choice id="pref-theme" label=t.theme
                    options=pairs(&[(Theme::System.as_str(), t.theme_system), (Theme::Light.as_str(), t.theme_light), (Theme::Dark.as_str(), t.theme_dark)])
                    current=get(|p| p.theme.as_str().to_owned()) set=|p, v| p.theme = Theme::named(&v).unwrap_or_default()/>
                <Choice id="pref-density" label=t.density
                    options=pairs(&[(Density::Comfortable.as_str(), t.density_comfortable), (Density::Compact.as_str(), t.density_compact)])
                    current=get(|p| p.density.as_str().to_owned()) set=|p, v| p.density = Density::named(&v).unwrap_or_default()/>
                <Choice id="pref-page-size" label=t.page_size
                    options=estafette_wire::PAGE_SIZES.iter().map(|n| (n.to_string(), n.to_string())).collect()
                    current=get(|p| p.page_size.to_string()) set=|p, v| p.page_size = v.parse().unwrap_or(Prefs::default().page_size)/>
                <Choice id="pref-date-format" label=t.date_format
                    options=pairs(&[(DateFormat::Locale.as_str(), t.date_format_locale), (DateFormat::Iso.as_str(), t.date_format_iso)])
                    current=get(|p| p.date_format.as_str().to_owned()) set=|p, v| p.date_format = DateFormat::named(&v).unwrap_or_default()/>
                <div class="field">
                    <label for="pref-time-zone">{t.time_zone}</label>
                    <select id="pref-time-zone" on:change=move |e| {
                        let zone = event_target_value(&e);
                        change(move |p| p.time_zone = zone);
                    }>{zone_options}</select>
                </div>
                <Toggle id="pref-shortcuts" label=t.keyboard_shortcuts
                    current=Signal::derive(move || prefs.with(|p| p.shortcuts)) set=|p, on| p.shortcuts = on/>
            </div>
        </section>
    }
}

/// Reading: the reading pane, conversations, remote content.
#[component]
fn ReadingSection() -> impl IntoView {
    let t = use_texts();
    let prefs = use_prefs();
    let toaster = use_toaster();
    let changed = RwSignal::new(0u32);
    let trusted = Resource::new(move || changed.get(), |_| trusted_senders());
    view! {
        <section aria-labelledby="reading-title">
            <h2 id="reading-title">{t.reading}</h2>
            <div class="fields">
                <Toggle id="pref-reading-pane" label=t.reading_pane_on
                    current=Signal::derive(move || prefs.with(|p| p.reading_pane)) set=|p, on| p.reading_pane = on/>
                <Toggle id="pref-conversations" label=t.conversation_view
                    current=Signal::derive(move || prefs.with(|p| p.conversations)) set=|p, on| p.conversations = on/>
                <Choice id="pref-remote" label=t.remote_content
                    options=pairs(&[(RemoteContent::Ask.as_str(), t.remote_ask), (RemoteContent::Always.as_str(), t.remote_always)])
                    current=Signal::derive(move || prefs.with(|p| p.remote_content.as_str().to_owned()))
                    set=|p, v| p.remote_content = RemoteContent::named(&v).unwrap_or_default()/>
            </div>
            <h3 id="trusted-title">{t.trusted_senders}</h3>
            <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || trusted.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{t.no_trusted_senders}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="trusted" aria-labelledby="trusted-title">
                            {list.into_iter().map(|address| {
                                let who = address.clone();
                                view! {
                                    <li>
                                        <span>{address.clone()}</span>" "
                                        <button type="button" class="link" aria-label=t.stop_trusting.replace("{address}", &address)
                                            on:click=move |_| {
                                                let who = who.clone();
                                                leptos::task::spawn_local(async move {
                                                    if let Err(e) = distrust_sender(who).await {
                                                        toaster.error(&e);
                                                    }
                                                    changed.update(|n| *n += 1);
                                                });
                                            }>{t.remove}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Composing: how long a sent message waits, open to undo.
#[component]
fn ComposingSection() -> impl IntoView {
    let t = use_texts();
    let prefs = use_prefs();
    let options = [0u32, 5, 10, 20, 30]
        .into_iter()
        .map(|s| {
            let label = if s == 0 {
                t.no_delay.to_owned()
            } else {
                format!("{s} s")
            };
            (s.to_string(), label)
        })
        .collect();
    view! {
        <section aria-labelledby="composing-title">
            <h2 id="composing-title">{t.composing}</h2>
            <div class="fields">
                <Choice id="undo-delay" label=t.undo_delay options
                    current=Signal::derive(move || prefs.with(|p| p.undo_send_seconds.to_string()))
                    set=|p, v| p.undo_send_seconds = v.parse().unwrap_or(10)/>
                <Choice id="pref-compose-format" label=t.compose_format
                    options=pairs(&[(ComposeFormat::Plain.as_str(), t.format_plain), (ComposeFormat::Rich.as_str(), t.format_rich)])
                    current=Signal::derive(move || prefs.with(|p| p.compose_format.as_str().to_owned()))
                    set=|p, v| p.compose_format = ComposeFormat::named(&v).unwrap_or_default()/>
            </div>
            <MailtoHandler/>
        </section>
    }
}

/// Makes Estafette the browser's handler of `mailto:` links: the browser
/// then opens `/compose?to=<the link>`, which reads the whole link.
#[component]
fn MailtoHandler() -> impl IntoView {
    let t = use_texts();
    let said = RwSignal::new(None::<&'static str>);
    let register = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let window = window();
            let origin = window.location().origin().unwrap_or_default();
            let url = format!("{origin}/compose?to=%s");
            said.set(Some(
                match window
                    .navigator()
                    .register_protocol_handler("mailto", &url, "Estafette")
                {
                    Ok(()) => t.mailto_asked,
                    Err(_) => t.mailto_refused,
                },
            ));
        }
    };
    view! {
        <div class="fields">
            <p class="muted">{t.mailto_explained}</p>
            <p>
                <button type="button" on:click=register>{t.mailto_register}</button>
                {move || said.get().map(|s| view! { <span class="muted" role="status">" "{s}</span> })}
            </p>
        </div>
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
                        <p role="status">{t.two_factor_on}" "{t.recovery_codes_left.replace("{count}", &s.recovery_codes_left.to_string())}</p>
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
            <h3 id="sessions-title">{t.active_sessions}</h3>
            <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || sessions.get().map(|r| match r {
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">{t.device}</th><th scope="col">{t.ip_address}</th><th scope="col">{t.last_seen}</th><th scope="col"><span class="sr-only">{t.actions}</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <td class="device">{s.device}</td>
                                        <td>{s.address}</td>
                                        <td><LocalTime unix=s.last_seen_at/></td>
                                        <td>{if s.current {
                                            view! { <span class="badge">{t.this_session}</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="handle" value=s.handle/>
                                                    <button type="submit" class="link">{t.sign_out}</button>
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
            <h3 id="history-title">{t.sign_in_history}</h3>
            <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || history.get().map(|r| match r {
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">{t.when}</th><th scope="col">{t.what}</th><th scope="col">{t.ip_address}</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|h| view! {
                                    <tr><td><LocalTime unix=h.at/></td><td>{describe(&h.action, t)}</td><td>{h.address}</td></tr>
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

fn describe(action: &str, t: &'static Texts) -> &'static str {
    match action {
        "sign_in" => t.event_signed_in,
        "sign_in_password_ok" => t.event_password_ok,
        "sign_in_failed" => t.event_failed,
        "sign_in_lockout" => t.event_lockout,
        "sign_in_refused_locked" => t.event_refused_locked,
        "second_factor_failed" => t.event_wrong_code,
        "second_factor_lockout" => t.event_code_lockout,
        _ => t.event_other,
    }
}
