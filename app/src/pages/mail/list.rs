//! The message list: rows, selection, sorting, paging.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::actions::Key;
use crate::api::mail::{ListRequest, MessagePage, MessageRow};
use crate::components::icons::{Glyph, Icon};
use crate::components::labels::LabelChips;
use crate::components::CompactTime;
use crate::i18n::{human_size, number, use_texts};
use crate::prefs::use_prefs;
use crate::urls::{self, list_href, open_href};

/// Where a row's link leads: the reading pane, or the message's own page.
pub fn row_href(request: &ListRequest, m: &MessageRow, pane: bool) -> String {
    if pane {
        open_href(request, &m.folder, m.uid)
    } else {
        urls::message(&m.folder, m.uid)
    }
}

#[component]
pub fn MessageList(
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
        view! { <th scope="col" class=key aria-sort=state><a href=href>{label}</a></th> }
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
                <th scope="col" class="marks"><span class="sr-only">{t.col_marks}</span></th>
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
                    let sender = m.from.clone();
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
                            <td class="from" title=sender>{m.from}</td>
                            <td class="subject">
                                {m.unread.then(|| view! { <span class="sr-only">{t.unread_mark}</span> })}
                                {(!m.warnings.is_empty()).then(|| view! {
                                    <span class="mark threat"><Icon glyph=Glyph::Warning label=t.list_warning/></span>
                                })}
                                {where_}
                                {m.in_conversation.then(|| view! { <span class="mark"><Icon glyph=Glyph::Reply/></span> })}
                                {(!m.labels.is_empty()).then(|| view! { <LabelChips labels=m.labels folder=m.folder/> })}
                                <a href=href on:focus=move |_| cursor.set(Some(i))>{m.subject}</a>
                                {(m.replies > 0).then(|| view! {
                                    <span class="thread-count" title=t.in_conversation>{format!(" ({})", m.replies + 1)}</span>
                                })}
                            </td>
                            <td class="marks">
                                {m.has_attachments.then(|| view! { <span class="mark"><Icon glyph=Glyph::Attachment label=t.attachment_mark/></span> })}
                                {m.flagged.then(|| view! { <span class="mark star"><Icon glyph=Glyph::Star label=t.flagged_mark/></span> })}
                            </td>
                            <td class="date">{m.date.map(|unix| view! { <CompactTime unix/> })}</td>
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
