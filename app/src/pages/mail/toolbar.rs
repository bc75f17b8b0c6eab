//! The list's toolbar: what can be done to the chosen messages, shown once
//! some are chosen, with their count (the keys act on the row at the cursor);
//! before that, the folder's name.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::actions::{Act, Key, MoveSelect};
use crate::api::labels::LabelChoice;
use crate::api::mail::FolderView;
use crate::components::labels::LabelSelect;
use crate::error::AppError;
use crate::i18n::use_texts;
use crate::keys::{tip, Command};
use crate::urls;
use estafette_wire::{Destination, Mark};

#[component]
pub fn Toolbar(
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
    toggle_label: impl Fn(String) + Copy + Send + Sync + 'static,
    folder_list: Resource<Result<Vec<FolderView>, AppError>>,
    folder_labels: Resource<Result<LabelChoice, AppError>>,
    selected: RwSignal<BTreeSet<Key>>,
    folder: Memo<String>,
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
    let count = move || selected.with(BTreeSet::len);
    let counted = move || {
        let n = count();
        if n == 1 {
            t.selected_one.to_owned()
        } else {
            t.selected_many
                .replace("{n}", &crate::i18n::number(n as u64))
        }
    };
    // The folder's name and what is unread in it (read inside a transition
    // so that the server renders what hydration finds): shown while nothing
    // is chosen, and the page's heading always.
    let heading = move || {
        let titled = move || {
            let name = folder.get();
            let shown = folder_list.get().and_then(Result::ok).and_then(|l| {
                l.into_iter()
                    .find(|f| f.name == name)
                    .map(|f| (f.label, f.unread))
            });
            let (label, unread) = shown.unwrap_or((name, 0));
            view! {
                <h1 class="folder-title">{label}</h1>
                {(unread > 0).then(|| view! {
                    <span class="muted">{t.unread_count.replace("{count}", &crate::i18n::number(unread.into()))}</span>
                })}
            }
        };
        view! {
            <Transition fallback=move || view! { <h1 class="folder-title">{folder.get()}</h1> }>
                {titled}
            </Transition>
        }
    };
    view! {
        <div class="toolbar list-toolbar" role="toolbar" aria-label=t.messages>
            <div class="folder-heading" class:sr-only=move || { count() > 0 }>{heading}</div>
            // There before anything is chosen, so that the count is announced.
            <span class="selection-count" role="status">{move || (count() > 0).then(counted)}</span>
            <Show when=move || { count() > 0 }>
                <button type="button" class="link" on:click=move |_| selected.set(BTreeSet::new())>{t.clear_selection}</button>
                <button type="button" on:click=move |_| act(Act::Mark(Mark::Seen, true))>{t.mark_read}</button>
                <button type="button" title=tip(t.mark_unread, Command::MarkUnread) on:click=move |_| act(Act::Mark(Mark::Seen, false))>{t.mark_unread}</button>
                <button type="button" on:click=move |_| act(Act::Mark(Mark::Flagged, true))>{t.flag}</button>
                <button type="button" on:click=move |_| act(Act::Mark(Mark::Flagged, false))>{t.unflag}</button>
                <button type="button" title=tip(t.archive, Command::Archive) on:click=move |_| act(Act::SendTo(Destination::Archive))>{t.archive}</button>
                <button type="button" on:click=move |_| act(Act::SendTo(Destination::Junk))>{t.junk}</button>
                <button type="button" class="danger" title=tip(t.delete, Command::Delete) on:click=move |_| act(Act::SendTo(Destination::Trash))>{t.delete}</button>
                <LabelSelect label=t.label_selected choice=folder_labels pick=toggle_label/>
                <MoveSelect label=t.move_selected folder_list act/>
                {move || like().map(|href| view! { <a href=href>{t.filter_like_this}</a> })}
            </Show>
        </div>
    }
}
