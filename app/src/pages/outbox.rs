//! Messages waiting in the outbox: scheduled ones (send later), any still in
//! their undo delay, and those that could not be sent, with the reason.
//! Each can be cancelled (its draft stays in Drafts) or edited.

use estafette_wire::HeldState;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::mail::{outbox, take_back, HeldView};
use crate::components::AppShell;
use crate::components::{ErrorNote, LocalTime};
use crate::error::AppError;
use crate::i18n::use_texts;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let t = use_texts();
    let changed = RwSignal::new(0u32);
    let held = Resource::new(move || changed.get(), |_| outbox());
    let error = RwSignal::new(None::<AppError>);
    // Takes the message back; `edit` then opens its draft in the compose form.
    let take = move |key: String, edit: bool| {
        leptos::task::spawn_local(async move {
            match take_back(key.clone()).await {
                Ok(()) if edit => {
                    #[cfg(feature = "hydrate")]
                    let _ = window()
                        .location()
                        .assign(&format!("/compose?draft={}", crate::urls::encode(&key)));
                    let _ = key;
                }
                Ok(()) => changed.update(|n| *n += 1),
                Err(e) => {
                    error.set(Some(e));
                    changed.update(|n| *n += 1);
                }
            }
        });
    };
    let row = move |h: HeldView| {
        let (cancel_key, edit_key) = (h.key.clone(), h.key.clone());
        let reason = crate::i18n::translate(h.error.as_deref().unwrap_or_default(), t);
        let state = match (h.state, h.retry_at) {
            (HeldState::Sending, _) => t.state_sending.to_owned().into_any(),
            (HeldState::Failed, _) => format!("{} {reason}", t.state_failed).into_any(),
            (HeldState::Retrying, Some(at)) => {
                // The time goes where the language puts it.
                let (before, after) = t
                    .state_retrying
                    .split_once("{time}")
                    .unwrap_or((t.state_retrying, ""));
                view! { {before}<LocalTime unix=at/>{after}" "{reason} }.into_any()
            }
            _ => t.state_waiting.to_owned().into_any(),
        };
        let waiting = h.state != HeldState::Sending;
        view! {
            <li class="held-message" class:failed=h.state == HeldState::Failed class:retrying=h.state == HeldState::Retrying>
                <span class="subject">{h.subject}</span>
                <span class="muted">{h.recipients}</span>
                <span class="date"><LocalTime unix=h.due_at/></span>
                <span class="state" role="status">{state}</span>
                {waiting.then(|| view! {
                    <span class="actions">
                        <button type="button" on:click=move |_| take(edit_key.clone(), true)>{t.edit}</button>
                        <button type="button" on:click=move |_| take(cancel_key.clone(), false)>{t.cancel_send}</button>
                    </span>
                })}
            </li>
        }
    };
    view! {
        <Title text=t.outbox/>
        <AppShell>
            <main class="outbox" id="main">
                <h1>{t.outbox}</h1>
                <ErrorNote error/>
                <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || held.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t.outbox_empty}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="held-list">{list.into_iter().map(row).collect_view()}</ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Transition>
            </main>
        </AppShell>
    }
}
