//! The mail screen: the folder list, the message list and, beside it, the
//! open message. Its pieces: `folders`, `list`, `search`, `toolbar`,
//! `live` and `message` (the view, also the message's own page).

mod folders;
mod head;
mod list;
#[cfg(feature = "hydrate")]
mod live;
mod message;
mod search;
mod toolbar;

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::actions::{all_have, report, run, Act, Key};
use crate::api::labels::labels;
use crate::api::mail::{folders as list_folders, messages, FolderView, MessageRow};
use crate::components::{use_toaster, AppShell, ErrorNote, QuotaMeter, VacationBanner};
use crate::i18n::use_texts;
use crate::prefs::use_prefs;
use crate::urls::list_href;
#[cfg(feature = "hydrate")]
use estafette_wire::{Destination, Mark};
use folders::{FolderList, FolderTools};
#[cfg(feature = "hydrate")]
use list::row_href;
use list::MessageList;
use message::message_view_part;
pub use message::MessagePage;
use search::SearchForm;
use toolbar::Toolbar;

/// The mail screen: folders, the selected folder's messages, and (when the
/// reading pane is on) the open message beside them. On a narrow screen one
/// of them at a time.
#[component]
pub fn MailPage() -> impl IntoView {
    let t = use_texts();
    let prefs = use_prefs();
    let query = use_query_map();
    let request = Memo::new(move |_| query.with(|q| crate::urls::list_request(|k| q.get(k))));
    let folder = Memo::new(move |_| request.with(|r| r.folder.clone()));
    let pane = Memo::new(move |_| prefs.with(|p| p.reading_pane));
    // The message open in the reading pane, if any.
    let open = Memo::new(move |_| {
        let uid = query.with(|q| q.get("uid").and_then(|u| u.parse::<u32>().ok()))?;
        let of = query.with(|q| q.get("in")).unwrap_or_else(|| folder.get());
        pane.get().then_some((of, uid))
    });
    // Bumped by live updates and after every action: both lists reload.
    let refresh = RwSignal::new(0u32);
    // Whether "Manage folders" is open, across the folders visited.
    let tools_open = RwSignal::new(false);
    let folder_list = Resource::new(move || refresh.get(), |_| list_folders());
    // The last list loaded, for the forms that outlive its reloads.
    let folder_views = RwSignal::new(Vec::<FolderView>::new());
    Effect::new(move |_| {
        if let Some(Ok(list)) = folder_list.get() {
            folder_views.set(list);
        }
    });
    let listing = Resource::new(
        move || {
            let grouped = prefs.with(|p| p.conversations);
            let page_size = prefs.with(|p| p.page_size);
            (request.get(), grouped, page_size, refresh.get())
        },
        |(r, grouped, _, _)| {
            let grouped = r.conversations.unwrap_or(grouped);
            messages(r.folder, r.page, r.sort, grouped, r.search)
        },
    );
    let rows = RwSignal::new(Vec::<MessageRow>::new());
    let selected = RwSignal::new(BTreeSet::<Key>::new());
    let cursor = RwSignal::new(None::<usize>);
    let live_ready = RwSignal::new(false);
    // The live stream was refused (the mail server away): said, and retried.
    let live_lost = RwSignal::new(false);
    let last_total = StoredValue::new(None::<u32>);
    Effect::new(move |_| {
        if let Some(Ok(page)) = listing.get() {
            let total = page.total;
            if last_total.get_value().is_some_and(|before| total > before) {
                #[cfg(feature = "hydrate")]
                live::notify(t.new_mail);
            }
            last_total.set_value(Some(total));
            rows.set(page.rows);
        }
    });
    Effect::new(move |_| {
        request.track();
        selected.set(BTreeSet::new());
        cursor.set(None);
        last_total.set_value(None);
    });
    #[cfg(feature = "hydrate")]
    live::live_updates(folder, live_ready, live_lost, move || {
        refresh.update(|n| *n += 1)
    });

    let changed = move || refresh.update(|n| *n += 1);
    let on_changed = Callback::new(move |()| changed());
    let toaster = use_toaster();
    let targets = move || -> Vec<Key> {
        let chosen: Vec<Key> = selected.get_untracked().into_iter().collect();
        if !chosen.is_empty() {
            return chosen;
        }
        cursor
            .get_untracked()
            .and_then(|i| rows.with_untracked(|r| r.get(i).map(|m| (m.folder.clone(), m.uid))))
            .or_else(|| open.get_untracked())
            .into_iter()
            .collect()
    };
    let navigate = use_navigate();
    let close_pane = {
        let navigate = navigate.clone();
        move || navigate(&list_href(&request.get_untracked()), Default::default())
    };
    let act = {
        let close_pane = close_pane.clone();
        move |a: Act| {
            let keys = targets();
            if keys.is_empty() {
                return;
            }
            // The open message leaving the folder closes the pane.
            let leaves =
                a.leaves() && open.with_untracked(|o| o.as_ref().is_some_and(|o| keys.contains(o)));
            if leaves {
                close_pane();
            }
            leptos::task::spawn_local(async move {
                let result = run(a, keys, t).await;
                selected.set(BTreeSet::new());
                report(result, toaster, changed);
            });
        }
    };
    let act = StoredValue::new(act);
    let act = move |a: Act| act.with_value(|f| f(a));
    // A label on the chosen messages: added, or removed when all have it.
    let toggle_label = move |label: String| {
        let on = !rows.with_untracked(|r| all_have(r, &targets(), &label));
        act(Act::Label(label, on));
    };
    let folder_labels = Resource::new(move || folder.get(), labels);

    #[cfg(feature = "hydrate")]
    {
        let navigate = navigate.clone();
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            if !crate::components::shortcut_key(&e) {
                return;
            }
            use crate::keys::Command;
            let count = rows.with_untracked(Vec::len);
            match crate::keys::command(&e.key()) {
                Some(step @ (Command::Next | Command::Previous)) if count > 0 => {
                    let next = match (cursor.get_untracked(), step) {
                        (None, _) => 0,
                        (Some(i), Command::Next) => (i + 1).min(count - 1),
                        (Some(i), _) => i.saturating_sub(1),
                    };
                    cursor.set(Some(next));
                    if let Some(link) = document()
                        .query_selector(&format!(".message-row:nth-child({}) .subject a", next + 1))
                        .ok()
                        .flatten()
                    {
                        use leptos::wasm_bindgen::JsCast;
                        if let Ok(link) = link.dyn_into::<leptos::web_sys::HtmlElement>() {
                            let _ = link.focus();
                        }
                    }
                }
                Some(Command::Open) => {
                    let open_href = cursor.get_untracked().and_then(|i| {
                        rows.with_untracked(|r| {
                            r.get(i).map(|m| {
                                row_href(&request.get_untracked(), m, pane.get_untracked())
                            })
                        })
                    });
                    if let Some(href) = open_href {
                        e.prevent_default();
                        navigate(&href, Default::default());
                    }
                }
                Some(Command::Archive) => act(Act::SendTo(Destination::Archive)),
                Some(Command::Delete) => act(Act::SendTo(Destination::Trash)),
                Some(Command::ToggleFlag) => {
                    let flagged = cursor
                        .get_untracked()
                        .and_then(|i| rows.with_untracked(|r| r.get(i).map(|m| m.flagged)))
                        .unwrap_or(false);
                    act(Act::Mark(Mark::Flagged, !flagged))
                }
                Some(Command::MarkUnread) => act(Act::Mark(Mark::Seen, false)),
                Some(Command::Label(n)) => {
                    toggle_label(crate::components::labels::built_in(n));
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    let on_drop = move |target: String, data: String| {
        let keys: Vec<Key> = data
            .lines()
            .filter_map(|l| {
                let (uid, folder) = l.split_once(' ')?;
                Some((folder.to_owned(), uid.parse().ok()?))
            })
            .collect();
        if keys.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let result = run(Act::Move(target), keys, t).await;
            selected.set(BTreeSet::new());
            report(result, toaster, changed);
        });
    };

    // The view comes in its own part of the bundle, asked for when a message
    // is first opened here: "Loading…" (also what the server renders, so that
    // hydration finds the same) until it is there.
    let view_loaded = RwSignal::new(false);
    let reading = move || {
        open.get().map(|(of, uid)| {
            if !view_loaded.get_untracked() {
                let loaded = lazy_preload!(crate::pages::mail::message::message_view_part);
                Effect::new(move |_| {
                    if loaded.get() {
                        view_loaded.set(true);
                    }
                });
            }
            let folder = Signal::derive(move || of.clone());
            let uid = Signal::derive(move || uid);
            let back = Signal::derive(move || list_href(&request.get()));
            move || {
                if view_loaded.get() {
                    Suspend::new(message_view_part(folder, uid, back, on_changed)).into_any()
                } else {
                    view! { <p class="muted loading">{t.loading}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text=move || folder.get()/>
        <AppShell search=Box::new(move || view! { <SearchForm request labels=folder_labels/> }.into_any())>
            <div class="mail" class:with-pane=move || pane.get() class:reading=move || open.get().is_some()>
                <nav class="folders" aria-label=t.folders>
                    <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                        {move || folder_list.get().map(|r| match r {
                            Ok(list) => view! {
                                <FolderList list=list.clone() current=folder.get() on_drop/>
                            }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Transition>
                    <QuotaMeter refresh/>
                    <FolderTools list=folder_views.into() current=folder.into() refresh open=tools_open/>
                </nav>
                <main class="content" id="main" aria-label=t.messages data-live=move || if live_ready.get() { "ready" } else { "" }>
                    <VacationBanner/>
                    <Show when=move || live_lost.get()>
                        <p class="banner live-lost" role="status">{t.live_lost}</p>
                    </Show>
                    <Toolbar act toggle_label folder_list folder_labels selected folder/>
                    <Transition fallback=|| view! { <p class="muted loading">"…"</p> }>
                        {move || listing.get().map(|r| match r {
                            Ok(p) => view! {
                                <MessageList page=p request=request.get() selected cursor open pane=pane.get()/>
                            }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Transition>
                    <p class="muted shortcuts">
                        {t.shortcuts_hint}" · "
                        <button type="button" class="link" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            {
                                let _ = leptos::web_sys::Notification::request_permission();
                            }
                        }>{t.notify_me}</button>
                    </p>
                </main>
                <Show when=move || pane.get()>
                    <section class="reading-pane" aria-label=t.reading_pane>
                        {move || reading().map_or_else(
                            || view! { <p class="muted pane-empty">{t.no_message_open}</p> }.into_any(),
                            IntoAny::into_any,
                        )}
                    </section>
                </Show>
            </div>
        </AppShell>
    }
}
