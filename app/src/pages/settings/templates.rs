//! Settings → Templates (the compose form inserts them: `pages::compose::templates`).

use leptos::prelude::*;

use crate::api::templates::{remove_template, save_template, templates, TemplateView};
use crate::components::ErrorNote;
use crate::error::AppError;
use crate::i18n::use_texts;

/// Settings → Templates: the list, and a form that adds one or edits the one
/// whose Edit was clicked.
#[component]
pub fn TemplatesSection() -> impl IntoView {
    let t = use_texts();
    let changed = RwSignal::new(0u32);
    let list = Resource::new(move || changed.get(), |_| templates());
    let error = RwSignal::new(None::<AppError>);
    let (editing, name, body) = (
        RwSignal::new(0i64),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let done = move |result: Result<(), AppError>| {
        error.set(result.err());
        changed.update(|n| *n += 1);
    };
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let (id, n, b) = (
            editing.get_untracked(),
            name.get_untracked(),
            body.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let result = save_template(id, n, b).await.map(|_| ());
            if result.is_ok() {
                editing.set(0);
                name.set(String::new());
                body.set(String::new());
            }
            done(result);
        });
    };
    let row = move |item: TemplateView| {
        let id = item.id;
        let edit = {
            let item = item.clone();
            move |_| {
                editing.set(item.id);
                name.set(item.name.clone());
                body.set(item.body.clone());
            }
        };
        let start: String = item
            .body
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect();
        view! {
            <li class="template">
                <span class="name">{item.name.clone()}</span>
                <span class="muted preview">{start}</span>
                <span class="actions">
                    <button type="button" class="link" on:click=edit
                        aria-label=format!("{} {}", t.edit, item.name)>{t.edit}</button>
                    <button type="button" class="link" on:click=move |_| {
                        leptos::task::spawn_local(async move { done(remove_template(id).await) });
                    } aria-label=format!("{} {}", t.delete, item.name)>{t.delete}</button>
                </span>
            </li>
        }
    };
    view! {
        <section aria-labelledby="templates-title">
            <h2 id="templates-title">{t.templates}</h2>
            <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t.no_templates}</p> }.into_any(),
                    Ok(items) => view! { <ul class="templates">{items.into_iter().map(row).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Transition>
            <form class="stack" on:submit=save>
                <label for="template-name">{t.template_name}</label>
                <input id="template-name" name="name" type="text" maxlength="80" required bind:value=name/>
                <label for="template-text">{t.template_text}</label>
                <textarea id="template-text" name="body" rows="5" required bind:value=body></textarea>
                <p class="muted hint">{t.templates_placeholders}" "<code>"{name}"</code>" "<code>"{first_name}"</code></p>
                <ErrorNote error/>
                <button type="submit" class="primary">
                    {move || if editing.get() == 0 { t.add_template } else { t.save_template }}
                </button>
            </form>
        </section>
    }
}
