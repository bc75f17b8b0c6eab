//! Managing folders: creating one, and renaming or deleting the current one
//! (not INBOX nor the special folders).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::mail::{create_folder, delete_folder, rename_folder, FolderView};
use crate::components::use_toaster;
use crate::error::AppError;
use crate::i18n::use_texts;
use crate::urls::folder_href;

/// "Manage folders", below the folder list. Its forms are seldom used, so
/// they come in a part of the bundle of their own, loaded when it is first
/// opened. It is drawn once and follows `list` and `current`: when the list
/// reloads (new mail, a message read) what is being typed stays, focus too.
#[component]
pub fn FolderTools(
    list: Signal<Vec<FolderView>>,
    current: Signal<String>,
    refresh: RwSignal<u32>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let t = use_texts();
    // Once opened, the forms stay (closing it keeps what was typed).
    let wanted = Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || open.get());
    view! {
        <details
            class="folder-tools"
            prop:open=move || open.get()
            on:toggle=move |ev| open.set(event_target::<leptos::web_sys::HtmlDetailsElement>(&ev).open())
        >
            <summary>{t.manage_folders}</summary>
            {move || wanted.get().then(|| {
                Suspend::new(folder_tools_part(list, current, refresh))
            })}
        </details>
    }
}

/// The forms, from a part of the bundle of their own.
#[lazy]
fn folder_tools_part(
    list: Signal<Vec<FolderView>>,
    current: Signal<String>,
    refresh: RwSignal<u32>,
) -> AnyView {
    let t = use_texts();
    let new_name = RwSignal::new(String::new());
    let rename_to = RwSignal::new(String::new());
    let navigate = use_navigate();
    // INBOX and the special folders are not renamed nor deleted.
    let own = move || {
        let current = current.get();
        list.with(|l| l.iter().any(|f| f.name == current && f.role.is_empty()))
    };
    let toaster = use_toaster();
    let done = move |r: Result<(), AppError>, go: Option<String>, navigate: &dyn Fn(&str)| match r {
        Ok(()) => {
            // Away from a folder renamed or deleted first, so that the lists
            // reload for where the page now is (not the folder now gone).
            if let Some(href) = go {
                navigate(&href);
            }
            refresh.update(|n| *n += 1);
        }
        Err(e) => toaster.error(&e),
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
        let navigate = navigate.clone();
        move |e: leptos::ev::SubmitEvent| {
            e.prevent_default();
            let (from, to) = (current.get_untracked(), rename_to.get_untracked());
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
        move |_| {
            let name = current.get_untracked();
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
        <NameForm label=t.new_folder button=t.create name=new_name on_submit=create/>
        <Show when=own>
            <NameForm label=t.rename_folder button=t.rename name=rename_to on_submit=rename.clone()/>
            <button type="button" class="danger" on:click=delete.clone()>{t.delete_folder}</button>
        </Show>
    }
    .into_any()
}

/// A folder's name to type, and the button that acts on it.
#[component]
fn NameForm(
    label: &'static str,
    button: &'static str,
    name: RwSignal<String>,
    on_submit: impl FnMut(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    view! {
        <form on:submit=on_submit>
            <label>{label}" "
                <input type="text" required maxlength="200" bind:value=name/>
            </label>
            <button type="submit">{button}</button>
        </form>
    }
}

#[component]
pub fn FolderList(
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
