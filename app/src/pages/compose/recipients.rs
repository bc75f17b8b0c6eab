//! Address completion in To, Cc and Bcc: the field being typed in is split
//! at its last comma; suggestions complete the last address and keep the
//! ones before it.

use leptos::prelude::*;

use crate::api::mail::suggest_addresses;
use crate::i18n::use_texts;

/// `(the addresses before the last one, with ", " after them, the last one)`.
pub fn split(value: &str) -> (String, String) {
    match value.rfind(',') {
        Some(i) => (
            format!("{}, ", value[..i].trim_end()),
            value[i + 1..].trim().to_owned(),
        ),
        None => (String::new(), value.trim().to_owned()),
    }
}

/// The completion list the address fields name (`list="contacts"`), for
/// what `typing` holds (the field's whole value).
#[component]
pub fn Suggestions(typing: RwSignal<String>) -> impl IntoView {
    let t = use_texts();
    let suggestions = Resource::new(
        move || split(&typing.get()).1,
        |last| async move {
            if last.chars().count() < 2 {
                return Vec::new();
            }
            suggest_addresses(last).await.unwrap_or_default()
        },
    );
    view! {
        <datalist id="contacts">
            <Transition fallback=|| ()>
                {move || {
                    let head = split(&typing.get()).0;
                    suggestions.get().unwrap_or_default().into_iter().map(|s| {
                        let value = format!("{head}{}", s.value);
                        let label = (!s.label.is_empty()).then(|| format!("{}: {}", t.contacts_group, s.label));
                        view! { <option value=value label=label></option> }
                    }).collect_view()
                }}
            </Transition>
        </datalist>
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn the_last_address_is_the_one_completed() {
        assert_eq!(split("bo"), (String::new(), "bo".into()));
        assert_eq!(
            split("alice@example.test ,  bo "),
            ("alice@example.test, ".into(), "bo".into())
        );
        assert_eq!(
            split("a@x.test, \"Doe, J\" <j@x.test>, c"),
            ("a@x.test, \"Doe, J\" <j@x.test>, ".into(), "c".into())
        );
        assert_eq!(split("a@x.test,"), ("a@x.test, ".into(), String::new()));
    }
}
