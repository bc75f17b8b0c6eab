//! The rich-text editor and the plain text it starts from.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::uploads::send_file;
use crate::error::AppError;
use crate::i18n::use_texts;

/// Plain text as the editor's first HTML: escaped, one line a line.
pub fn escape_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The rich-text editor: bold, italic, lists, quotes and links on an editable
/// area, and images pasted in (uploaded, shown from the upload, sent as
/// `cid:` parts). `html` is what it holds (the server cleans it again before
/// it goes anywhere); `text` the same words as plain text, sent beside it;
/// `pasting` counts images still uploading; `error` says why one was not.
#[component]
pub fn RichEditor(
    html: RwSignal<String>,
    text: RwSignal<String>,
    pasting: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let area = NodeRef::<leptos::html::Div>::new();
    // What the editor holds, read back into the form.
    let read = move || {
        if let Some(el) = area.get_untracked() {
            html.set(el.inner_html());
            text.set(el.inner_text());
        }
    };
    // Filled from the form once (and when a draft or a copy refills it), not
    // on each keystroke, so that the caret stays where it is.
    Effect::new(move |_| {
        let wanted = html.get();
        if let Some(el) = area.get() {
            if el.inner_html() != wanted {
                el.set_inner_html(&wanted);
            }
        }
    });
    let command = move |name: &'static str, value: Option<String>| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::{JsCast, JsValue};
            if let Some(el) = area.get_untracked() {
                let _ = el.focus();
            }
            let doc = document();
            let exec = js_sys::Reflect::get(&doc, &JsValue::from_str("execCommand"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            if let Some(exec) = exec {
                let args = js_sys::Array::of3(
                    &JsValue::from_str(name),
                    &JsValue::FALSE,
                    &value.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                );
                let _ = exec.apply(&doc, &args);
            }
        }
        let _ = (name, value);
        read();
    };
    // Images pasted: each uploaded, then put where the caret was.
    let paste = move |e: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let Some(files) = e.clipboard_data().and_then(|d| d.files()) else {
                return;
            };
            let images: Vec<_> = (0..files.length())
                .filter_map(|i| files.get(i))
                .filter(|f| f.type_().starts_with("image/"))
                .collect();
            if images.is_empty() {
                return;
            }
            e.prevent_default();
            let caret = document()
                .get_selection()
                .ok()
                .flatten()
                .and_then(|s| s.get_range_at(0).ok());
            for image in images.into_iter().rev() {
                pasting.update(|n| *n += 1);
                let (name, caret) = (image.name(), caret.clone());
                send_file(
                    &image,
                    |_| {},
                    move |outcome| {
                        pasting.try_update(|n| *n = n.saturating_sub(1));
                        // Still on the page? (The format may have changed meanwhile.)
                        let Some(Some(el)) = area.try_get_untracked() else {
                            return;
                        };
                        let id = match outcome {
                            Ok(id) => id,
                            Err(why) => {
                                error.try_set(Some(AppError::Invalid(why)));
                                return;
                            }
                        };
                        let Ok(img) = document().create_element("img") else {
                            return;
                        };
                        let _ = img.set_attribute("src", &crate::urls::upload(&id));
                        let _ = img.set_attribute("alt", &name);
                        let inside = caret.as_ref().filter(|r| {
                            r.common_ancestor_container()
                                .is_ok_and(|node| el.contains(Some(&node)))
                        });
                        match inside {
                            Some(range) => {
                                let _ = range.insert_node(&img);
                            }
                            None => {
                                let _ = el.append_child(&img);
                            }
                        }
                        read();
                    },
                );
            }
        }
        let _ = (e, pasting, error);
    };
    let link = move |_| {
        let address = window()
            .prompt_with_message(t.link_address)
            .ok()
            .flatten()
            .filter(|a| !a.trim().is_empty());
        if let Some(address) = address {
            command("createLink", Some(address.trim().to_owned()));
        }
    };
    view! {
        <div class="rich">
            <div class="toolbar" role="toolbar" aria-label=t.formatting>
                <button type="button" on:click=move |_| command("bold", None)><b>{t.bold}</b></button>
                <button type="button" on:click=move |_| command("italic", None)><i>{t.italic}</i></button>
                <button type="button" on:click=move |_| command("insertUnorderedList", None)>{t.bulleted_list}</button>
                <button type="button" on:click=move |_| command("insertOrderedList", None)>{t.numbered_list}</button>
                <button type="button" on:click=move |_| command("formatBlock", Some("blockquote".into()))>{t.quote}</button>
                <button type="button" on:click=link>{t.link}</button>
            </div>
            <div class="rich-editor" node_ref=area contenteditable="true" role="textbox"
                aria-multiline="true" aria-label=t.message_text on:input=move |_| read()
                on:paste=paste></div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::escape_text;

    #[test]
    fn plain_text_becomes_escaped_lines() {
        assert_eq!(
            escape_text("a <b> & c\nnext"),
            "a &lt;b&gt; &amp; c<br>next"
        );
        assert_eq!(escape_text(""), "");
    }
}
