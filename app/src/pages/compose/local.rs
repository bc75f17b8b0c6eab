//! The form as typed, kept in the browser until the server has it, so that
//! a lost connection or a closed tab loses no word. A copy lives only while
//! it is unsaved: it is removed once the server holds the same text.

use crate::api::mail::OutgoingForm;

const PREFIX: &str = "estafette.draft.";

fn storage() -> Option<leptos::web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

pub fn keep(form: &OutgoingForm) {
    if form.send_key.is_empty() {
        return;
    }
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(form)) {
        let _ = storage.set_item(&format!("{PREFIX}{}", form.send_key), &json);
    }
}

pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&format!("{PREFIX}{key}"));
    }
}

/// The unsaved copy of draft `key`, or (without a key) of any draft.
pub fn unsaved(key: Option<&str>) -> Option<OutgoingForm> {
    let storage = storage()?;
    let item = |name: &str| {
        storage
            .get_item(name)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<OutgoingForm>(&json).ok())
    };
    if let Some(key) = key {
        return item(&format!("{PREFIX}{key}"));
    }
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|name| name.starts_with(PREFIX))
        .find_map(|name| item(&name))
}

/// Hands the form to the server as the page goes away (the request
/// outlives the page).
pub fn send_on_leave(form: &OutgoingForm) {
    let Ok(params) = leptos::web_sys::UrlSearchParams::new() else {
        return;
    };
    for (name, value) in [
        ("to", &form.to),
        ("cc", &form.cc),
        ("bcc", &form.bcc),
        ("subject", &form.subject),
        ("text", &form.text),
        ("html", &form.html),
        ("attachments", &form.attachments),
        ("references", &form.references),
        ("send_key", &form.send_key),
        ("identity", &form.identity.to_string()),
    ] {
        params.append(&format!("message[{name}]"), value);
    }
    let _ = leptos::prelude::window()
        .navigator()
        .send_beacon_with_opt_url_search_params("/api/save_draft", Some(&params));
}
