use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::api::mail::{
    create_folder, delete_folder, folders, mark, messages, move_messages, rename_folder, send_to,
    FolderView, ListRequest, MessagePage, MessageRow, Search,
};
use crate::components::{ErrorNote, LocalTime};
use crate::error::AppError;
use crate::i18n::{use_texts, Texts};
use crate::pages::shell::AppShell;
use crate::urls::{self, encode};

/// What the list shows, from the page's query string.
fn request_from(q: &ParamsMap) -> ListRequest {
    let text = |k: &str| q.get(k).unwrap_or_default();
    let on = |k: &str| q.get(k).is_some_and(|v| v == "on" || v == "true");
    ListRequest {
        folder: q.get("folder").unwrap_or_else(|| "INBOX".into()),
        page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
        sort: text("sort"),
        conversations: on("conversations"),
        search: Search {
            q: text("q"),
            unread: on("unread"),
            flagged: on("flagged"),
            attachment: on("attachment"),
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
        ("conversations", r.conversations),
    ] {
        if v {
            add(k, "on");
        }
    }
    url
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
    SendTo(&'static str),
    Move(String),
}

/// Runs `act` on `keys`, folder by folder; the text of what happened.
pub async fn run(act: Act, keys: Vec<Key>, t: &'static Texts) -> Result<String, AppError> {
    let mut done = String::new();
    for (folder, uids) in by_folder(&keys) {
        match &act {
            Act::Mark(which, on) => mark(folder, uids, (*which).to_owned(), *on).await?,
            Act::SendTo(to) => {
                done = match send_to(folder, uids, (*to).to_owned()).await? {
                    Some(target) => t.moved_to.replace("{}", &target),
                    None => t.deleted.to_owned(),
                }
            }
            Act::Move(target) => {
                move_messages(folder, uids, target.clone()).await?;
                done = t.moved_to.replace("{}", target);
            }
        }
    }
    Ok(done)
}

/// Whether a key press came from a field where it is typing.
#[cfg(feature = "hydrate")]
pub fn typing(e: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    e.ctrl_key()
        || e.meta_key()
        || e.alt_key()
        || e.target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.get_attribute("contenteditable").is_some()
            })
}

/// Opens the folder's event stream; `changed` calls `on_change`. Closed when
/// the page goes away or the folder changes.
#[cfg(feature = "hydrate")]
fn live_updates(folder: Memo<String>, ready: RwSignal<bool>, on_change: impl Fn() + 'static) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use send_wrapper::SendWrapper;
    let on_change = std::rc::Rc::new(on_change);
    Effect::new(move |_| {
        let Ok(source) = leptos::web_sys::EventSource::new(&urls::events(&folder.get())) else {
            return;
        };
        let changed = {
            let on_change = on_change.clone();
            Closure::<dyn Fn()>::new(move || on_change())
        };
        let opened = Closure::<dyn Fn()>::new(move || ready.set(true));
        let _ =
            source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ready", opened.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, changed, opened));
        on_cleanup(move || {
            ready.set(false);
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

/// The mail screen: folders on the left, the selected folder's messages beside them.
#[component]
pub fn MailPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let request = Memo::new(move |_| query.with(request_from));
    let folder = Memo::new(move |_| request.with(|r| r.folder.clone()));
    // Bumped by live updates and after every action: both lists reload.
    let refresh = RwSignal::new(0u32);
    let folder_list = Resource::new(move || refresh.get(), |_| folders());
    let listing = Resource::new(
        move || (request.get(), refresh.get()),
        |(r, _)| messages(r.folder, r.page, r.sort, r.conversations, r.search),
    );
    let rows = RwSignal::new(Vec::<MessageRow>::new());
    let selected = RwSignal::new(BTreeSet::<Key>::new());
    let cursor = RwSignal::new(None::<usize>);
    let status = RwSignal::new(None::<Result<String, AppError>>);
    let live_ready = RwSignal::new(false);
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
    live_updates(folder, live_ready, move || refresh.update(|n| *n += 1));

    let targets = move || -> Vec<Key> {
        let chosen: Vec<Key> = selected.get_untracked().into_iter().collect();
        if !chosen.is_empty() {
            return chosen;
        }
        cursor
            .get_untracked()
            .and_then(|i| rows.with_untracked(|r| r.get(i).map(|m| (m.folder.clone(), m.uid))))
            .into_iter()
            .collect()
    };
    let act = move |a: Act| {
        let keys = targets();
        if keys.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let result = run(a, keys, t).await;
            status.set(Some(result));
            selected.set(BTreeSet::new());
            refresh.update(|n| *n += 1);
        });
    };

    #[cfg(feature = "hydrate")]
    {
        let navigate = use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            if typing(&e) {
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
                    let open = cursor.get_untracked().and_then(|i| {
                        rows.with_untracked(|r| r.get(i).map(|m| urls::message(&m.folder, m.uid)))
                    });
                    if let Some(href) = open {
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
                "/" => {
                    if let Some(input) = document().get_element_by_id("search").and_then(|el| {
                        use leptos::wasm_bindgen::JsCast;
                        el.dyn_into::<leptos::web_sys::HtmlElement>().ok()
                    }) {
                        e.prevent_default();
                        let _ = input.focus();
                    }
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
            status.set(Some(result));
            selected.set(BTreeSet::new());
            refresh.update(|n| *n += 1);
        });
    };

    view! {
        <Title text=move || folder.get()/>
        <AppShell>
            <div class="mail">
                <nav class="folders" aria-label=t.folders>
                    <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                        {move || folder_list.get().map(|r| match r {
                            Ok(list) => view! {
                                <FolderList list=list.clone() current=folder.get() on_drop/>
                                <FolderTools list current=folder.get() refresh status/>
                            }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Transition>
                </nav>
                <main class="content" id="main" data-live=move || if live_ready.get() { "ready" } else { "" }>
                    <SearchForm request/>
                    <Toolbar act folder_list/>
                    <p class="status" role="status" aria-live="polite">
                        {move || status.get().map(|r| match r {
                            Ok(done) => view! { <span>{done}</span> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </p>
                    <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                        {move || listing.get().map(|r| match r {
                            Ok(p) => view! { <MessageList page=p request=request.get() selected cursor/> }.into_any(),
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
            </div>
        </AppShell>
    }
}

#[component]
fn SearchForm(request: Memo<ListRequest>) -> impl IntoView {
    let t = use_texts();
    let r = move || request.get();
    let f = move || request.get().search;
    view! {
        <Form method="GET" action="/" attr:class="search" attr:role="search">
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
                <label>{t.since}" " <input type="date" name="since" prop:value=move || f().since/></label>
                <label>{t.before}" " <input type="date" name="before" prop:value=move || f().before/></label>
                <label><input type="checkbox" name="everywhere" prop:checked=move || f().everywhere/>" " {t.all_folders}</label>
            </details>
            {move || f().is_active().then(|| view! {
                <a href=folder_href(&r().folder)>{t.clear_search}</a>
            })}
        </Form>
    }
}

#[component]
fn Toolbar(
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
    folder_list: Resource<Result<Vec<FolderView>, AppError>>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="toolbar" role="toolbar" aria-label=t.messages>
            <button type="button" on:click=move |_| act(Act::Mark("seen", true))>{t.mark_read}</button>
            <button type="button" on:click=move |_| act(Act::Mark("seen", false))>{t.mark_unread}</button>
            <button type="button" on:click=move |_| act(Act::Mark("flagged", true))>{t.flag}</button>
            <button type="button" on:click=move |_| act(Act::Mark("flagged", false))>{t.unflag}</button>
            <button type="button" on:click=move |_| act(Act::SendTo("archive"))>{t.archive}</button>
            <button type="button" on:click=move |_| act(Act::SendTo("junk"))>{t.junk}</button>
            <button type="button" class="danger" on:click=move |_| act(Act::SendTo("trash"))>{t.delete}</button>
            <select
                aria-label=t.move_to
                on:change=move |e| {
                    let target = event_target_value(&e);
                    if !target.is_empty() {
                        act(Act::Move(target));
                    }
                }
                prop:value=""
            >
                <option value="">{t.move_to}</option>
                <Transition fallback=|| ()>
                    {move || folder_list.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! {
                        <option value=f.name.clone()>{f.name.clone()}</option>
                    }).collect_view()}
                </Transition>
            </select>
        </div>
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
                    <span class="count" aria-label=t.unread_count.replace("{}", &f.unread.to_string())>{f.unread}</span>
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

/// Creating a folder, and renaming or deleting the current one (not INBOX
/// nor the special folders).
#[component]
fn FolderTools(
    list: Vec<FolderView>,
    current: String,
    refresh: RwSignal<u32>,
    status: RwSignal<Option<Result<String, AppError>>>,
) -> impl IntoView {
    let t = use_texts();
    let new_name = RwSignal::new(String::new());
    let rename_to = RwSignal::new(String::new());
    let navigate = use_navigate();
    let own = list.iter().any(|f| f.name == current && f.role.is_empty());
    let done = move |r: Result<(), AppError>, go: Option<String>, navigate: &dyn Fn(&str)| match r {
        Ok(()) => {
            status.set(None);
            refresh.update(|n| *n += 1);
            if let Some(href) = go {
                navigate(&href);
            }
        }
        Err(e) => status.set(Some(Err(e))),
    };
    let create = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let name = new_name.get_untracked();
        leptos::task::spawn_local(async move {
            let r = create_folder(name).await;
            if r.is_ok() {
                new_name.set(String::new());
            }
            done(r, None, &|_| {});
        });
    };
    let rename = {
        let (current, navigate) = (current.clone(), navigate.clone());
        move |e: leptos::ev::SubmitEvent| {
            e.prevent_default();
            let (from, to) = (current.clone(), rename_to.get_untracked());
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                let r = rename_folder(from, to.clone()).await;
                done(r, Some(folder_href(&to)), &|h| {
                    navigate(h, Default::default())
                });
            });
        }
    };
    let delete = {
        let current = current.clone();
        move |_| {
            let name = current.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                let r = delete_folder(name).await;
                done(r, Some(folder_href("INBOX")), &|h| {
                    navigate(h, Default::default())
                });
            });
        }
    };
    view! {
        <details class="folder-tools">
            <summary>{t.manage_folders}</summary>
            <form on:submit=create>
                <label>{t.new_folder}" "
                    <input type="text" required maxlength="200" bind:value=new_name/>
                </label>
                <button type="submit">{t.create}</button>
            </form>
            {own.then(|| view! {
                <form on:submit=rename>
                    <label>{t.rename_folder}" "
                        <input type="text" required maxlength="200" bind:value=rename_to/>
                    </label>
                    <button type="submit">{t.rename}</button>
                </form>
                <button type="button" class="danger" on:click=delete>{t.delete_folder}</button>
            })}
        </details>
    }
}

pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[component]
fn MessageList(
    page: MessagePage,
    request: ListRequest,
    selected: RwSignal<BTreeSet<Key>>,
    cursor: RwSignal<Option<usize>>,
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
    let grouping = {
        let (label, on) = if request.conversations {
            (t.ungroup, false)
        } else {
            (t.group_conversations, true)
        };
        let href = list_href(&ListRequest {
            conversations: on,
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
                    let where_ = everywhere.then(|| view! { <span class="folder-tag">{m.folder.clone()}</span> });
                    view! {
                        <tr class="message-row" class:unread=m.unread class:flagged=m.flagged class:reply=m.in_conversation
                            class:current=move || cursor.get() == Some(i)
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
                                {m.flagged.then(|| view! { <span class="mark" title=t.flagged_mark aria-label=t.flagged_mark>"★"</span> })}
                                {m.has_attachments.then(|| view! { <span class="mark" title=t.attachment_mark aria-label=t.attachment_mark>"📎"</span> })}
                                {where_}
                                {m.in_conversation.then(|| view! { <span class="mark" aria-hidden="true">"↳"</span> })}
                                <a href=urls::message(&m.folder, m.uid) on:focus=move |_| cursor.set(Some(i))>{m.subject}</a>
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
        <nav class="pager" aria-label="Pages">
            {grouping}
            {newer.map(|h| view! { <a href=h rel="prev">{t.newer}</a> })}
            <span class="muted">{
                t.range_of
                    .replace("{a}", &first.to_string())
                    .replace("{b}", &last.to_string())
                    .replace("{n}", &page.total.to_string())
            }</span>
            {older.map(|h| view! { <a href=h rel="next">{t.older}</a> })}
        </nav>
    }
    .into_any()
}
