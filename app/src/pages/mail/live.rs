//! Live updates of the open folder (server-sent events) and the desktop
//! notification of new mail.

use leptos::prelude::*;

use crate::urls;

/// Opens the folder's event stream; `changed` calls `on_change`. Closed when
/// the page goes away or the folder changes. A browser gives up on a stream
/// the server answered with an error (the mail server away): then `lost` is
/// set and the stream is opened again every few seconds; once it is back,
/// `on_change` reads what changed meanwhile.
#[cfg(feature = "hydrate")]
pub fn live_updates(
    folder: Memo<String>,
    ready: RwSignal<bool>,
    lost: RwSignal<bool>,
    on_change: impl Fn() + 'static,
) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::EventSource;
    use send_wrapper::SendWrapper;
    const RETRY: std::time::Duration = std::time::Duration::from_secs(5);
    let on_change = std::rc::Rc::new(on_change);
    let attempt = RwSignal::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        let Ok(source) = EventSource::new(&urls::events(&folder.get())) else {
            return;
        };
        let changed = {
            let on_change = on_change.clone();
            Closure::<dyn Fn()>::new(move || on_change())
        };
        let opened = {
            let on_change = on_change.clone();
            Closure::<dyn Fn()>::new(move || {
                ready.try_set(true);
                if lost.get_untracked() {
                    lost.try_set(false);
                    on_change();
                }
            })
        };
        let failed = {
            let source = source.clone();
            Closure::<dyn Fn()>::new(move || {
                ready.try_set(false);
                if source.ready_state() == EventSource::CLOSED {
                    lost.try_set(true);
                    set_timeout(
                        move || {
                            attempt.try_update(|n| *n += 1);
                        },
                        RETRY,
                    );
                }
            })
        };
        let _ =
            source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ready", opened.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, changed, opened, failed));
        on_cleanup(move || {
            ready.try_set(false);
            held.0.close();
        });
    });
}

/// A desktop notification, if the reader allowed them and is looking elsewhere.
#[cfg(feature = "hydrate")]
pub fn notify(title: &str) {
    use leptos::web_sys::{Notification, NotificationPermission};
    if Notification::permission() == NotificationPermission::Granted && document().hidden() {
        let _ = Notification::new(title);
    }
}
