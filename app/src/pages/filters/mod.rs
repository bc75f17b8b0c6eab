//! Settings → Filters: the automatic reply, the rules (in order, dragged or
//! moved by keyboard), a script written elsewhere as text, and a rule made
//! from a message ("filter messages like this"). The mail server runs them.

mod editor;
mod like;
mod rules;
mod script;
mod vacation;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::filters::{filters, FiltersView};
use crate::api::mail::{folders, FolderView};
use crate::components::AppShell;
use crate::components::ErrorNote;
use crate::i18n::use_texts;

/// The page's data, and a way to read it again after a change.
#[derive(Clone, Copy)]
struct Loaded {
    filters: Resource<Result<FiltersView, crate::error::AppError>>,
    folders: Resource<Result<Vec<FolderView>, crate::error::AppError>>,
    reload: RwSignal<u32>,
}

impl Loaded {
    fn again(&self) {
        self.reload.update(|n| *n += 1);
    }

    /// The names of the folders a rule can file into.
    fn folder_names(&self) -> Vec<String> {
        self.folders
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.name)
            .collect()
    }
}

#[component]
pub fn FiltersPage() -> impl IntoView {
    let t = use_texts();
    let reload = RwSignal::new(0u32);
    let loaded = Loaded {
        filters: Resource::new(move || reload.get(), |_| filters()),
        folders: Resource::new(|| (), |_| folders()),
        reload,
    };
    let query = use_query_map();
    let like = move || {
        query.with(|q| {
            let folder = q.get("like")?;
            let uid = q.get("uid")?.parse::<u32>().ok()?;
            Some((folder, uid))
        })
    };
    view! {
        <Title text=t.filters_title/>
        <AppShell>
            <main class="settings filters-page" id="main">
                <h1>{t.filters_title}</h1>
                <p class="muted">{t.filters_intro}</p>
                <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || loaded.filters.get().map(|r| match r {
                        Ok(view) => {
                            let like = like();
                            view! {
                                {like.filter(|_| view.editable).map(|(folder, uid)| view! {
                                    <like::LikeSection folder uid loaded/>
                                })}
                                <vacation::VacationSection view=view.clone() loaded/>
                                <rules::RulesSection view=view.clone() loaded/>
                                {view.other.clone().map(|other| view! {
                                    <script::ScriptSection other editable=view.editable loaded/>
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Transition>
            </main>
        </AppShell>
    }
}
