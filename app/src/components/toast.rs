//! Toasts: short results of background work ("Message sent", "Moved to
//! Archive — Undo"), kept across page changes and announced politely.

use std::time::Duration;

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_texts;

/// How long a toast stays; one that can be undone stays longer.
const SHOWN: Duration = Duration::from_secs(6);
const SHOWN_WITH_UNDO: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Toast {
    id: u64,
    text: String,
    error: bool,
    undo: Option<Callback<()>>,
}

/// Where pages put their toasts.
#[derive(Clone, Copy)]
pub struct Toaster {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toaster {
    fn push(&self, text: String, error: bool, undo: Option<Callback<()>>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let shown = if undo.is_some() {
            SHOWN_WITH_UNDO
        } else {
            SHOWN
        };
        self.items.update(|items| {
            items.push(Toast {
                id,
                text,
                error,
                undo,
            });
            // Only the latest few: a burst of actions does not bury the page.
            let excess = items.len().saturating_sub(3);
            items.drain(..excess);
        });
        let items = self.items;
        set_timeout(
            move || items.update(|list| list.retain(|t| t.id != id)),
            shown,
        );
    }

    pub fn say(&self, text: impl Into<String>) {
        self.push(text.into(), false, None);
    }

    /// A result with an Undo button that calls `undo`.
    pub fn undoable(&self, text: impl Into<String>, undo: impl Fn() + Send + Sync + 'static) {
        self.push(text.into(), false, Some(Callback::new(move |()| undo())));
    }

    pub fn error(&self, error: &AppError) {
        self.push(error.message(crate::i18n::current().texts()), true, None);
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|list| list.retain(|t| t.id != id));
    }
}

pub fn provide_toaster() {
    provide_context(Toaster {
        items: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    });
}

pub fn use_toaster() -> Toaster {
    use_context::<Toaster>().unwrap_or(Toaster {
        items: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    })
}

/// The toasts, bottom of the window.
#[component]
pub fn Toasts() -> impl IntoView {
    let toaster = use_toaster();
    let t = use_texts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toaster.items.get() key=|toast| toast.id let:toast>
                <div class="toast" class:error=toast.error>
                    <span>{toast.text.clone()}</span>
                    {toast.undo.map(|undo| {
                        let id = toast.id;
                        view! {
                            <button type="button" class="link" on:click=move |_| {
                                toaster.dismiss(id);
                                undo.run(());
                            }>{t.undo}</button>
                        }
                    })}
                    <button type="button" class="link close" aria-label=t.close on:click={
                        let id = toast.id;
                        move |_| toaster.dismiss(id)
                    }>"×"</button>
                </div>
            </For>
        </div>
    }
}
