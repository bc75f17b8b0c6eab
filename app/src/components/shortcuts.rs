//! The shortcuts every page shares: `c` compose, `/` search, `?` the list of
//! shortcuts (all of `crate::keys`). The mail and message pages act on the
//! others; all follow the "keyboard shortcuts" preference.

use leptos::prelude::*;

use crate::i18n::use_texts;
#[cfg(feature = "hydrate")]
use crate::prefs::use_prefs;

/// Whether single-key shortcuts should act on this key press: they are on,
/// and the key was not typed into a field or held with a modifier.
#[cfg(feature = "hydrate")]
pub fn shortcut_key(e: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let in_field = e
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        });
    use_prefs().with_untracked(|p| p.shortcuts)
        && !(e.ctrl_key() || e.meta_key() || e.alt_key() || in_field)
}

/// Moves the focus to the element with `id`, if the page has it.
#[cfg(feature = "hydrate")]
pub fn focus(id: &str) -> bool {
    use leptos::wasm_bindgen::JsCast;
    document()
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        .is_some_and(|el| el.focus().is_ok())
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let t = use_texts();
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            if e.key() == "Escape" && open.get_untracked() {
                open.set(false);
                return;
            }
            if !shortcut_key(&e) {
                return;
            }
            use crate::keys::Command;
            match crate::keys::command(&e.key()) {
                Some(Command::Compose) => {
                    e.prevent_default();
                    navigate("/compose", Default::default());
                }
                Some(Command::Search) => {
                    e.prevent_default();
                    focus("search");
                }
                Some(Command::Help) => {
                    open.update(|o| *o = !*o);
                    if open.get_untracked() {
                        focus("shortcuts-close");
                    }
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    let keys = crate::keys::help(t);
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{t.shortcuts}</h2>
                <dl class="shortcut-list">
                    {keys.clone().into_iter().map(|(key, what)| view! {
                        <div><dt><kbd>{key}</kbd></dt><dd>{what}</dd></div>
                    }).collect_view()}
                </dl>
                <button type="button" id="shortcuts-close" on:click=move |_| open.set(false)>{t.close}</button>
            </div>
        </Show>
    }
}
