//! The compose form's template menu (templates are kept in Settings).

use leptos::prelude::*;

use super::editor::escape_text;
use crate::api::templates::{fill_template, templates};
use crate::components::use_toaster;
use crate::i18n::use_texts;

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
                        let block = format!("<p>{}</p>", escape_text(&filled));
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
