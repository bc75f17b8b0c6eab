//! Labels in the interface: Thunderbird's five named in the reader's
//! language, any other keyword as it is; a colour each; chips that lead to
//! the folder's messages with that label; the choosers of the list's
//! toolbar and of the message view.

use leptos::prelude::*;

use crate::api::labels::LabelChoice;
use crate::error::AppError;
use crate::i18n::{use_texts, Texts};
use crate::urls::label_href;

/// The keyword of Thunderbird's label `n` (1 to 5), what keys 1–5 set.
#[cfg(feature = "hydrate")]
pub fn built_in(n: u32) -> String {
    format!("$label{n}")
}

/// What a label is called.
pub fn name(keyword: &str, t: &Texts) -> String {
    match keyword.to_ascii_lowercase().as_str() {
        "$label1" => t.label_important,
        "$label2" => t.label_work,
        "$label3" => t.label_personal,
        "$label4" => t.label_todo,
        "$label5" => t.label_later,
        _ => keyword,
    }
    .to_owned()
}

/// Its colour (a class, `c1`…`c10`): Thunderbird's five have theirs, any
/// other keyword one of five more, by its name (the same everywhere).
pub fn colour(keyword: &str) -> String {
    let lower = keyword.to_ascii_lowercase();
    let n = match lower
        .strip_prefix("$label")
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n @ 1..=5) => n,
        _ => {
            6 + lower
                .bytes()
                .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
                % 5
        }
    };
    format!("label c{n}")
}

/// A message's labels, each a link to the others that have it.
#[component]
pub fn LabelChips(labels: Vec<String>, folder: String) -> impl IntoView {
    let t = use_texts();
    view! {
        <span class="labels">
            {labels.into_iter().map(|k| {
                let shown = name(&k, t);
                let title = shown.clone();
                view! { <a class=colour(&k) href=label_href(&folder, &k) title=title>{shown}</a> }
            }).collect_view()}
        </span>
    }
}

/// A chooser of the folder's labels: picking one calls `pick` with it.
/// `new` offers to name a new one (where the folder allows).
#[component]
pub fn LabelSelect(
    label: &'static str,
    choice: Resource<Result<LabelChoice, AppError>>,
    pick: impl Fn(String) + Copy + Send + Sync + 'static,
    #[prop(optional)] new: Option<RwSignal<bool>>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <select
            aria-label=label
            prop:value=""
            on:change=move |e| {
                let value = event_target_value(&e);
                // Back to its prompt: the same label can be picked again.
                event_target::<leptos::web_sys::HtmlSelectElement>(&e).set_value("");
                match (value.as_str(), new) {
                    ("", _) => {}
                    ("(new)", Some(new)) => new.set(true),
                    _ => pick(value),
                }
            }
        >
            <option value="">{label}</option>
            <Transition fallback=|| ()>
                {move || choice.get().and_then(Result::ok).map(|c| {
                    let naming = (c.new_allowed && new.is_some()).then(|| view! {
                        <option value="(new)">{t.new_label}</option>
                    });
                    view! {
                        {c.labels.into_iter().map(|k| view! {
                            <option value=k.clone()>{name(&k, t)}</option>
                        }).collect_view()}
                        {naming}
                    }
                })}
            </Transition>
        </select>
    }
}

/// The open message's labels: each removable, and a chooser to add one
/// (or name a new one, where the folder allows). `apply` sets (`true`) or
/// removes a label.
#[component]
pub fn MessageLabels(
    labels: Vec<String>,
    folder: String,
    choice: Resource<Result<LabelChoice, AppError>>,
    apply: impl Fn(String, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let naming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let chips = labels
        .into_iter()
        .map(|k| {
            let shown = name(&k, t);
            let remove = t.remove_label.replace("{label}", &shown);
            let href = label_href(&folder, &k);
            let class = colour(&k);
            view! {
                <span class=class>
                    <a href=href>{shown}</a>
                    <button type="button" class="remove" aria-label=remove.clone() title=remove
                        on:click=move |_| apply(k.clone(), false)>"×"</button>
                </span>
            }
        })
        .collect_view();
    view! {
        <div class="message-labels labels">
            {chips}
            <LabelSelect label=t.add_label choice pick=move |k| apply(k, true) new=naming/>
            <Show when=move || naming.get()>
                <form class="new-label" on:submit=move |e| {
                    e.prevent_default();
                    let label = typed.get_untracked().trim().to_owned();
                    if !label.is_empty() {
                        apply(label, true);
                        naming.set(false);
                        typed.set(String::new());
                    }
                }>
                    <input type="text" aria-label=t.new_label_name maxlength="64" required
                        prop:value=move || typed.get() on:input=move |e| typed.set(event_target_value(&e))/>
                    <button type="submit">{t.add_label}</button>
                </form>
            </Show>
        </div>
    }
}
