//! Writing a message. The page puts together its pieces: `form` (the
//! fields, read into one `OutgoingForm`), `autosave` and `local` (drafts
//! that lose no word), `uploads`, `editor` (rich text), `signature`,
//! `recipients` (completion) and `templates`.

mod autosave;
mod editor;
mod form;
#[cfg(feature = "hydrate")]
mod local;
mod recipients;
mod signature;
mod templates;
mod uploads;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::mail::{
    compose_limit, identities, open_draft, send_message, start_from, take_back, SendResult,
};
use crate::components::{AppShell, ErrorNote, LocalTime};
use crate::error::AppError;
use crate::i18n::{human_size, use_texts};
use crate::mailto::Link;
use autosave::Autosave;
use editor::{escape_text, RichEditor};
use estafette_wire::Start;
use form::Fields;
use recipients::Suggestions;
use templates::TemplatePicker;
use uploads::{Attached, AttachmentList};

/// A new message: recipients, subject, text and attachments, sent as the
/// signed-in user. Nothing typed is cleared unless the message went out.
#[component]
pub fn ComposePage() -> impl IntoView {
    let t = use_texts();
    let fields = Fields::new(
        crate::prefs::use_prefs()
            .with_untracked(|p| p.compose_format == estafette_wire::ComposeFormat::Rich),
    );
    let Fields {
        to,
        cc,
        bcc,
        subject,
        text,
        html,
        rich,
        files,
        references,
        send_key,
        identity,
    } = fields;
    let next_key = StoredValue::new(0u32);
    let limit = Resource::new(|| (), |_| compose_limit());
    let error = RwSignal::new(None::<AppError>);
    let sent = RwSignal::new(false);
    let sending = RwSignal::new(false);
    // A message waiting in the outbox: its key, when it goes, and whether it
    // is a send later (otherwise the undo delay of a plain send).
    let held = RwSignal::new(None::<(String, i64, bool)>);
    let send_at = RwSignal::new(String::new());
    // Within the undo delay, the form waits with the message.
    let waiting = move || held.with(|h| matches!(h, Some((_, _, false))));
    let clock = RwSignal::new(0i64);
    #[cfg(feature = "hydrate")]
    {
        clock.set((js_sys::Date::now() / 1000.0) as i64);
        if let Ok(handle) = set_interval_with_handle(
            move || clock.set((js_sys::Date::now() / 1000.0) as i64),
            std::time::Duration::from_millis(500),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let new_key = move || {
        #[cfg(feature = "hydrate")]
        send_key.set_value(format!(
            "k{:x}{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e15) as u64
        ));
    };
    Effect::new(move |_| new_key());

    // A reply or forward: `?folder=…&uid=…&start=reply|all|forward`.
    let query = use_query_map();
    /// Where the form starts: a draft, a message answered or forwarded, or nothing.
    #[derive(Clone, PartialEq)]
    enum Origin {
        Draft(String),
        /// `None`: a way to start the address does not know.
        Message(String, u32, Option<Start>),
    }
    let origin = query.with_untracked(|q| {
        if let Some(key) = q.get("draft") {
            return Some(Origin::Draft(key));
        }
        let uid = q.get("uid")?.parse::<u32>().ok()?;
        Some(Origin::Message(
            q.get("folder")?,
            uid,
            q.get("start")
                .map_or(Some(Start::Reply), |s| Start::named(&s)),
        ))
    });
    let is_draft = matches!(origin, Some(Origin::Draft(_)));
    // A new message from a `mailto:` link: its fields, on both sides of
    // the page (the server renders them), and no unsaved copy over them.
    let link = origin
        .is_none()
        .then(|| query.with_untracked(|q| Link::from_query(|name| q.get(name))))
        .flatten();
    let linked = link.is_some();
    if let Some(l) = link {
        fields.fill([l.to, l.cc, l.bcc, l.subject, l.body]);
    }
    // The identity a reopened draft was written as.
    let written_as = StoredValue::new(None::<i64>);
    // Saving starts once the form holds what it starts from.
    let ready = RwSignal::new(origin.is_none());
    // Text the server never got (a lost connection, a closed tab) comes
    // back from the browser's copy: of this draft, or (`any`, on a blank
    // form) of whichever draft was left unsaved.
    let restore_unsaved = move |any: bool| {
        #[cfg(feature = "hydrate")]
        {
            let key = send_key.get_value();
            let copy = if any {
                local::unsaved(None)
            } else {
                local::unsaved(Some(&key))
            };
            if let Some(copy) = copy {
                send_key.set_value(copy.send_key);
                rich.set(!copy.html.is_empty());
                html.set(copy.html);
                fields.fill([copy.to, copy.cc, copy.bcc, copy.subject, copy.text]);
                if !copy.references.is_empty() {
                    references.set_value(copy.references);
                }
            }
        }
        let _ = any;
    };
    let prefill = Resource::new(
        move || origin.clone(),
        |origin| async move {
            match origin {
                Some(Origin::Draft(key)) => open_draft(key).await.map(Some),
                Some(Origin::Message(folder, uid, Some(start))) => {
                    start_from(folder, uid, start).await.map(Some)
                }
                Some(Origin::Message(_, _, None)) => {
                    Err(AppError::Invalid("Unknown way to start a message.".into()))
                }
                None => Ok(None),
            }
        },
    );
    Effect::new(move |_| match prefill.get() {
        Some(Ok(Some(p))) => {
            if !p.key.is_empty() {
                send_key.set_value(p.key);
            }
            if !p.html.is_empty() || is_draft {
                rich.set(!p.html.is_empty());
            }
            html.set(p.html);
            if p.identity != 0 {
                written_as.set_value(Some(p.identity));
            }
            fields.fill([p.to, p.cc, p.bcc, p.subject, p.text]);
            references.set_value(p.references);
            let mut key = next_key.get_value();
            let added: Vec<Attached> = p
                .attachments
                .into_iter()
                .map(|u| {
                    key += 1;
                    Attached::new(key, u.name, u.size as f64, Some(u.id))
                })
                .collect();
            next_key.set_value(key + 1);
            files.update(|f| f.extend(added));
            restore_unsaved(false);
            ready.set(true);
        }
        Some(Err(e)) => {
            error.set(Some(e));
            restore_unsaved(false);
            ready.set(true);
        }
        Some(Ok(None)) if !linked => restore_unsaved(true),
        Some(Ok(None)) => {}
        None => {}
    });

    // Who the message is from, and that identity's signature in the text:
    // added once the form holds what it starts from (a draft has its own),
    // swapped when another identity is chosen.
    let choices = Resource::new(|| (), |_| identities());
    let signature_of = move |id: i64| {
        choices
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|list| list.into_iter().find(|i| i.id == id))
            .map(|i| i.signature)
            .unwrap_or_default()
    };
    let signed = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(Ok(list)) = choices.get() else {
            return;
        };
        if !ready.get() || signed.get_value() {
            return;
        }
        signed.set_value(true);
        let Some(default) = list.iter().find(|i| i.is_default).or(list.first()) else {
            return;
        };
        if let Some(id) = written_as.get_value() {
            identity.set(id);
            return;
        }
        identity.set(default.id);
        if !is_draft {
            text.update(|t| *t = signature::swap(t, "", &default.signature));
        }
    });
    let choose = move |value: String| {
        let Ok(id) = value.parse::<i64>() else {
            return;
        };
        let (old, new) = (signature_of(identity.get_untracked()), signature_of(id));
        identity.set(id);
        text.update(|t| *t = signature::swap(t, &old, &new));
    };

    let autosave = Autosave::start(fields, ready, sent);
    let saved = autosave.saved;

    let add = move |list: Option<leptos::web_sys::FileList>| {
        let Some(list) = list else { return };
        let max = limit
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or(u64::MAX) as f64;
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let a = Attached::new(key, file.name(), file.size(), None);
            let total: f64 = files.with_untracked(|f| {
                f.iter()
                    .filter(|x| x.error.get_untracked().is_none())
                    .map(|x| x.size)
                    .sum()
            });
            files.update(|f| f.push(a));
            if total + file.size() > max {
                a.error
                    .set(Some(t.too_large.replace("{size}", &human_size(max as u64))));
                continue;
            }
            #[cfg(feature = "hydrate")]
            uploads::upload(file, a);
        }
    };
    let remove = move |a: Attached| {
        files.update(|f| f.retain(|x| x.key != a.key));
        if let Some(id) = a.id.get_untracked() {
            uploads::forget(&id);
        }
    };
    // Address completion: the field being typed in, whole.
    let typing = RwSignal::new(String::new());
    let track = move |e: leptos::ev::Event| typing.set(event_target_value(&e));

    // Images pasted into the rich text and still uploading.
    let pasting = RwSignal::new(0u32);
    let uploading = move || {
        pasting.get() > 0
            || files.with(|f| {
                f.iter()
                    .any(|a| a.id.get().is_none() && a.error.get().is_none())
            })
    };
    let clear_form = move || {
        autosave.reset();
        fields.clear();
        new_key();
    };
    // `at`: a send later (Unix time), or 0 for a plain send.
    let submit = move |at: i64| {
        if sending.get_untracked() || uploading() || waiting() {
            return;
        }
        sending.set(true);
        sent.set(false);
        error.set(None);
        let key = send_key.get_value();
        leptos::task::spawn_local(async move {
            let result = send_message(fields.outgoing(), at).await;
            sending.set(false);
            if result.is_ok() {
                autosave.server_has(&key);
            }
            match result {
                Ok(SendResult {
                    held_until: Some(due),
                    ..
                }) if at == 0 => {
                    // Undo is possible until `due`; the form stays as it is.
                    autosave.cancel();
                    held.set(Some((key, due, false)));
                }
                Ok(SendResult { held_until, .. }) => {
                    held.set(held_until.map(|due| (key, due, true)));
                    sent.set(held_until.is_none());
                    clear_form();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let send = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        submit(0);
    };
    let send_later = move |_| {
        let value = send_at.get_untracked();
        #[cfg(feature = "hydrate")]
        {
            // The browser reads the local date and time in the user's zone.
            let ms = js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_str(&value)).get_time();
            if ms.is_finite() {
                submit((ms / 1000.0) as i64);
                return;
            }
        }
        let _ = value;
        error.set(Some(AppError::Invalid(t.choose_time.to_owned())));
    };
    // Said once more as a toast, which stays when the user moves on.
    let toaster = crate::components::use_toaster();
    Effect::new(move |_| {
        if sent.get() {
            toaster.say(t.message_sent);
        }
    });
    // The undo delay over: the message is on its way.
    Effect::new(move |_| {
        if let Some((_, due, false)) = held.get() {
            if clock.get() > due {
                held.set(None);
                sent.set(true);
                clear_form();
            }
        }
    });
    let undo = move |_| {
        let Some((key, _, false)) = held.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match take_back(key.clone()).await {
                Ok(()) => {
                    // The draft holds everything, attachments included.
                    #[cfg(feature = "hydrate")]
                    let _ = window()
                        .location()
                        .assign(&format!("/compose?draft={}", crate::urls::encode(&key)));
                    held.set(None);
                }
                Err(e) => {
                    held.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    view! {
        <Title text=t.compose/>
        <AppShell>
            <main class="compose" id="main">
                <h1>{t.compose}</h1>
                {move || held.get().map(|(_, due, scheduled)| if scheduled {
                    view! {
                        <p class="notice" role="status">
                            {t.scheduled_for}" " <LocalTime unix=due/>" "
                            <a href="/outbox">{t.open_outbox}</a>
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p class="notice held" role="status">
                            {move || format!("{} {} s", t.sending_in, (due - clock.get()).max(0))}" "
                            <button type="button" class="primary" on:click=undo>{t.undo}</button>
                        </p>
                    }.into_any()
                })}
                <ErrorNote error/>
                <p class="muted draft-state" role="status">
                    {move || match saved.get() {
                        Some(Ok(())) => t.draft_saved.to_owned(),
                        Some(Err(e)) => format!("{} {} {}", t.draft_not_saved, e.message(t), t.draft_kept_locally),
                        None => String::new(),
                    }}
                </p>
                <form on:submit=send
                    on:dragover=move |e| e.prevent_default()
                    on:drop=move |e| {
                        e.prevent_default();
                        add(e.data_transfer().and_then(|d| d.files()));
                    }
                >
                    <fieldset class="bare" prop:disabled=waiting>
                    <label>{t.col_from}
                        <select name="identity" on:change=move |e| choose(event_target_value(&e))>
                            <Transition fallback=|| ()>
                                {move || choices.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|i| {
                                    let id = i.id;
                                    view! {
                                        <option value=id.to_string() selected=move || identity.get() == id>{i.label()}</option>
                                    }
                                }).collect_view()}
                            </Transition>
                        </select>
                    </label>
                    <label>{t.to}<input type="text" name="to" list="contacts" autocomplete="off" bind:value=to on:input=track/></label>
                    <label>{t.cc}<input type="text" name="cc" list="contacts" autocomplete="off" bind:value=cc on:input=track/></label>
                    <label>{t.bcc}<input type="text" name="bcc" list="contacts" autocomplete="off" bind:value=bcc on:input=track/></label>
                    <Suggestions typing/>
                    <label>{t.col_subject}<input type="text" name="subject" maxlength="998" bind:value=subject/></label>
                    <label class="format">{t.format}
                        <select name="format" on:change=move |e| {
                            let on = event_target_value(&e) == "rich";
                            if on && !rich.get_untracked() {
                                html.set(escape_text(&text.get_untracked()));
                            }
                            rich.set(on);
                        }>
                            <option value="plain" selected=move || !rich.get()>{t.format_plain}</option>
                            <option value="rich" selected=move || rich.get()>{t.format_rich}</option>
                        </select>
                    </label>
                    <TemplatePicker to text html rich/>
                    {move || if rich.get() {
                        view! { <RichEditor html text pasting error/> }.into_any()
                    } else {
                        view! {
                            <label>{t.message_text}<textarea name="text" rows="14" bind:value=text></textarea></label>
                        }.into_any()
                    }}
                    <div class="attach">
                        <label class="button">
                            {t.attach_files}
                            <input type="file" multiple class="sr-only" on:change=move |e| {
                                use leptos::wasm_bindgen::JsCast;
                                let input = e.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok());
                                add(input.as_ref().and_then(|i| i.files()));
                                if let Some(i) = input {
                                    i.set_value("");
                                }
                            }/>
                        </label>
                        <span class="muted">{t.drop_files}</span>
                    </div>
                    <AttachmentList files remove/>
                    <div class="send-row">
                        <button type="submit" class="primary"
                            disabled=move || sending.get() || uploading() || waiting()>
                            {move || if sending.get() { t.sending } else { t.send }}
                        </button>
                        <label class="send-later">{t.send_later}
                            <input type="datetime-local" name="send_at" bind:value=send_at/>
                        </label>
                        <button type="button" on:click=send_later
                            disabled=move || sending.get() || uploading() || waiting() || send_at.get().is_empty()>
                            {t.schedule}
                        </button>
                    </div>
                    </fieldset>
                </form>
            </main>
        </AppShell>
    }
}
