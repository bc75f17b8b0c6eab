//! The address book: contacts by name, found as one types, each editable;
//! groups written to in one click; `.vcf` files imported and exported; and,
//! with a CardDAV server, synced when the page opens and on demand.

use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "hydrate")]
use crate::api::contacts::ImportView;
use crate::api::contacts::{
    contacts, group_recipients, remove_contact, save_contact, sync_contacts, ContactView, SyncView,
};
use crate::components::AppShell;
use crate::components::{use_toaster, ErrorNote};
use crate::error::AppError;
use crate::i18n::{translate, use_texts};

/// The form's fields, as typed.
#[derive(Clone, Copy)]
struct Form {
    id: RwSignal<i64>,
    open: RwSignal<bool>,
    name: RwSignal<String>,
    emails: RwSignal<String>,
    phones: RwSignal<String>,
    organisation: RwSignal<String>,
    groups: RwSignal<String>,
    notes: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        Form {
            id: RwSignal::new(0),
            open: RwSignal::new(false),
            name: RwSignal::new(String::new()),
            emails: RwSignal::new(String::new()),
            phones: RwSignal::new(String::new()),
            organisation: RwSignal::new(String::new()),
            groups: RwSignal::new(String::new()),
            notes: RwSignal::new(String::new()),
        }
    }

    fn fill(&self, c: Option<&ContactView>) {
        self.id.set(c.map_or(0, |c| c.id));
        self.name.set(c.map(|c| c.name.clone()).unwrap_or_default());
        self.emails
            .set(c.map(|c| c.emails.join("\n")).unwrap_or_default());
        self.phones
            .set(c.map(|c| c.phones.join("\n")).unwrap_or_default());
        self.organisation
            .set(c.map(|c| c.organisation.clone()).unwrap_or_default());
        self.groups
            .set(c.map(|c| c.groups.join(", ")).unwrap_or_default());
        self.notes
            .set(c.map(|c| c.notes.clone()).unwrap_or_default());
        self.open.set(true);
    }
}

/// Opens the compose form with `to` as its recipients.
fn write_to(to: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window()
        .location()
        .assign(&format!("/compose?to={}", crate::urls::encode(to)));
    let _ = to;
}

/// Sends a `.vcf` file to be imported; `done` gets the answer's status
/// (0: none) and body.
#[cfg(feature = "hydrate")]
fn send_vcf(file: &leptos::web_sys::File, done: impl FnOnce(u16, String) + 'static) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;

    let Ok(xhr) = leptos::web_sys::XmlHttpRequest::new() else {
        return done(0, String::new());
    };
    if xhr.open("POST", "/contacts.vcf").is_err() {
        return done(0, String::new());
    }
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let finished = {
        let (xhr, done) = (xhr.clone(), done.clone());
        Closure::<dyn FnMut()>::new(move || {
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            if let Some(done) = done.take() {
                done(xhr.status().unwrap_or(0), text);
            }
        })
    };
    xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        if let Some(done) = done.take() {
            done(0, String::new());
        }
    }
    // The browser calls it later; it lives as long as the page.
    finished.forget();
}

/// What a sync did, in a sentence.
fn synced_note(s: &SyncView, t: &crate::i18n::Texts) -> String {
    match &s.error {
        Some(e) => translate(e, t),
        None => {
            t.contacts_synced
                .replace("{received}", &s.received.to_string())
                .replace("{sent}", &s.sent.to_string())
                + &if s.kept_both > 0 {
                    format!(
                        " {}",
                        t.contacts_kept_both
                            .replace("{count}", &s.kept_both.to_string())
                    )
                } else {
                    String::new()
                }
        }
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let changed = RwSignal::new(0u32);
    let book = Resource::new(move || changed.get(), |_| contacts());
    let error = RwSignal::new(None::<AppError>);
    let form = Form::new();
    let filter = RwSignal::new(String::new());
    let sync_note = RwSignal::new(None::<String>);
    let syncing = RwSignal::new(false);
    let reload = move || changed.update(|n| *n += 1);

    let sync = move || {
        syncing.set(true);
        leptos::task::spawn_local(async move {
            let outcome = sync_contacts().await;
            syncing.set(false);
            match outcome {
                Ok(Some(s)) => {
                    sync_note.set(Some(synced_note(&s, t)));
                    reload();
                }
                Ok(None) => {}
                Err(e) => sync_note.set(Some(e.to_string())),
            }
        });
    };
    // Synced once when the page opens, when the server keeps books.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        match book.get() {
            Some(Ok(b)) if b.carddav => {
                sync();
                true
            }
            _ => false,
        }
    });

    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let f = form;
        leptos::task::spawn_local(async move {
            let result = save_contact(
                f.id.get_untracked(),
                f.name.get_untracked(),
                f.emails.get_untracked(),
                f.phones.get_untracked(),
                f.organisation.get_untracked(),
                f.notes.get_untracked(),
                f.groups.get_untracked(),
            )
            .await;
            match result {
                Ok(_) => {
                    f.open.set(false);
                    error.set(None);
                    toaster.say(t.contact_saved);
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let import = move |e: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            send_vcf(&file, move |status, text| match status {
                200 => match serde_json::from_str::<ImportView>(&text) {
                    Ok(done) => {
                        toaster.say(
                            t.contacts_imported
                                .replace("{added}", &done.added.to_string())
                                .replace("{updated}", &done.updated.to_string())
                                .replace("{skipped}", &done.skipped.to_string()),
                        );
                        reload();
                    }
                    Err(_) => toaster.say(t.contacts_file_unreadable),
                },
                _ => match AppError::from_body(text.as_bytes()) {
                    Some(e) => toaster.error(&e),
                    None => toaster.say(t.contacts_file_unreadable),
                },
            });
        }
        let _ = e;
    };
    let write_group = move |group: String| {
        leptos::task::spawn_local(async move {
            match group_recipients(group).await {
                Ok(to) => write_to(&to),
                Err(e) => toaster.error(&e),
            }
        });
    };

    let card = move |c: ContactView| {
        let id = c.id;
        let shown = c.shown_name();
        let edit = {
            let c = c.clone();
            move |_| form.fill(Some(&c))
        };
        let first = c.emails.first().cloned();
        view! {
            <li class="contact">
                <div class="who">
                    <span class="name">{shown.clone()}</span>
                    {(!c.organisation.is_empty()).then(|| view! { <span class="muted org">{c.organisation.clone()}</span> })}
                </div>
                <div class="details">
                    {c.emails.iter().map(|e| view! { <span class="email">{e.clone()}</span> }).collect_view()}
                    {c.phones.iter().map(|p| view! { <span class="muted phone">{p.clone()}</span> }).collect_view()}
                    {(!c.groups.is_empty()).then(|| view! {
                        <span class="groups">{c.groups.iter().map(|g| view! { <span class="chip">{g.clone()}</span> }).collect_view()}</span>
                    })}
                </div>
                <span class="actions">
                    {first.map(|address| {
                        view! {
                            <button type="button" class="link" on:click=move |_| write_to(&address)
                                aria-label=format!("{} {}", t.write_to, shown)>{t.write_to}</button>
                        }
                    })}
                    <button type="button" class="link" on:click=edit
                        aria-label=format!("{} {}", t.edit, c.shown_name())>{t.edit}</button>
                    <button type="button" class="link danger" on:click=move |_| {
                        leptos::task::spawn_local(async move {
                            match remove_contact(id).await {
                                Ok(()) => reload(),
                                Err(e) => toaster.error(&e),
                            }
                        });
                    } aria-label=format!("{} {}", t.delete, c.shown_name())>{t.delete}</button>
                </span>
            </li>
        }
    };

    view! {
        <Title text=t.contacts/>
        <AppShell>
            <section class="contacts-page" aria-labelledby="contacts-title">
                <header class="contacts-head">
                    <h1 id="contacts-title">{t.contacts}</h1>
                    <div class="contacts-actions">
                        <button type="button" class="primary" on:click=move |_| form.fill(None)>{t.new_contact}</button>
                        <label class="button file-button">{t.import_contacts}
                            <input type="file" accept=".vcf,text/vcard,text/x-vcard" class="sr-only" on:change=import/>
                        </label>
                        <a class="button" href="/contacts.vcf" download="contacts.vcf">{t.export_contacts}</a>
                        <Transition fallback=|| ()>
                            {move || book.get().and_then(Result::ok).filter(|b| b.carddav).map(|_| view! {
                                <button type="button" on:click=move |_| sync() disabled=move || syncing.get()>
                                    {move || if syncing.get() { t.contacts_syncing } else { t.contacts_sync }}
                                </button>
                            })}
                        </Transition>
                    </div>
                    {move || sync_note.get().map(|n| view! { <p class="muted sync-note" role="status">{n}</p> })}
                </header>

                <Show when=move || form.open.get()>
                    <form class="stack contact-form" on:submit=save aria-labelledby="contact-form-title">
                        <h2 id="contact-form-title">{move || if form.id.get() == 0 { t.new_contact } else { t.edit_contact }}</h2>
                        <label for="contact-name">{t.contact_name}</label>
                        <input id="contact-name" name="name" type="text" maxlength="200" bind:value=form.name/>
                        <label for="contact-emails">{t.contact_emails}</label>
                        <textarea id="contact-emails" name="emails" rows="2" bind:value=form.emails></textarea>
                        <label for="contact-phones">{t.contact_phones}</label>
                        <textarea id="contact-phones" name="phones" rows="2" bind:value=form.phones></textarea>
                        <label for="contact-organisation">{t.contact_organisation}</label>
                        <input id="contact-organisation" name="organisation" type="text" maxlength="200" bind:value=form.organisation/>
                        <label for="contact-groups">{t.contact_groups}</label>
                        <input id="contact-groups" name="groups" type="text" bind:value=form.groups/>
                        <label for="contact-notes">{t.contact_notes}</label>
                        <textarea id="contact-notes" name="notes" rows="3" bind:value=form.notes></textarea>
                        <p class="muted hint">{t.contact_hint}</p>
                        <ErrorNote error/>
                        <div class="row">
                            <button type="submit" class="primary">{t.save_contact}</button>
                            <button type="button" on:click=move |_| { form.open.set(false); error.set(None); }>{t.cancel}</button>
                        </div>
                    </form>
                </Show>

                <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || book.get().map(|r| match r {
                        Ok(b) => {
                            let groups = b.groups.clone();
                            let all = b.contacts.clone();
                            let empty = all.is_empty();
                            view! {
                                {(!groups.is_empty()).then(|| view! {
                                    <section class="groups" aria-labelledby="groups-title">
                                        <h2 id="groups-title">{t.contact_groups_title}</h2>
                                        <ul class="group-list">
                                            {groups.into_iter().map(|g| {
                                                let name = g.name.clone();
                                                let label = format!("{} {}", t.write_to_group, g.name);
                                                view! {
                                                    <li>
                                                        <button type="button" class="chip" on:click={
                                                            let name = name.clone();
                                                            move |_| filter.set(name.clone())
                                                        }>{format!("{} ({})", g.name, g.members)}</button>
                                                        <button type="button" class="link" aria-label=label
                                                            on:click=move |_| write_group(name.clone())>{t.write_to_group}</button>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                })}
                                {if empty {
                                    view! { <p class="muted">{t.no_contacts}</p> }.into_any()
                                } else {
                                    view! {
                                        <label class="contacts-filter">{t.find_contact}
                                            <input type="search" name="find" bind:value=filter/>
                                        </label>
                                        <ul class="contacts">
                                            {move || {
                                                let needle = filter.get().trim().to_lowercase();
                                                all.iter()
                                                    .filter(|c| needle.is_empty() || matches(c, &needle))
                                                    .cloned()
                                                    .map(card)
                                                    .collect_view()
                                            }}
                                        </ul>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Transition>
            </section>
        </AppShell>
    }
}

/// Whether a contact is found by `needle` (lowercased): in its name,
/// addresses, organisation, phones or groups.
fn matches(c: &ContactView, needle: &str) -> bool {
    c.name.to_lowercase().contains(needle)
        || c.organisation.to_lowercase().contains(needle)
        || c.emails.iter().any(|e| e.contains(needle))
        || c.phones.iter().any(|p| p.contains(needle))
        || c.groups.iter().any(|g| g.to_lowercase() == needle)
}
