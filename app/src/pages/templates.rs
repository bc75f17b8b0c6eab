//! Reply templates: kept in Settings, inserted from the compose form.

use leptos::prelude::*;

use crate::api::templates::{
    fill_template, remove_template, save_template, templates, TemplateView,
};
use crate::components::{use_toaster, ErrorNote};
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

/// The compose form's template menu: the chosen template, filled in for the
/// first recipient in `to`, goes at the start of the text (above the
/// signature and any quote), in plain or rich text alike.
#[component]
pub fn TemplatePicker(
    to: RwSignal<String>,
    text: RwSignal<String>,
    html: RwSignal<String>,
    rich: RwSignal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let list = Resource::new(|| (), |_| templates());
    let toaster = use_toaster();
    let insert = move |value: String| {
        let Ok(id) = value.parse::<i64>() else {
            return;
        };
        let recipients = to.get_untracked();
        leptos::task::spawn_local(async move {
            match fill_template(id, recipients).await {
                Ok(filled) => {
                    if rich.get_untracked() {
                        let block = format!("<p>{}</p>", super::compose::escape_text(&filled));
                        html.update(|h| h.insert_str(0, &block));
                    }
                    text.update(|body| {
                        let gap = if body.starts_with('\n') || body.is_empty() {
                            ""
                        } else {
                            "\n\n"
                        };
                        body.insert_str(0, &format!("{filled}{gap}"));
                    });
                    toaster.say(t.template_inserted);
                }
                Err(e) => toaster.error(&e),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || list.get().and_then(Result::ok).filter(|l| !l.is_empty()).map(|items| view! {
                <label class="template-picker">{t.insert_template}
                    <select name="template" on:change=move |e| {
                        let value = event_target_value(&e);
                        insert(value);
                        // Back to the prompt: the same one can be inserted again.
                        if let Some(select) = leptos::wasm_bindgen::JsCast::dyn_ref::<leptos::web_sys::HtmlSelectElement>(&event_target::<leptos::web_sys::EventTarget>(&e)) {
                            select.set_value("");
                        }
                    }>
                        <option value="" selected>"—"</option>
                        {items.into_iter().map(|i| view! { <option value=i.id.to_string()>{i.name}</option> }).collect_view()}
                    </select>
                </label>
            })}
        </Transition>
    }
}
