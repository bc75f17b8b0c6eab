use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::mail::{folders, FolderView};
use crate::components::ErrorNote;
use crate::pages::shell::AppShell;

/// The mail screen: folders on the left, the selected folder beside them.
#[component]
pub fn MailPage() -> impl IntoView {
    let folders = Resource::new(|| (), |_| folders());
    view! {
        <Title text="Inbox"/>
        <AppShell>
            <div class="mail">
                <nav class="folders" aria-label="Folders">
                    <Suspense fallback=|| view! { <p class="muted">"Loading folders…"</p> }>
                        {move || folders.get().map(|r| match r {
                            Ok(list) => view! { <FolderList list/> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Suspense>
                </nav>
                <main class="content" id="main">
                    <p class="muted">"Select a folder to read its messages."</p>
                </main>
            </div>
        </AppShell>
    }
}

#[component]
fn FolderList(list: Vec<FolderView>) -> impl IntoView {
    view! {
        <ul class="folder-list">
            {list.into_iter().map(|f| {
                let unread = (f.unread > 0).then(|| view! {
                    <span class="count" aria-label=format!("{} unread", f.unread)>{f.unread}</span>
                });
                view! {
                    <li class="folder" data-role=f.role.clone()>
                        <span class="name">{f.name.clone()}</span>
                        {unread}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
