//! Drafts that never lose a word: the form is saved to Drafts two seconds
//! after typing stops, kept in the browser until the server has it, tried
//! again while saving fails, and handed to the server when the page goes.

use leptos::prelude::*;

use super::form::Fields;
#[cfg(feature = "hydrate")]
use super::local;
use crate::api::mail::save_draft;
use crate::error::AppError;

/// How saving goes: `saved` is the last save's outcome, for the form to say.
#[derive(Debug, Clone, Copy)]
pub struct Autosave {
    pub saved: RwSignal<Option<Result<(), AppError>>>,
    pending: StoredValue<Option<TimeoutHandle>>,
    /// Set while what is typed is not yet on the server.
    unsaved: StoredValue<bool>,
}

impl Autosave {
    /// Saves `fields` as they change, once `ready` (the form holds what it
    /// starts from) and until `sent`.
    pub fn start(fields: Fields, ready: RwSignal<bool>, sent: RwSignal<bool>) -> Self {
        let this = Autosave {
            saved: RwSignal::new(None),
            pending: StoredValue::new(None),
            unsaved: StoredValue::new(false),
        };
        let Autosave {
            saved,
            pending,
            unsaved,
        } = this;
        let save_now = move || {
            let form = fields.outgoing();
            leptos::task::spawn_local(async move {
                #[cfg(feature = "hydrate")]
                let (key, sent_form) = (form.send_key.clone(), form.clone());
                let result = save_draft(form).await;
                #[cfg(feature = "hydrate")]
                if result.is_ok() {
                    if fields.outgoing() == sent_form {
                        unsaved.set_value(false);
                        local::forget(&key);
                    }
                    // The address names the draft (without a new page: what
                    // is being typed stays as it is), so a reload brings it back.
                    replace_address(&format!("/compose?draft={key}"));
                }
                saved.set(Some(result));
            });
        };
        // Not saved: the browser keeps the text; try again shortly.
        Effect::new(move |_| {
            if matches!(saved.get(), Some(Err(_))) && pending.get_value().is_none() {
                let retry = set_timeout_with_handle(
                    move || {
                        pending.set_value(None);
                        if unsaved.get_value() {
                            save_now();
                        }
                    },
                    std::time::Duration::from_secs(5),
                )
                .ok();
                pending.set_value(retry);
            }
        });
        // Every field the draft holds is tracked here.
        Effect::new(move |_| {
            let blank = fields.is_blank();
            if !ready.get() || sent.get_untracked() || blank {
                return;
            }
            unsaved.set_value(true);
            #[cfg(feature = "hydrate")]
            local::keep(&fields.outgoing());
            this.cancel();
            let handle = set_timeout_with_handle(
                move || {
                    pending.set_value(None);
                    save_now();
                },
                std::time::Duration::from_secs(2),
            )
            .ok();
            pending.set_value(handle);
        });
        // Leaving with unsaved text: the server gets it on the way out.
        #[cfg(feature = "hydrate")]
        {
            let leave = window_event_listener(leptos::ev::pagehide, move |_| {
                if unsaved.get_value() {
                    local::send_on_leave(&fields.outgoing());
                }
            });
            on_cleanup(move || leave.remove());
        }
        this
    }

    /// No save is waiting any more (the message went, or is held).
    pub fn cancel(&self) {
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
    }

    /// The server holds the message with key `key` (sent, or held with its
    /// draft saved): nothing is unsaved, the browser's copy goes.
    pub fn server_has(&self, key: &str) {
        self.unsaved.set_value(false);
        #[cfg(feature = "hydrate")]
        local::forget(key);
        let _ = key;
    }

    /// A new blank message: nothing saved to say, the address a new form's.
    pub fn reset(&self) {
        self.cancel();
        self.saved.set(None);
        #[cfg(feature = "hydrate")]
        replace_address("/compose");
    }
}

/// Changes the page's address without loading a page.
#[cfg(feature = "hydrate")]
fn replace_address(to: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(to));
    }
}
