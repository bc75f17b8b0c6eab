//! The ordered list of rules: on or off, edit, remove, and reorder by drag
//! and drop or by the up and down buttons. Every change is saved at once.

use leptos::prelude::*;

use super::editor::RuleEditor;
use super::Loaded;
use crate::api::filters::{save_rules, FiltersView, RuleView};
use crate::components::{use_toaster, ErrorNote};
use crate::error::AppError;
use crate::i18n::use_texts;

/// Which rule the editor holds: a new one, or the one at an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editing {
    New,
    At(usize),
}

/// A change to the list of rules.
type Edit = Box<dyn FnOnce(&mut Vec<RuleView>)>;

/// Moves the item at `from` to `to`, the others following.
pub fn reorder<T>(list: &mut Vec<T>, from: usize, to: usize) {
    if from < list.len() && to < list.len() && from != to {
        let item = list.remove(from);
        list.insert(to, item);
    }
}

#[component]
pub fn RulesSection(view: FiltersView, loaded: Loaded) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let rules = RwSignal::new(view.rules);
    let editing = RwSignal::new(None::<Editing>);
    let error = RwSignal::new(None::<AppError>);
    let dragged = RwSignal::new(None::<usize>);
    let editable = view.editable;
    // Saves the list as it is now; the server's refusal leaves it as it was.
    let save = move |next: Vec<RuleView>| {
        leptos::task::spawn_local(async move {
            match save_rules(next).await {
                Ok(()) => {
                    error.set(None);
                    editing.set(None);
                    toaster.say(t.rules_saved);
                    loaded.again();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let change = move |edit: Edit| {
        let mut next = rules.get_untracked();
        edit(&mut next);
        save(next);
    };
    let row = move |i: usize, rule: RuleView| {
        let name = rule.name.clone();
        let count = rules.with_untracked(Vec::len);
        view! {
            <li class="rule" draggable=editable.to_string()
                on:dragstart=move |_| dragged.set(Some(i))
                on:dragover=move |e| e.prevent_default()
                on:drop=move |e| {
                    e.prevent_default();
                    if let Some(from) = dragged.get_untracked() {
                        dragged.set(None);
                        change(Box::new(move |list| reorder(list, from, i)));
                    }
                }>
                <span class="rule-handle" aria-hidden="true">"⠿"</span>
                <div class="field check">
                    <input type="checkbox" id=format!("rule-on-{i}") prop:checked=rule.enabled disabled=!editable
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            change(Box::new(move |list| if let Some(r) = list.get_mut(i) { r.enabled = on }));
                        }/>
                    <label for=format!("rule-on-{i}")>{rule.name.clone()}</label>
                </div>
                {(!rule.enabled).then(|| view! { <span class="muted">{t.rule_off}</span> })}
                {editable.then(|| view! {
                    <span class="actions">
                        <button type="button" class="link" on:click=move |_| editing.set(Some(Editing::At(i)))>{t.edit}</button>
                        <button type="button" class="link" disabled=i == 0 aria-label=t.move_up.replace("{name}", &name)
                            on:click=move |_| change(Box::new(move |list| reorder(list, i, i - 1)))>"↑"</button>
                        <button type="button" class="link" disabled=i + 1 == count aria-label=t.move_down.replace("{name}", &name)
                            on:click=move |_| change(Box::new(move |list| reorder(list, i, i + 1)))>"↓"</button>
                        <button type="button" class="link" on:click=move |_| change(Box::new(move |list| { list.remove(i); }))>{t.delete}</button>
                    </span>
                })}
            </li>
        }
    };
    view! {
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">{t.rules_heading}</h2>
            <p class="muted">{t.rules_hint}</p>
            {(!view.forward_outside).then(|| view! { <p class="muted">{t.forward_inside_only}</p> })}
            {move || {
                let list = rules.get();
                if list.is_empty() {
                    view! { <p class="muted">{t.no_rules}</p> }.into_any()
                } else {
                    view! { <ol class="rules" aria-labelledby="rules-title">{list.into_iter().enumerate().map(|(i, r)| row(i, r)).collect_view()}</ol> }.into_any()
                }
            }}
            <ErrorNote error/>
            {move || match editing.get() {
                None => editable.then(|| view! {
                    <button type="button" on:click=move |_| editing.set(Some(Editing::New))>{t.add_rule}</button>
                }).into_any(),
                Some(at) => {
                    let start = match at {
                        Editing::New => RuleView { enabled: true, match_all: true, ..RuleView::default() },
                        Editing::At(i) => rules.with_untracked(|l| l.get(i).cloned()).unwrap_or_default(),
                    };
                    view! {
                        <RuleEditor start prefix="rule" folders=loaded
                            on_save=Callback::new(move |rule: RuleView| change(Box::new(move |list| match at {
                                Editing::New => list.push(rule),
                                Editing::At(i) => if let Some(r) = list.get_mut(i) { *r = rule },
                            })))
                            on_cancel=Callback::new(move |()| editing.set(None))/>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::reorder;

    #[test]
    fn reordering_moves_one_item() {
        let mut list = vec!['a', 'b', 'c', 'd'];
        reorder(&mut list, 0, 2);
        assert_eq!(list, ['b', 'c', 'a', 'd']);
        reorder(&mut list, 3, 0);
        assert_eq!(list, ['d', 'b', 'c', 'a']);
        reorder(&mut list, 1, 9);
        assert_eq!(list, ['d', 'b', 'c', 'a'], "out of range: nothing moves");
    }
}
