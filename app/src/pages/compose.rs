use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::Deserialize;

use crate::api::mail::{
    compose_limit, identities, open_draft, save_draft, send_message, start_from, suggest_addresses,
    take_back, OutgoingForm, SendResult,
};
use crate::components::{ErrorNote, LocalTime};
use crate::error::AppError;
use crate::i18n::{human_size, use_texts};
use crate::mailto::Link;
use crate::pages::shell::AppShell;

/// An attachment of the form: uploading, uploaded (with the server's id) or refused.
#[derive(Debug, Clone, Copy)]
struct Attached {
    key: u32,
    name: StoredValue<String>,
    size: f64,
    /// 0.0 to 1.0.
    progress: RwSignal<f64>,
    id: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
}

/// What `POST /upload` answers.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Uploaded {
    id: String,
}

/// Sends one file to `/upload`: `progress` from 0.0 to 1.0 as it goes, then
/// `done` with the upload's id, or why it was not taken.
#[cfg(feature = "hydrate")]
fn send_file(
    file: &leptos::web_sys::File,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{ProgressEvent, XmlHttpRequest};

    let Ok(xhr) = XmlHttpRequest::new() else {
        return done(Err("This browser cannot upload files.".into()));
    };
    if xhr
        .open(
            "POST",
            &crate::urls::new_upload(&file.name(), &file.type_()),
        )
        .is_err()
    {
        return done(Err("The upload could not start.".into()));
    }
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress(e.loaded() / e.total());
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let finished = {
        let (xhr, done) = (xhr.clone(), done.clone());
        Closure::<dyn FnMut()>::new(move || {
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            let outcome = match xhr.status().unwrap_or(0) {
                201 => serde_json::from_str::<Uploaded>(&text)
                    .map(|u| u.id)
                    .map_err(|_| "The server's answer was not understood.".to_owned()),
                0 => Err("The server could not be reached.".to_owned()),
                _ => Err(text),
            };
            if let Some(done) = done.take() {
                done(outcome);
            }
        })
    };
    xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        if let Some(done) = done.take() {
            done(Err("The upload could not start.".into()));
        }
    }
    // The browser calls them later; they live as long as the page.
    progress.forget();
    finished.forget();
}

/// Sends an attachment of the form, its progress bar following.
#[cfg(feature = "hydrate")]
fn upload(file: leptos::web_sys::File, a: Attached) {
    send_file(
        &file,
        move |p| a.progress.set(p),
        move |outcome| match outcome {
            Ok(id) => {
                a.progress.set(1.0);
                a.id.set(Some(id));
            }
            Err(why) => a.error.set(Some(why)),
        },
    );
}

/// A new message: recipients, subject, text and attachments, sent as the
/// signed-in user. Nothing typed is cleared unless the message went out.
#[component]
pub fn ComposePage() -> impl IntoView {
    let t = use_texts();
    let (to, cc, bcc, subject, text) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    // Rich text: the editor's HTML beside the plain `text` (its innerText).
    let html = RwSignal::new(String::new());
    let rich =
        RwSignal::new(crate::prefs::use_prefs().with_untracked(|p| p.compose_format == "rich"));
    let files = RwSignal::new(Vec::<Attached>::new());
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
    // One key per message, so that a second click or a retry never sends twice.
    let send_key = StoredValue::new(String::new());
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
    let references = StoredValue::new(String::new());
    /// Where the form starts: a draft, a message answered or forwarded, or nothing.
    #[derive(Clone, PartialEq)]
    enum Origin {
        Draft(String),
        Message(String, u32, String),
    }
    let origin = query.with_untracked(|q| {
        if let Some(key) = q.get("draft") {
            return Some(Origin::Draft(key));
        }
        let uid = q.get("uid")?.parse::<u32>().ok()?;
        Some(Origin::Message(
            q.get("folder")?,
            uid,
            q.get("start").unwrap_or_else(|| "reply".into()),
        ))
    });
    let is_draft = matches!(origin, Some(Origin::Draft(_)));
    // To, Cc, Bcc, Subject and the text, as a draft or a copy holds them.
    let fill = move |values: [String; 5]| {
        for (field, value) in [to, cc, bcc, subject, text].into_iter().zip(values) {
            field.set(value);
        }
    };
    // A new message from a `mailto:` link: its fields, on both sides of
    // the page (the server renders them), and no unsaved copy over them.
    let link = origin
        .is_none()
        .then(|| query.with_untracked(|q| Link::from_query(|name| q.get(name))))
        .flatten();
    let linked = link.is_some();
    if let Some(l) = link {
        fill([l.to, l.cc, l.bcc, l.subject, l.body]);
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
                fill([copy.to, copy.cc, copy.bcc, copy.subject, copy.text]);
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
                Some(Origin::Message(folder, uid, start)) => {
                    start_from(folder, uid, start).await.map(Some)
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
            fill([p.to, p.cc, p.bcc, p.subject, p.text]);
            references.set_value(p.references);
            let mut key = next_key.get_value();
            let added: Vec<Attached> = p
                .attachments
                .into_iter()
                .map(|u| {
                    key += 1;
                    Attached {
                        key,
                        name: StoredValue::new(u.name),
                        size: u.size as f64,
                        progress: RwSignal::new(1.0),
                        id: RwSignal::new(Some(u.id)),
                        error: RwSignal::new(None),
                    }
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
    let identity = RwSignal::new(0i64);
    let choices = Resource::new(|| (), |_| identities());
    let block = |signature: &str| {
        if signature.is_empty() {
            String::new()
        } else {
            format!("\n\n-- \n{signature}")
        }
    };
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
        let added = block(&default.signature);
        if !is_draft && !added.is_empty() && !text.with_untracked(|t| t.contains(&added)) {
            text.update(|t| t.insert_str(0, &added));
        }
    });
    let choose = move |value: String| {
        let Ok(id) = value.parse::<i64>() else {
            return;
        };
        let (old, new) = (
            block(&signature_of(identity.get_untracked())),
            block(&signature_of(id)),
        );
        identity.set(id);
        text.update(|t| {
            if !old.is_empty() && t.contains(&old) {
                *t = t.replacen(&old, &new, 1);
            } else if !new.is_empty() && !t.contains(&new) {
                t.insert_str(0, &new);
            }
        });
    };

    // Saved to Drafts two seconds after typing stops; the address then names
    // the draft, so that a reload brings everything back.
    let saved = RwSignal::new(None::<Result<(), AppError>>);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let form_now = move || OutgoingForm {
        to: to.get_untracked(),
        cc: cc.get_untracked(),
        bcc: bcc.get_untracked(),
        subject: subject.get_untracked(),
        text: text.get_untracked(),
        html: if rich.get_untracked() {
            html.get_untracked()
        } else {
            String::new()
        },
        attachments: files
            .with_untracked(|f| {
                f.iter()
                    .filter_map(|a| a.id.get_untracked())
                    .collect::<Vec<_>>()
            })
            .join(","),
        references: references.get_value(),
        send_key: send_key.get_value(),
        identity: identity.get_untracked(),
    };
    // Set while what is typed is not yet on the server.
    let unsaved = StoredValue::new(false);
    let save_now = StoredValue::new(move || {
        let form = form_now();
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            let (key, sent_form) = (form.send_key.clone(), form.clone());
            let result = save_draft(form).await;
            #[cfg(feature = "hydrate")]
            if result.is_ok() && form_now() == sent_form {
                unsaved.set_value(false);
                local::forget(&key);
            }
            // The address names the draft (without a new page: what is
            // being typed stays as it is).
            #[cfg(feature = "hydrate")]
            if result.is_ok() {
                if let Ok(history) = window().history() {
                    let here = format!("/compose?draft={key}");
                    let _ = history.replace_state_with_url(
                        &leptos::wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&here),
                    );
                }
            }
            saved.set(Some(result));
        });
    });
    // Not saved: the browser keeps the text; try again shortly.
    Effect::new(move |_| {
        if matches!(saved.get(), Some(Err(_))) && pending.get_value().is_none() {
            let retry = set_timeout_with_handle(
                move || {
                    pending.set_value(None);
                    if unsaved.get_value() {
                        save_now.with_value(|save| save());
                    }
                },
                std::time::Duration::from_secs(5),
            )
            .ok();
            pending.set_value(retry);
        }
    });
    Effect::new(move |_| {
        // Every field the draft holds is tracked here.
        // All read (no short-circuit), so that all are tracked.
        let empty = [to, cc, bcc, subject, text]
            .map(|field| field.with(String::is_empty))
            .iter()
            .all(|e| *e);
        html.track();
        rich.track();
        let ids: Vec<Option<String>> = files.with(|f| f.iter().map(|a| a.id.get()).collect());
        if !ready.get() || sent.get_untracked() || (empty && ids.is_empty()) {
            return;
        }
        unsaved.set_value(true);
        #[cfg(feature = "hydrate")]
        local::keep(&form_now());
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                pending.set_value(None);
                save_now.with_value(|save| save());
            },
            std::time::Duration::from_secs(2),
        )
        .ok();
        pending.set_value(handle);
    });
    // Leaving with unsaved text: the server gets it on the way out.
    #[cfg(feature = "hydrate")]
    {
        let leave = window_event_listener(leptos::ev::pagehide, move |_| {
            if unsaved.get_value() {
                local::send_on_leave(&form_now());
            }
        });
        on_cleanup(move || leave.remove());
    }

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
            let a = Attached {
                key,
                name: StoredValue::new(file.name()),
                size: file.size(),
                progress: RwSignal::new(0.0),
                id: RwSignal::new(None),
                error: RwSignal::new(None),
            };
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
            upload(file, a);
        }
    };
    let remove = move |a: Attached| {
        files.update(|f| f.retain(|x| x.key != a.key));
        if let Some(id) = a.id.get_untracked() {
            #[cfg(feature = "hydrate")]
            if let Ok(xhr) = leptos::web_sys::XmlHttpRequest::new() {
                if xhr.open("DELETE", &crate::urls::upload(&id)).is_ok() {
                    let _ = xhr.send();
                }
            }
            let _ = id;
        }
    };
    // Address completion: the field being typed in, whole; suggestions
    // complete its last address and keep the ones before it.
    let typing = RwSignal::new(String::new());
    let split = |value: &str| -> (String, String) {
        match value.rfind(',') {
            Some(i) => (
                format!("{}, ", value[..i].trim_end()),
                value[i + 1..].trim().to_owned(),
            ),
            None => (String::new(), value.trim().to_owned()),
        }
    };
    let suggestions = Resource::new(
        move || split(&typing.get()).1,
        |last| async move {
            if last.chars().count() < 2 {
                return Vec::new();
            }
            suggest_addresses(last).await.unwrap_or_default()
        },
    );
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
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        saved.set(None);
        #[cfg(feature = "hydrate")]
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &leptos::wasm_bindgen::JsValue::NULL,
                "",
                Some("/compose"),
            );
        }
        for s in [to, cc, bcc, subject, text, html] {
            s.set(String::new());
        }
        files.set(Vec::new());
        references.set_value(String::new());
        new_key();
    };
    // `at`: a send later (Unix time), or 0 for a plain send.
    let submit = move |at: i64| {
        if sending.get_untracked() || uploading() || waiting() {
            return;
        }
        let ids: Vec<String> =
            files.with_untracked(|f| f.iter().filter_map(|a| a.id.get_untracked()).collect());
        sending.set(true);
        sent.set(false);
        error.set(None);
        let key = send_key.get_value();
        leptos::task::spawn_local(async move {
            let result = send_message(
                OutgoingForm {
                    to: to.get_untracked(),
                    cc: cc.get_untracked(),
                    bcc: bcc.get_untracked(),
                    subject: subject.get_untracked(),
                    text: text.get_untracked(),
                    html: if rich.get_untracked() {
                        html.get_untracked()
                    } else {
                        String::new()
                    },
                    attachments: ids.join(","),
                    references: references.get_value(),
                    send_key: key.clone(),
                    identity: identity.get_untracked(),
                },
                at,
            )
            .await;
            sending.set(false);
            if result.is_ok() {
                // The server has it (sent, or held with its draft saved).
                unsaved.set_value(false);
                #[cfg(feature = "hydrate")]
                local::forget(&key);
            }
            match result {
                Ok(SendResult {
                    held_until: Some(due),
                    ..
                }) if at == 0 => {
                    // Undo is possible until `due`; the form stays as it is.
                    if let Some(h) = pending.get_value() {
                        h.clear();
                    }
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
                    <datalist id="contacts">
                        <Transition fallback=|| ()>
                            {move || {
                                let head = split(&typing.get()).0;
                                suggestions.get().unwrap_or_default().into_iter().map(|s| {
                                    let value = format!("{head}{}", s.value);
                                    let label = (!s.label.is_empty()).then(|| format!("{}: {}", t.contacts_group, s.label));
                                    view! { <option value=value label=label></option> }
                                }).collect_view()
                            }}
                        </Transition>
                    </datalist>
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
                    <crate::pages::templates::TemplatePicker to text html rich/>
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
                    <ul class="uploads" aria-label=t.attachments>
                        <For each=move || files.get() key=|a| a.key let:a>
                            <li class="upload" class:failed=move || a.error.get().is_some()>
                                <span class="name">{a.name.get_value()}</span>
                                <span class="muted">{format!(" {}", human_size(a.size as u64))}</span>
                                <progress max="1" prop:value=move || a.progress.get()
                                    aria-label=format!("{} {}", t.uploading, a.name.get_value())></progress>
                                {move || a.error.get().map(|e| view! { <span class="error" role="alert">{crate::i18n::translate(&e, t)}</span> })}
                                <button type="button" class="link" on:click=move |_| remove(a)>{t.remove}</button>
                            </li>
                        </For>
                    </ul>
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

/// The form as typed, kept in the browser until the server has it, so that
/// a lost connection or a closed tab loses no word. A copy lives only while
/// it is unsaved: it is removed once the server holds the same text.
#[cfg(feature = "hydrate")]
mod local {
    use super::OutgoingForm;

    const PREFIX: &str = "estafette.draft.";

    fn storage() -> Option<leptos::web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    pub fn keep(form: &OutgoingForm) {
        if form.send_key.is_empty() {
            return;
        }
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(form)) {
            let _ = storage.set_item(&format!("{PREFIX}{}", form.send_key), &json);
        }
    }

    pub fn forget(key: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&format!("{PREFIX}{key}"));
        }
    }

    /// The unsaved copy of draft `key`, or (without a key) of any draft.
    pub fn unsaved(key: Option<&str>) -> Option<OutgoingForm> {
        let storage = storage()?;
        let item = |name: &str| {
            storage
                .get_item(name)
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str::<OutgoingForm>(&json).ok())
        };
        if let Some(key) = key {
            return item(&format!("{PREFIX}{key}"));
        }
        (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|name| name.starts_with(PREFIX))
            .find_map(|name| item(&name))
    }

    /// Hands the form to the server as the page goes away (the request
    /// outlives the page).
    pub fn send_on_leave(form: &OutgoingForm) {
        let Ok(params) = leptos::web_sys::UrlSearchParams::new() else {
            return;
        };
        for (name, value) in [
            ("to", &form.to),
            ("cc", &form.cc),
            ("bcc", &form.bcc),
            ("subject", &form.subject),
            ("text", &form.text),
            ("html", &form.html),
            ("attachments", &form.attachments),
            ("references", &form.references),
            ("send_key", &form.send_key),
            ("identity", &form.identity.to_string()),
        ] {
            params.append(&format!("message[{name}]"), value);
        }
        let _ = leptos::prelude::window()
            .navigator()
            .send_beacon_with_opt_url_search_params("/api/save-draft", Some(&params));
    }
}

/// Plain text as the editor's first HTML: escaped, one line a line.
pub(crate) fn escape_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The rich-text editor: bold, italic, lists, quotes and links on an editable
/// area, and images pasted in (uploaded, shown from the upload, sent as
/// `cid:` parts). `html` is what it holds (the server cleans it again before
/// it goes anywhere); `text` the same words as plain text, sent beside it;
/// `pasting` counts images still uploading; `error` says why one was not.
#[component]
fn RichEditor(
    html: RwSignal<String>,
    text: RwSignal<String>,
    pasting: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let area = NodeRef::<leptos::html::Div>::new();
    // What the editor holds, read back into the form.
    let read = move || {
        if let Some(el) = area.get_untracked() {
            html.set(el.inner_html());
            text.set(el.inner_text());
        }
    };
    // Filled from the form once (and when a draft or a copy refills it), not
    // on each keystroke, so that the caret stays where it is.
    Effect::new(move |_| {
        let wanted = html.get();
        if let Some(el) = area.get() {
            if el.inner_html() != wanted {
                el.set_inner_html(&wanted);
            }
        }
    });
    let command = move |name: &'static str, value: Option<String>| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::{JsCast, JsValue};
            if let Some(el) = area.get_untracked() {
                let _ = el.focus();
            }
            let doc = document();
            let exec = js_sys::Reflect::get(&doc, &JsValue::from_str("execCommand"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            if let Some(exec) = exec {
                let args = js_sys::Array::of3(
                    &JsValue::from_str(name),
                    &JsValue::FALSE,
                    &value.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                );
                let _ = exec.apply(&doc, &args);
            }
        }
        let _ = (name, value);
        read();
    };
    // Images pasted: each uploaded, then put where the caret was.
    let paste = move |e: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let Some(files) = e.clipboard_data().and_then(|d| d.files()) else {
                return;
            };
            let images: Vec<_> = (0..files.length())
                .filter_map(|i| files.get(i))
                .filter(|f| f.type_().starts_with("image/"))
                .collect();
            if images.is_empty() {
                return;
            }
            e.prevent_default();
            let caret = document()
                .get_selection()
                .ok()
                .flatten()
                .and_then(|s| s.get_range_at(0).ok());
            for image in images.into_iter().rev() {
                pasting.update(|n| *n += 1);
                let (name, caret) = (image.name(), caret.clone());
                send_file(
                    &image,
                    |_| {},
                    move |outcome| {
                        pasting.try_update(|n| *n = n.saturating_sub(1));
                        // Still on the page? (The format may have changed meanwhile.)
                        let Some(Some(el)) = area.try_get_untracked() else {
                            return;
                        };
                        let id = match outcome {
                            Ok(id) => id,
                            Err(why) => {
                                error.try_set(Some(AppError::Invalid(why)));
                                return;
                            }
                        };
                        let Ok(img) = document().create_element("img") else {
                            return;
                        };
                        let _ = img.set_attribute("src", &crate::urls::upload(&id));
                        let _ = img.set_attribute("alt", &name);
                        let inside = caret.as_ref().filter(|r| {
                            r.common_ancestor_container()
                                .is_ok_and(|node| el.contains(Some(&node)))
                        });
                        match inside {
                            Some(range) => {
                                let _ = range.insert_node(&img);
                            }
                            None => {
                                let _ = el.append_child(&img);
                            }
                        }
                        read();
                    },
                );
            }
        }
        let _ = (e, pasting, error);
    };
    let link = move |_| {
        let address = window()
            .prompt_with_message(t.link_address)
            .ok()
            .flatten()
            .filter(|a| !a.trim().is_empty());
        if let Some(address) = address {
            command("createLink", Some(address.trim().to_owned()));
        }
    };
    view! {
        <div class="rich">
            <div class="toolbar" role="toolbar" aria-label=t.formatting>
                <button type="button" on:click=move |_| command("bold", None)><b>{t.bold}</b></button>
                <button type="button" on:click=move |_| command("italic", None)><i>{t.italic}</i></button>
                <button type="button" on:click=move |_| command("insertUnorderedList", None)>{t.bulleted_list}</button>
                <button type="button" on:click=move |_| command("insertOrderedList", None)>{t.numbered_list}</button>
                <button type="button" on:click=move |_| command("formatBlock", Some("blockquote".into()))>{t.quote}</button>
                <button type="button" on:click=link>{t.link}</button>
            </div>
            <div class="rich-editor" node_ref=area contenteditable="true" role="textbox"
                aria-multiline="true" aria-label=t.message_text on:input=move |_| read()
                on:paste=paste></div>
        </div>
    }
}
