//! A script written elsewhere, as text: checked by the mail server before it
//! is saved, its errors listed with a way to their line.

use leptos::prelude::*;

use super::Loaded;
use crate::api::filters::{save_script, start_over, OtherScriptView};
use crate::components::{use_toaster, ErrorNote};
use crate::error::AppError;
use crate::i18n::use_texts;

/// The lines an error message names (`line 3: …`).
pub fn error_lines(message: &str) -> Vec<u32> {
    let mut lines: Vec<u32> = message
        .match_indices("line ")
        .filter_map(|(at, word)| {
            let digits: String = message[at + word.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect();
    lines.dedup();
    lines
}

/// Selects line `line` of the script's text area.
fn go_to_line(line: u32) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(area) = document()
            .get_element_by_id("script-text")
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok())
        else {
            return;
        };
        let text = area.value();
        let mut start = 0usize;
        for (i, l) in text.split('\n').enumerate() {
            let end = start + l.encode_utf16().count();
            if i + 1 == line as usize {
                let _ = area.focus();
                let _ = area.set_selection_range(start as u32, end as u32);
                return;
            }
            start = end + 1;
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = line;
}

#[component]
pub fn ScriptSection(other: OtherScriptView, editable: bool, loaded: Loaded) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let text = RwSignal::new(other.text.clone());
    let error = RwSignal::new(None::<AppError>);
    let name = StoredValue::new(other.name.clone());
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let (name, text) = (name.get_value(), text.get_untracked());
        leptos::task::spawn_local(async move {
            match save_script(name, text).await {
                Ok(()) => {
                    error.set(None);
                    toaster.say(t.script_saved);
                    loaded.again();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let lines = move || {
        error
            .get()
            .map(|e| error_lines(&e.message(t)))
            .unwrap_or_default()
    };
    view! {
        <section aria-labelledby="script-title">
            <h2 id="script-title">{t.script_heading}</h2>
            <p>{if editable { t.script_kept } else { t.script_changed }}</p>
            {(!editable).then(|| view! {
                <button type="button" on:click=move |_| leptos::task::spawn_local(async move {
                    match start_over().await {
                        Ok(_) => loaded.again(),
                        Err(e) => error.set(Some(e)),
                    }
                })>{t.start_over}</button>
            })}
            <form class="stack" on:submit=save>
                <label for="script-text">{t.script_text.replace("{name}", &other.name)}</label>
                <textarea id="script-text" class="script" rows="16" spellcheck="false" bind:value=text></textarea>
                <ErrorNote error/>
                {move || lines().into_iter().map(|line| view! {
                    <button type="button" class="link" on:click=move |_| go_to_line(line)>
                        {t.go_to_line.replace("{line}", &line.to_string())}
                    </button>
                }).collect_view()}
                <button type="submit" class="primary">{t.save_script}</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::error_lines;

    #[test]
    fn finds_the_lines_an_error_names() {
        assert_eq!(
            error_lines("line 3: error: unknown command 'x'.\nline 12: error: y"),
            vec![3, 12]
        );
        assert_eq!(error_lines("no line here"), Vec::<u32>::new());
    }

    #[test]
    fn the_domains_refusals_are_translated() {
        use crate::i18n::{translate, Locale};
        let fr = Locale::Fr.texts();
        assert_eq!(
            translate(
                "Your organisation does not allow forwarding outside its domains (x@elsewhere.example).",
                fr
            ),
            "Votre organisation n’autorise pas le transfert hors de ses domaines (x@elsewhere.example)."
        );
        assert_eq!(
            translate(
                "Filters are run by the mail server, and no ManageSieve server answers at mail.example.org:4190.",
                fr
            ),
            "Les filtres sont appliqués par le serveur de courrier, et aucun serveur ManageSieve ne répond à mail.example.org:4190."
        );
    }
}
