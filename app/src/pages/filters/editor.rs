//! One rule's editor: a name, all or any conditions, then the actions.

use leptos::prelude::*;

use super::Loaded;
use crate::api::filters::{ActionView, ConditionView, RuleView};
use crate::i18n::{use_texts, Texts};

fn fields(t: &'static Texts) -> [(&'static str, &'static str); 6] {
    [
        ("from", t.field_from),
        ("to_cc", t.field_to_cc),
        ("subject", t.field_subject),
        ("header", t.field_header),
        ("body", t.field_body),
        ("size", t.field_size),
    ]
}

/// The tests that go with a field.
fn ops(field: &str, t: &'static Texts) -> Vec<(&'static str, &'static str)> {
    match field {
        "size" => vec![("over", t.op_over), ("under", t.op_under)],
        "body" => vec![
            ("contains", t.op_contains),
            ("not_contains", t.op_not_contains),
        ],
        _ => vec![
            ("contains", t.op_contains),
            ("not_contains", t.op_not_contains),
            ("is", t.op_is),
            ("matches", t.op_matches),
        ],
    }
}

pub fn kinds(t: &'static Texts) -> [(&'static str, &'static str); 8] {
    [
        ("move", t.action_move),
        ("copy", t.action_copy),
        ("mark_read", t.action_mark_read),
        ("flag", t.action_flag),
        ("keyword", t.action_keyword),
        ("forward", t.action_forward),
        ("discard", t.action_discard),
        ("stop", t.action_stop),
    ]
}

fn options(list: Vec<(&'static str, &'static str)>, current: String) -> impl IntoView {
    list.into_iter()
        .map(|(value, label)| view! { <option value=value selected=value == current>{label}</option> })
        .collect_view()
}

#[component]
pub fn RuleEditor(
    start: RuleView,
    /// Begins the ids of the form's fields (two editors can be open).
    prefix: &'static str,
    folders: Loaded,
    on_save: Callback<RuleView>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let draft = RwSignal::new(start);
    let condition = move |i: usize| {
        let get = move |f: fn(&ConditionView) -> String| {
            move || draft.with(|r| r.conditions.get(i).map(f).unwrap_or_default())
        };
        let set = move |f: fn(&mut ConditionView, String)| {
            move |e: leptos::ev::Event| {
                let v = event_target_value(&e);
                draft.update(|r| {
                    if let Some(c) = r.conditions.get_mut(i) {
                        f(c, v)
                    }
                })
            }
        };
        let field = draft
            .with_untracked(|r| r.conditions.get(i).map(|c| c.field.clone()))
            .unwrap_or_default();
        let op = draft
            .with_untracked(|r| r.conditions.get(i).map(|c| c.op.clone()))
            .unwrap_or_default();
        view! {
            <li class="condition">
                <label class="sr-only" for=format!("{prefix}-cond-field-{i}")>{t.condition_field}</label>
                <select id=format!("{prefix}-cond-field-{i}") on:change=set(|c, v| {
                    c.op = if v == "size" { "over".into() } else { "contains".into() };
                    c.field = v;
                })>{options(fields(t).to_vec(), field.clone())}</select>
                {(field == "header").then(|| view! {
                    <label class="sr-only" for=format!("{prefix}-cond-header-{i}")>{t.condition_header}</label>
                    <input id=format!("{prefix}-cond-header-{i}") type="text" placeholder=t.condition_header
                        prop:value=get(|c| c.header.clone()) on:input=set(|c, v| c.header = v)/>
                })}
                <label class="sr-only" for=format!("{prefix}-cond-op-{i}")>{t.condition_op}</label>
                <select id=format!("{prefix}-cond-op-{i}") on:change=set(|c, v| c.op = v)>{options(ops(&field, t), op)}</select>
                <label class="sr-only" for=format!("{prefix}-cond-value-{i}")>{t.condition_value}</label>
                <input id=format!("{prefix}-cond-value-{i}") type=if field == "size" { "number" } else { "text" }
                    prop:value=get(|c| c.value.clone()) on:input=set(|c, v| c.value = v)/>
                <button type="button" class="link" on:click=move |_| draft.update(|r| { r.conditions.remove(i); })>{t.remove_item}</button>
            </li>
        }
    };
    let action = move |i: usize| {
        let kind = draft
            .with_untracked(|r| r.actions.get(i).map(|a| a.kind.clone()))
            .unwrap_or_default();
        let value = move || {
            draft.with(|r| {
                r.actions
                    .get(i)
                    .map(|a| a.value.clone())
                    .unwrap_or_default()
            })
        };
        let set_value = move |e: leptos::ev::Event| {
            let v = event_target_value(&e);
            draft.update(|r| {
                if let Some(a) = r.actions.get_mut(i) {
                    a.value = v
                }
            });
        };
        let input = match kind.as_str() {
            "move" | "copy" => {
                let current = value();
                let mut names = folders.folder_names();
                if !current.is_empty() && !names.contains(&current) {
                    names.insert(0, current.clone());
                }
                Some(view! {
                    <label class="sr-only" for=format!("{prefix}-action-value-{i}")>{t.action_value}</label>
                    <select id=format!("{prefix}-action-value-{i}") on:change=set_value>
                        <option value="" selected=current.is_empty()>"—"</option>
                        {names.into_iter().map(|n| view! { <option value=n.clone() selected=n == current>{n.clone()}</option> }).collect_view()}
                    </select>
                }.into_any())
            }
            "keyword" | "forward" => Some(view! {
                <label class="sr-only" for=format!("{prefix}-action-value-{i}")>{t.action_value}</label>
                <input id=format!("{prefix}-action-value-{i}") type=if kind == "forward" { "email" } else { "text" }
                    prop:value=value on:input=set_value/>
            }.into_any()),
            _ => None,
        };
        view! {
            <li class="action">
                <label class="sr-only" for=format!("{prefix}-action-kind-{i}")>{t.action_kind}</label>
                <select id=format!("{prefix}-action-kind-{i}") on:change=move |e| {
                    let v = event_target_value(&e);
                    draft.update(|r| if let Some(a) = r.actions.get_mut(i) { a.kind = v; a.value.clear(); });
                }>{options(kinds(t).to_vec(), kind.clone())}</select>
                {input}
                <button type="button" class="link" on:click=move |_| draft.update(|r| { r.actions.remove(i); })>{t.remove_item}</button>
            </li>
        }
    };
    // The lists are drawn anew when a line is added, removed or changes kind.
    let shape = move || {
        draft.with(|r| {
            (
                r.conditions
                    .iter()
                    .map(|c| c.field.clone())
                    .collect::<Vec<_>>(),
                r.actions.iter().map(|a| a.kind.clone()).collect::<Vec<_>>(),
            )
        })
    };
    let shape = Memo::new(move |_| shape());
    view! {
        <form class="stack rule-editor" on:submit=move |e| {
            e.prevent_default();
            on_save.run(draft.get_untracked());
        }>
            <label for=format!("{prefix}-name")>{t.rule_name}</label>
            <input id=format!("{prefix}-name") type="text" maxlength="100" required
                prop:value=move || draft.with(|r| r.name.clone())
                on:input=move |e| { let v = event_target_value(&e); draft.update(|r| r.name = v) }/>
            <div class="field check">
                <input type="checkbox" id=format!("{prefix}-enabled") prop:checked=move || draft.with(|r| r.enabled)
                    on:change=move |e| { let on = event_target_checked(&e); draft.update(|r| r.enabled = on) }/>
                <label for=format!("{prefix}-enabled")>{t.rule_enabled}</label>
            </div>
            <fieldset>
                <legend>{t.conditions_heading}</legend>
                <label for=format!("{prefix}-match")>{t.rule_match}</label>
                <select id=format!("{prefix}-match") on:change=move |e| { let all = event_target_value(&e) == "all"; draft.update(|r| r.match_all = all) }>
                    <option value="all" selected=move || draft.with(|r| r.match_all)>{t.match_all}</option>
                    <option value="any" selected=move || draft.with(|r| !r.match_all)>{t.match_any}</option>
                </select>
                {move || {
                    let (conditions, _) = shape.get();
                    if conditions.is_empty() {
                        view! { <p class="muted">{t.no_conditions}</p> }.into_any()
                    } else {
                        view! { <ul class="conditions">{(0..conditions.len()).map(condition).collect_view()}</ul> }.into_any()
                    }
                }}
                <button type="button" on:click=move |_| draft.update(|r| r.conditions.push(ConditionView {
                    field: "from".into(), op: "contains".into(), ..ConditionView::default()
                }))>{t.add_condition}</button>
            </fieldset>
            <fieldset>
                <legend>{t.actions_heading}</legend>
                {move || {
                    let (_, actions) = shape.get();
                    view! { <ul class="actions-list">{(0..actions.len()).map(action).collect_view()}</ul> }
                }}
                <button type="button" on:click=move |_| draft.update(|r| r.actions.push(ActionView {
                    kind: "move".into(), value: String::new(),
                }))>{t.add_action}</button>
            </fieldset>
            <div class="row">
                <button type="submit" class="primary">{t.save_rule}</button>
                <button type="button" on:click=move |_| on_cancel.run(())>{t.cancel}</button>
            </div>
        </form>
    }
}
