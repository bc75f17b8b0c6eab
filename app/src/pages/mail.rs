use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::api::labels::{labels, set_label, LabelChoice};
use crate::api::mail::{
    folders, mark, messages, move_messages, send_to, FolderView, ListRequest, MessagePage,
    MessageRow, Moved, Search,
};
use crate::components::{form_query, use_toaster, ErrorNote, LocalTime, QuotaMeter, Toaster};
use crate::error::AppError;
use crate::i18n::{human_size, number, use_texts, Texts};
use crate::pages::folders::FolderTools;
#[cfg(feature = "hydrate")]
use crate::pages::labels::built_in;
use crate::pages::labels::{name as label_name, LabelChips, LabelSelect};
use crate::pages::message::message_view_part;
use crate::pages::shell::AppShell;
use crate::pages::vacation_banner::VacationBanner;
use crate::prefs::use_prefs;
use crate::urls::{self, encode};

/// What the list shows, from the page's query string.
fn request_from(q: &ParamsMap) -> ListRequest {
    let text = |k: &str| q.get(k).unwrap_or_default();
    let on = |k: &str| q.get(k).is_some_and(|v| v == "on" || v == "true");
    ListRequest {
        folder: q.get("folder").unwrap_or_else(|| "INBOX".into()),
        page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
        sort: text("sort"),
        conversations: q.get("conversations").map(|v| v == "on" || v == "true"),
        search: Search {
            q: text("q"),
            unread: on("unread"),
            flagged: on("flagged"),
            attachment: on("attachment"),
            label: text("label"),
            since: text("since"),
            before: text("before"),
            everywhere: on("everywhere"),
        },
    }
}

/// The list page for `r`, leaving defaults out of the URL.
pub fn list_href(r: &ListRequest) -> String {
    let mut url = format!("/?folder={}", encode(&r.folder));
    let mut add = |k: &str, v: &str| url.push_str(&format!("&{k}={}", encode(v)));
    if r.page > 0 {
        add("page", &r.page.to_string());
    }
    let f = &r.search;
    for (k, v) in [
        ("sort", &r.sort),
        ("q", &f.q),
        ("label", &f.label),
        ("since", &f.since),
        ("before", &f.before),
    ] {
        if !v.is_empty() {
            add(k, v);
        }
    }
    for (k, v) in [
        ("unread", f.unread),
        ("flagged", f.flagged),
        ("attachment", f.attachment),
        ("everywhere", f.everywhere),
    ] {
        if v {
            add(k, "on");
        }
    }
    if let Some(grouped) = r.conversations {
        add("conversations", if grouped { "on" } else { "off" });
    }
    url
}

/// The list with one message open in the reading pane.
pub fn open_href(r: &ListRequest, folder: &str, uid: u32) -> String {
    format!("{}&in={}&uid={uid}", list_href(r), encode(folder))
}

/// The first page of a folder.
pub fn folder_href(folder: &str) -> String {
    list_href(&ListRequest {
        folder: folder.to_owned(),
        ..ListRequest::default()
    })
}

/// A message named by its folder and UID.
type Key = (String, u32);

/// Messages chosen for an action, grouped by folder as `(folder, "uid,uid")`.
fn by_folder(keys: &[Key]) -> Vec<(String, String)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (folder, uid) in keys {
        match groups.iter_mut().find(|(f, _)| f == folder) {
            Some((_, uids)) => uids.push(uid.to_string()),
            None => groups.push((folder.clone(), vec![uid.to_string()])),
        }
    }
    groups
        .into_iter()
        .map(|(f, uids)| (f, uids.join(",")))
        .collect()
}

/// An action of the toolbar or the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Mark(&'static str, bool),
    /// Adds (`true`) or removes a label.
    Label(String, bool),
    SendTo(&'static str),
    Move(String),
}

impl Act {
    /// Whether the messages leave the folder.
    pub fn leaves(&self) -> bool {
        matches!(self, Act::SendTo(_) | Act::Move(_))
    }
}

/// Whether every message of `keys` has `label`, as `rows` show them.
pub fn all_have(rows: &[MessageRow], keys: &[Key], label: &str) -> bool {
    keys.iter().all(|(folder, uid)| {
        rows.iter().any(|m| {
            &m.folder == folder
                && m.uid == *uid
                && m.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
        })
    })
}

/// What an action did: its text, and how to undo it (moves whose new UIDs
/// are known: `(where they are, their UIDs, where they were)`).
pub struct Done {
    pub text: String,
    pub undo: Option<Vec<(String, String, String)>>,
}

/// Runs `act` on `keys`, folder by folder.
pub async fn run(act: Act, keys: Vec<Key>, t: &'static Texts) -> Result<Done, AppError> {
    let mut text = String::new();
    let mut labelled = None;
    let mut undo = Some(Vec::new());
    let mut moved = |from: String, to: Option<Moved>| match to {
        Some(Moved { folder, uids }) => {
            text = t.moved_to.replace("{folder}", &folder);
            match (undo.as_mut(), uids) {
                (Some(list), Some(uids)) => list.push((folder, uids, from)),
                _ => undo = None,
            }
        }
        None => {
            text = t.deleted.to_owned();
            undo = None;
        }
    };
    for (folder, uids) in by_folder(&keys) {
        match &act {
            Act::Mark(which, on) => mark(folder, uids, (*which).to_owned(), *on).await?,
            Act::Label(label, on) => {
                set_label(folder, uids, label.clone(), *on).await?;
                let said = if *on { t.label_added } else { t.label_removed };
                labelled = Some(said.replace("{label}", &label_name(label, t)));
            }
            Act::SendTo(to) => {
                let went = send_to(folder.clone(), uids, (*to).to_owned()).await?;
                moved(folder, went);
            }
            Act::Move(target) => {
                let went = move_messages(folder.clone(), uids, target.clone()).await?;
                moved(folder, Some(went));
            }
        }
    }
    let undo = undo.filter(|u| !u.is_empty());
    let text = labelled.unwrap_or(text);
    Ok(Done { text, undo })
}

/// Shows what an action did as a toast (with Undo when it can be undone);
/// `changed` runs after the action and after its undoing. Both are taken
/// when the page is made: the page may be gone when the action ends.
pub fn report(
    result: Result<Done, AppError>,
    toaster: Toaster,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) {
    match result {
        Ok(Done { text, .. }) if text.is_empty() => {}
        Ok(Done {
            text,
            undo: Some(moves),
        }) => toaster.undoable(text, move || {
            let moves = moves.clone();
            leptos::task::spawn_local(async move {
                for (from, uids, to) in moves {
                    if let Err(e) = move_messages(from, uids, to).await {
                        toaster.error(&e);
                    }
                }
                changed();
            });
        }),
        Ok(Done { text, undo: None }) => toaster.say(text),
        Err(e) => toaster.error(&e),
    }
    changed();
}

/// Opens the folder's event stream; `changed` calls `on_change`. Closed when
/// the page goes away or the folder changes. A browser gives up on a stream
/// the server answered with an error (the mail server away): then `lost` is
/// set and the stream is opened again every few seconds; once it is back,
/// `on_change` reads what changed meanwhile.
#[cfg(feature = "hydrate")]
fn live_updates(
    folder: Memo<String>,
    ready: RwSignal<bool>,
    lost: RwSignal<bool>,
    on_change: impl Fn() + 'static,
) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::EventSource;
    use send_wrapper::SendWrapper;
    const RETRY: std::time::Duration = std::time::Duration::from_secs(5);
    let on_change = std::rc::Rc::new(on_change);
    let attempt = RwSignal::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        let Ok(source) = EventSource::new(&urls::events(&folder.get())) else {
            return;
        };
        let changed = {
            let on_change = on_change.clone();
            Closure::<dyn Fn()>::new(move || on_change())
        };
        let opened = {
            let on_change = on_change.clone();
            Closure::<dyn Fn()>::new(move || {
                ready.try_set(true);
                if lost.get_untracked() {
                    lost.try_set(false);
                    on_change();
                }
            })
        };
        let failed = {
            let source = source.clone();
            Closure::<dyn Fn()>::new(move || {
                ready.try_set(false);
                if source.ready_state() == EventSource::CLOSED {
                    lost.try_set(true);
                    set_timeout(
                        move || {
                            attempt.try_update(|n| *n += 1);
                        },
                        RETRY,
                    );
                }
            })
        };
        let _ =
            source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ready", opened.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, changed, opened, failed));
        on_cleanup(move || {
            ready.try_set(false);
            held.0.close();
        });
    });
}

/// A desktop notification, if the reader allowed them and is looking elsewhere.
#[cfg(feature = "hydrate")]
fn notify(title: &str) {
    use leptos::web_sys::{Notification, NotificationPermission};
    if Notification::permission() == NotificationPermission::Granted && document().hidden() {
        let _ = Notification::new(title);
    }
}

/// The mail screen: folders, the selected folder's messages, and (when the
/// reading pane is on) the open message beside them. On a narrow screen one
/// of them at a time.
#[component]
pub fn MailPage() -> impl IntoView {
    let t = use_texts();
    let prefs = use_prefs();
    let query = use_query_map();
    let request = Memo::new(move |_| query.with(request_from));
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
    let folder_list = Resource::new(move || refresh.get(), |_| folders());
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
                notify(t.new_mail);
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
    live_updates(folder, live_ready, live_lost, move || {
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
            let count = rows.with_untracked(Vec::len);
            let key = e.key();
            match key.as_str() {
                "j" | "k" if count > 0 => {
                    let next = match (cursor.get_untracked(), key.as_str()) {
                        (None, _) => 0,
                        (Some(i), "j") => (i + 1).min(count - 1),
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
                "Enter" => {
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
                "e" => act(Act::SendTo("archive")),
                "#" => act(Act::SendTo("trash")),
                "s" => {
                    let flagged = cursor
                        .get_untracked()
                        .and_then(|i| rows.with_untracked(|r| r.get(i).map(|m| m.flagged)))
                        .unwrap_or(false);
                    act(Act::Mark("flagged", !flagged))
                }
                "u" => act(Act::Mark("seen", false)),
                n @ ("1" | "2" | "3" | "4" | "5") => {
                    toggle_label(built_in(n.parse().unwrap_or(1)));
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
                let loaded = lazy_preload!(crate::pages::message::message_view_part);
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
                    <Toolbar act toggle_label folder_list folder_labels selected/>
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

/// Where a row's link leads: the reading pane, or the message's own page.
fn row_href(request: &ListRequest, m: &MessageRow, pane: bool) -> String {
    if pane {
        open_href(request, &m.folder, m.uid)
    } else {
        urls::message(&m.folder, m.uid)
    }
}

#[component]
fn SearchForm(
    request: Memo<ListRequest>,
    labels: Resource<Result<LabelChoice, AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let r = move || request.get();
    let f = move || request.get().search;
    // A search is a new address for the list (what the form alone would do
    // without the bundle), reached without reloading the page.
    let navigate = use_navigate();
    let search = move |ev: leptos::ev::SubmitEvent| {
        if let Some(query) = form_query(&ev) {
            ev.prevent_default();
            navigate(&format!("/?{query}"), Default::default());
        }
    };
    view! {
        <form method="get" action="/" class="search" role="search" on:submit=search>
            <input type="hidden" name="folder" prop:value=move || r().folder/>
            <input
                type="search" id="search" name="q" aria-label=t.search
                placeholder=t.search_placeholder prop:value=move || f().q
            />
            <button type="submit">{t.search}</button>
            <details class="filters" open=move || f().is_active()>
                <summary>"…"</summary>
                <label><input type="checkbox" name="unread" prop:checked=move || f().unread/>" " {t.only_unread}</label>
                <label><input type="checkbox" name="flagged" prop:checked=move || f().flagged/>" " {t.only_flagged}</label>
                <label><input type="checkbox" name="attachment" prop:checked=move || f().attachment/>" " {t.only_attachments}</label>
                <label>{t.with_label}" "
                    <select name="label" prop:value=move || f().label>
                        <option value="">{t.any_label}</option>
                        <Transition fallback=|| ()>
                            {move || {
                                let mut offered = labels.get().and_then(Result::ok).map(|c| c.labels).unwrap_or_default();
                                let current = f().label;
                                if !current.is_empty() && !offered.contains(&current) {
                                    offered.push(current.clone());
                                }
                                offered.into_iter().map(|k| view! {
                                    <option value=k.clone() selected=k == current>{label_name(&k, t)}</option>
                                }).collect_view()
                            }}
                        </Transition>
                    </select>
                </label>
                <label>{t.since}" " <input type="date" name="since" prop:value=move || f().since/></label>
                <label>{t.before}" " <input type="date" name="before" prop:value=move || f().before/></label>
                <label><input type="checkbox" name="everywhere" prop:checked=move || f().everywhere/>" " {t.all_folders}</label>
            </details>
            {move || f().is_active().then(|| view! {
                <a href=folder_href(&r().folder)>{t.clear_search}</a>
            })}
        </form>
    }
}

#[component]
fn Toolbar(
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
    toggle_label: impl Fn(String) + Copy + Send + Sync + 'static,
    folder_list: Resource<Result<Vec<FolderView>, AppError>>,
    folder_labels: Resource<Result<LabelChoice, AppError>>,
    selected: RwSignal<BTreeSet<Key>>,
) -> impl IntoView {
    let t = use_texts();
    // A rule from the selection starts from its first message.
    let like = move || {
        selected.with(|s| {
            s.iter()
                .next()
                .map(|(folder, uid)| urls::filter_like(folder, *uid))
        })
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label=t.messages>
            <button type="button" on:click=move |_| act(Act::Mark("seen", true))>{t.mark_read}</button>
            <button type="button" on:click=move |_| act(Act::Mark("seen", false))>{t.mark_unread}</button>
            <button type="button" on:click=move |_| act(Act::Mark("flagged", true))>{t.flag}</button>
            <button type="button" on:click=move |_| act(Act::Mark("flagged", false))>{t.unflag}</button>
            <button type="button" on:click=move |_| act(Act::SendTo("archive"))>{t.archive}</button>
            <button type="button" on:click=move |_| act(Act::SendTo("junk"))>{t.junk}</button>
            <button type="button" class="danger" on:click=move |_| act(Act::SendTo("trash"))>{t.delete}</button>
            <LabelSelect label=t.label_selected choice=folder_labels pick=toggle_label/>
            <MoveSelect label=t.move_selected folder_list act/>
            {move || like().map(|href| view! { <a href=href>{t.filter_like_this}</a> })}
        </div>
    }
}

/// "Move to…": the folders to choose from; choosing one runs the move.
#[component]
pub fn MoveSelect(
    label: &'static str,
    folder_list: Resource<Result<Vec<FolderView>, AppError>>,
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <select
            aria-label=label
            prop:value=""
            on:change=move |e| {
                let target = event_target_value(&e);
                if !target.is_empty() {
                    act(Act::Move(target));
                }
            }
        >
            <option value="">{t.move_to}</option>
            <Transition fallback=|| ()>
                {move || folder_list.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! {
                    <option value=f.name.clone()>{f.name.clone()}</option>
                }).collect_view()}
            </Transition>
        </select>
    }
}

#[component]
fn FolderList(
    list: Vec<FolderView>,
    current: String,
    on_drop: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <ul class="folder-list">
            {list.into_iter().map(|f| {
                let unread = (f.unread > 0).then(|| view! {
                    <span class="count" aria-label=t.unread_count.replace("{count}", &f.unread.to_string())>{f.unread}</span>
                });
                let is_current = f.name == current;
                let name = f.name.clone();
                view! {
                    <li class="folder" data-role=f.role.clone() data-folder=f.name.clone()
                        on:dragover=move |e| e.prevent_default()
                        on:drop=move |e| {
                            e.prevent_default();
                            if let Some(data) = e.data_transfer().and_then(|d| d.get_data("text/x-estafette").ok()) {
                                on_drop(name.clone(), data);
                            }
                        }
                    >
                        <a href=folder_href(&f.name) aria-current=is_current.then_some("page")
                            class=format!("depth-{}", f.depth.min(5))>
                            <span class="name">{f.label.clone()}</span>
                            {unread}
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn MessageList(
    page: MessagePage,
    request: ListRequest,
    selected: RwSignal<BTreeSet<Key>>,
    cursor: RwSignal<Option<usize>>,
    open: Memo<Option<Key>>,
    pane: bool,
) -> impl IntoView {
    let t = use_texts();
    if page.total == 0 {
        let empty = if request.search.is_active() {
            t.no_results
        } else {
            t.no_messages
        };
        return view! { <p class="muted empty">{empty}</p> }.into_any();
    }
    let first = page.page * page.page_size + 1;
    let last = first + (page.rows.len() as u32).saturating_sub(1);
    let at = |p: u32| {
        list_href(&ListRequest {
            page: p,
            ..request.clone()
        })
    };
    let newer = (page.page > 0).then(|| at(page.page - 1));
    let older = (last < page.total).then(|| at(page.page + 1));
    let sort_link = |key: &'static str, label: &'static str| {
        let current = request.sort.clone();
        let next = if current == key {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        let next = if next == "date" { String::new() } else { next };
        let href = list_href(&ListRequest {
            sort: next,
            page: 0,
            ..request.clone()
        });
        let state = match current.trim_start_matches('-') {
            k if k == key || (k.is_empty() && key == "date") => {
                if current.starts_with('-') {
                    "ascending"
                } else {
                    "descending"
                }
            }
            _ => "none",
        };
        view! { <th scope="col" aria-sort=state><a href=href>{label}</a></th> }
    };
    let all: Vec<Key> = page
        .rows
        .iter()
        .map(|m| (m.folder.clone(), m.uid))
        .collect();
    let grouped = request
        .conversations
        .unwrap_or_else(|| use_prefs().with_untracked(|p| p.conversations));
    let grouping = {
        let (label, on) = if grouped {
            (t.ungroup, false)
        } else {
            (t.group_conversations, true)
        };
        let href = list_href(&ListRequest {
            conversations: Some(on),
            ..request.clone()
        });
        view! { <a class="grouping" href=href>{label}</a> }
    };
    let everywhere = request.search.everywhere && request.search.is_active();
    view! {
        <table class="table messages">
            <thead><tr>
                <th scope="col" class="pick">
                    <input type="checkbox" aria-label=t.select_all
                        prop:checked={
                            let all = all.clone();
                            move || !all.is_empty() && selected.with(|s| all.iter().all(|k| s.contains(k)))
                        }
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            selected.update(|s| for k in &all {
                                if on { s.insert(k.clone()); } else { s.remove(k); }
                            });
                        }
                    />
                </th>
                {sort_link("from", t.col_from)}
                {sort_link("subject", t.col_subject)}
                {sort_link("date", t.col_date)}
                {sort_link("size", t.col_size)}
            </tr></thead>
            <tbody>
                {page.rows.into_iter().enumerate().map(|(i, m)| {
                    let key: Key = (m.folder.clone(), m.uid);
                    let drag = format!("{} {}", m.uid, m.folder);
                    let key2 = key.clone();
                    let key3 = key.clone();
                    let key4 = key.clone();
                    let href = row_href(&request, &m, pane);
                    let where_ = everywhere.then(|| view! { <span class="folder-tag">{m.folder.clone()}</span> });
                    view! {
                        <tr class="message-row" class:unread=m.unread class:flagged=m.flagged class:reply=m.in_conversation
                            class:current=move || cursor.get() == Some(i)
                            class:open=move || open.with(|o| o.as_ref() == Some(&key4))
                            data-uid=m.uid draggable="true"
                            on:dragstart=move |e| {
                                let chosen = selected.with_untracked(|s| {
                                    if s.contains(&key3) {
                                        s.iter().map(|(f, u)| format!("{u} {f}")).collect::<Vec<_>>().join("\n")
                                    } else {
                                        drag.clone()
                                    }
                                });
                                if let Some(dt) = e.data_transfer() {
                                    let _ = dt.set_data("text/x-estafette", &chosen);
                                }
                            }
                        >
                            <td class="pick">
                                <input type="checkbox" aria-label=t.select_message
                                    prop:checked=move || selected.with(|s| s.contains(&key))
                                    on:change=move |e| {
                                        let on = event_target_checked(&e);
                                        selected.update(|s| {
                                            if on { s.insert(key2.clone()); } else { s.remove(&key2); }
                                        });
                                    }
                                />
                            </td>
                            <td class="from">{m.from}</td>
                            <td class="subject">
                                {m.unread.then(|| view! { <span class="sr-only">{t.unread_mark}</span> })}
                                {(!m.warnings.is_empty()).then(|| view! {
                                    <span class="mark threat" role="img" title=t.list_warning aria-label=t.list_warning>"⚠"</span>
                                })}
                                {m.flagged.then(|| view! { <span class="mark" title=t.flagged_mark aria-label=t.flagged_mark>"★"</span> })}
                                {m.has_attachments.then(|| view! { <span class="mark" title=t.attachment_mark aria-label=t.attachment_mark>"📎"</span> })}
                                {where_}
                                {m.in_conversation.then(|| view! { <span class="mark" aria-hidden="true">"↳"</span> })}
                                {(!m.labels.is_empty()).then(|| view! { <LabelChips labels=m.labels folder=m.folder/> })}
                                <a href=href on:focus=move |_| cursor.set(Some(i))>{m.subject}</a>
                                {(m.replies > 0).then(|| view! {
                                    <span class="thread-count" title=t.in_conversation>{format!(" ({})", m.replies + 1)}</span>
                                })}
                            </td>
                            <td class="date">{m.date.map(|unix| view! { <LocalTime unix/> })}</td>
                            <td class="size">{human_size(u64::from(m.size))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=t.pages>
            {grouping}
            {newer.map(|h| view! { <a href=h rel="prev">{t.newer}</a> })}
            <span class="muted">{
                t.range_of
                    .replace("{a}", &number(first.into()))
                    .replace("{b}", &number(last.into()))
                    .replace("{n}", &number(page.total.into()))
            }</span>
            {older.map(|h| view! { <a href=h rel="next">{t.older}</a> })}
        </nav>
    }
    .into_any()
}
