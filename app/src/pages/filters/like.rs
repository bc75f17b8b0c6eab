//! "Filter messages like this": a rule started from a message's sender,
//! list or subject, saved, and if asked applied to the folder's messages
//! now (Sieve acts on new mail only).

use leptos::prelude::*;

use super::editor::RuleEditor;
use super::Loaded;
use crate::api::filters::{add_rule, like_this, ConditionView, LikeView, RuleView};
use crate::components::{use_toaster, ErrorNote};
use crate::error::AppError;
use crate::i18n::use_texts;

/// The rule a message suggests: its list if it has one, else its sender.
pub fn suggested(like: &LikeView) -> RuleView {
    let condition = if like.list_id.is_empty() {
        ConditionView {
            field: "from".into(),
            op: "is".into(),
            value: like.from.clone(),
            ..ConditionView::default()
        }
    } else {
        ConditionView {
            field: "header".into(),
            header: "List-Id".into(),
            op: "contains".into(),
            value: like.list_id.clone(),
        }
    };
    let name = if like.list_id.is_empty() {
        &like.from
    } else {
        &like.list_id
    };
    RuleView {
        name: name.chars().take(100).collect(),
        enabled: true,
        match_all: true,
        conditions: vec![condition],
        actions: Vec::new(),
    }
}

#[component]
pub fn LikeSection(folder: String, uid: u32, loaded: Loaded) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let like = Resource::new(move || (), {
        let folder = folder.clone();
        move |_| like_this(folder.clone(), uid)
    });
    let apply = RwSignal::new(true);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let folder = StoredValue::new(folder);
    view! {
        <Show when=move || !done.get()>
            <section aria-labelledby="like-title" class="like">
                <h2 id="like-title">{t.like_heading}</h2>
                <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || like.get().map(|r| match r {
                        Ok(l) => {
                            let start = suggested(&l);
                            view! {
                                <ul class="muted">
                                    {(!l.from.is_empty()).then(|| view! { <li>{t.like_from.replace("{address}", &l.from)}</li> })}
                                    {(!l.list_id.is_empty()).then(|| view! { <li>{t.like_list.replace("{list}", &l.list_id)}</li> })}
                                    {(!l.subject.is_empty()).then(|| view! { <li>{t.like_subject.replace("{subject}", &l.subject)}</li> })}
                                </ul>
                                <div class="field check">
                                    <input type="checkbox" id="like-apply" prop:checked=move || apply.get()
                                        on:change=move |e| apply.set(event_target_checked(&e))/>
                                    <label for="like-apply">{t.apply_now.replace("{folder}", &folder.get_value())}</label>
                                </div>
                                <RuleEditor start prefix="like" folders=loaded
                                    on_save=Callback::new(move |rule: RuleView| {
                                        let apply_in = if apply.get_untracked() { folder.get_value() } else { String::new() };
                                        leptos::task::spawn_local(async move {
                                            match add_rule(rule, apply_in.clone()).await {
                                                Ok(count) => {
                                                    let text = if apply_in.is_empty() {
                                                        t.rules_saved.to_owned()
                                                    } else {
                                                        t.applied_to.replace("{count}", &count.to_string()).replace("{folder}", &apply_in)
                                                    };
                                                    toaster.say(text);
                                                    done.set(true);
                                                    loaded.again();
                                                }
                                                Err(e) => error.set(Some(e)),
                                            }
                                        });
                                    })
                                    on_cancel=Callback::new(move |()| done.set(true))/>
                                <ErrorNote error/>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Show>
    }
}
