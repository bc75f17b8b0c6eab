use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::mail::{folders, messages, FolderView, MessagePage};
use crate::components::ErrorNote;
use crate::dates::format_time;
use crate::pages::shell::AppShell;

/// `folder` for a URL query.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The list page of a folder.
pub fn href(folder: &str, page: u32) -> String {
    if page == 0 {
        format!("/?folder={}", encode(folder))
    } else {
        format!("/?folder={}&page={page}", encode(folder))
    }
}

/// The mail screen: folders on the left, the selected folder's messages beside them.
#[component]
pub fn MailPage() -> impl IntoView {
    let query = use_query_map();
    let folder = Memo::new(move |_| {
        query
            .with(|q| q.get("folder"))
            .unwrap_or_else(|| "INBOX".into())
    });
    let page = Memo::new(move |_| {
        query
            .with(|q| q.get("page"))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0u32)
    });
    let folder_list = Resource::new(|| (), |_| folders());
    let listing = Resource::new(move || (folder.get(), page.get()), |(f, p)| messages(f, p));
    view! {
        <Title text=move || folder.get()/>
        <AppShell>
            <div class="mail">
                <nav class="folders" aria-label="Folders">
                    <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                        {move || folder_list.get().map(|r| match r {
                            Ok(list) => view! { <FolderList list current=folder.get()/> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Suspense>
                </nav>
                <main class="content" id="main">
                    <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                        {move || listing.get().map(|r| match r {
                            Ok(p) => view! { <MessageList page=p folder=folder.get()/> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Suspense>
                </main>
            </div>
        </AppShell>
    }
}

#[component]
fn FolderList(list: Vec<FolderView>, current: String) -> impl IntoView {
    view! {
        <ul class="folder-list">
            {list.into_iter().map(|f| {
                let unread = (f.unread > 0).then(|| view! {
                    <span class="count" aria-label=format!("{} unread", f.unread)>{f.unread}</span>
                });
                let is_current = f.name == current;
                view! {
                    <li class="folder" data-role=f.role.clone()>
                        <a href=href(&f.name, 0) aria-current=is_current.then_some("page")>
                            <span class="name">{f.name.clone()}</span>
                            {unread}
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn MessageList(page: MessagePage, folder: String) -> impl IntoView {
    if page.total == 0 {
        return view! { <p class="muted">"No messages."</p> }.into_any();
    }
    let first = page.page * page.page_size + 1;
    let last = first + page.rows.len() as u32 - 1;
    let newer = (page.page > 0).then(|| href(&folder, page.page - 1));
    let older = (last < page.total).then(|| href(&folder, page.page + 1));
    view! {
        <table class="table messages">
            <thead><tr>
                <th scope="col">"From"</th><th scope="col">"Subject"</th><th scope="col">"Date"</th>
            </tr></thead>
            <tbody>
                {page.rows.into_iter().map(|m| {
                    let marks = format!(
                        "{}{}",
                        if m.flagged { "★ " } else { "" },
                        if m.has_attachments { "📎 " } else { "" }
                    );
                    view! {
                        <tr class="message-row" class:unread=m.unread data-uid=m.uid>
                            <td class="from">{m.from}</td>
                            <td class="subject">
                                {m.unread.then(|| view! { <span class="sr-only">"Unread: "</span> })}
                                <span aria-hidden="true">{marks}</span>
                                <a href=format!("/message?folder={}&uid={}", encode(&folder), m.uid)>{m.subject}</a>
                            </td>
                            <td class="date">{m.date.map(format_time).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {newer.map(|h| view! { <a href=h rel="prev">"Newer"</a> })}
            <span class="muted">{format!("{first}–{last} of {}", page.total)}</span>
            {older.map(|h| view! { <a href=h rel="next">"Older"</a> })}
        </nav>
    }
    .into_any()
}
