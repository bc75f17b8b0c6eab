//! Every string of the interface, per language. A language is one file
//! (`en.rs`, `fr.rs`) filling the `Texts` struct, so a missing string is a
//! compile error; adding a language is adding a file and a `Locale` variant.
//!
//! The locale is the account's preference (the browser's `Accept-Language`
//! until one is recorded), rendered by the server and carried to the browser
//! with the other preferences, so that both sides render the same words.

mod en;
mod fr;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Locale::En => &en::TEXTS,
            Locale::Fr => &fr::TEXTS,
        }
    }

    /// The best language of an `Accept-Language` header (by q-value, then order).
    #[cfg(feature = "ssr")]
    pub fn negotiate(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or_default();
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::from_code(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or(Locale::En)
    }
}

/// The language in force (chosen by the preferences, see `crate::prefs`).
pub fn current() -> Locale {
    use_context::<RwSignal<Locale>>()
        .map(|l| l.get_untracked())
        .unwrap_or(Locale::En)
}

/// The current language's strings. Read once by each component: when the
/// language changes, the application is rendered anew (see `App`).
pub fn use_texts() -> &'static Texts {
    current().texts()
}

/// A message from the server in the language of `t`: the first template of
/// `t.server_messages` it fits, its values carried over; as it came otherwise.
pub fn translate(message: &str, t: &Texts) -> String {
    t.server_messages
        .iter()
        .find_map(|(english, local)| {
            let values = fit(english, message)?;
            let mut out = String::with_capacity(local.len() + message.len());
            let mut values = values.into_iter();
            let mut pieces = local.split("{}").peekable();
            while let Some(piece) = pieces.next() {
                out.push_str(piece);
                if pieces.peek().is_some() {
                    out.push_str(values.next().unwrap_or_default());
                }
            }
            Some(out)
        })
        .unwrap_or_else(|| message.to_owned())
}

/// The values that make `message` out of `template` (`{}` for each), if it fits.
fn fit<'m>(template: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let mut pieces = template.split("{}");
    let first = pieces.next().unwrap_or_default();
    let mut rest = message.strip_prefix(first)?;
    let mut values = Vec::new();
    let pieces: Vec<&str> = pieces.collect();
    for (i, piece) in pieces.iter().enumerate() {
        let at = if i + 1 == pieces.len() {
            // The last piece ends the message.
            rest.strip_suffix(piece).map(str::len)?
        } else {
            rest.find(piece)?
        };
        values.push(&rest[..at]);
        rest = &rest[at + piece.len()..];
    }
    rest.is_empty().then_some(values)
}

/// A whole number with the language's digit grouping (`12,345`, `12 345`).
pub fn number(n: u64) -> String {
    let t = use_texts();
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(t.thousands_separator);
        }
        out.push(c);
    }
    out
}

/// The interface's words in one language.
pub struct Texts {
    pub lang: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_in_title: &'static str,
    pub code_title: &'static str,
    pub code_hint: &'static str,
    pub authentication_code: &'static str,
    pub recovery_code: &'static str,
    pub verify: &'static str,
    pub use_recovery_code: &'static str,
    pub use_authenticator: &'static str,
    pub start_again: &'static str,
    pub mail: &'static str,
    pub settings: &'static str,
    pub admin: &'static str,
    pub sign_out: &'static str,
    pub sign_out_everywhere: &'static str,
    pub security: &'static str,
    pub two_factor: &'static str,
    pub two_factor_on: &'static str,
    pub recovery_codes_left: &'static str,
    pub two_factor_off_explained: &'static str,
    pub turn_off_two_factor: &'static str,
    pub current_password: &'static str,
    pub confirm_password_to_set_up: &'static str,
    pub set_up_two_factor: &'static str,
    pub scan_or_type_key: &'static str,
    pub qr_alt: &'static str,
    pub key: &'static str,
    pub enable: &'static str,
    pub two_factor_now_on: &'static str,
    pub keep_recovery_codes: &'static str,
    pub recovery_codes: &'static str,
    pub continue_: &'static str,
    pub enrol_title: &'static str,
    pub enrol_required: &'static str,
    pub password_heading: &'static str,
    pub new_password: &'static str,
    pub new_password_again: &'static str,
    pub password_hint: &'static str,
    pub change_password: &'static str,
    pub choose_password_title: &'static str,
    pub choose_password_why: &'static str,
    pub loading: &'static str,
    pub error_wrong_credentials: &'static str,
    pub error_wrong_code: &'static str,
    pub error_locked: &'static str,
    pub error_disabled: &'static str,
    pub error_not_signed_in: &'static str,
    pub error_forbidden: &'static str,
    pub error_mail_unreachable: &'static str,
    pub error_internal: &'static str,
    pub error_transport: &'static str,
    pub folders: &'static str,
    pub messages: &'static str,
    pub col_from: &'static str,
    pub col_subject: &'static str,
    pub col_date: &'static str,
    pub col_size: &'static str,
    pub no_messages: &'static str,
    pub no_results: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub range_of: &'static str,
    pub unread_count: &'static str,
    pub unread_mark: &'static str,
    pub flagged_mark: &'static str,
    pub attachment_mark: &'static str,
    pub select_all: &'static str,
    pub select_message: &'static str,
    pub mark_read: &'static str,
    pub mark_unread: &'static str,
    pub flag: &'static str,
    pub unflag: &'static str,
    pub archive: &'static str,
    pub delete: &'static str,
    pub junk: &'static str,
    pub move_to: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub only_unread: &'static str,
    pub only_flagged: &'static str,
    pub only_attachments: &'static str,
    pub since: &'static str,
    pub before: &'static str,
    pub all_folders: &'static str,
    pub clear_search: &'static str,
    pub new_folder: &'static str,
    pub create: &'static str,
    pub rename_folder: &'static str,
    pub rename: &'static str,
    pub delete_folder: &'static str,
    pub manage_folders: &'static str,
    pub new_mail: &'static str,
    pub notify_me: &'static str,
    pub back_to: &'static str,
    pub message: &'static str,
    pub attachments: &'static str,
    pub download: &'static str,
    pub preview: &'static str,
    pub risky: &'static str,
    pub view_source: &'static str,
    pub print: &'static str,
    pub load_images: &'static str,
    pub always_load_from: &'static str,
    pub images_trusted: &'static str,
    pub moved_to: &'static str,
    pub deleted: &'static str,
    pub shortcuts_hint: &'static str,
    pub group_conversations: &'static str,
    pub ungroup: &'static str,
    pub in_conversation: &'static str,
    pub compose: &'static str,
    pub to: &'static str,
    pub cc: &'static str,
    pub bcc: &'static str,
    pub message_text: &'static str,
    pub attach_files: &'static str,
    pub drop_files: &'static str,
    pub uploading: &'static str,
    pub remove: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub message_sent: &'static str,
    pub sending_in: &'static str,
    pub undo: &'static str,
    pub send_later: &'static str,
    pub schedule: &'static str,
    pub choose_time: &'static str,
    pub scheduled_for: &'static str,
    pub open_outbox: &'static str,
    pub outbox: &'static str,
    pub outbox_empty: &'static str,
    pub cancel_send: &'static str,
    pub edit: &'static str,
    pub state_waiting: &'static str,
    pub state_sending: &'static str,
    pub state_failed: &'static str,
    pub undo_delay: &'static str,
    pub no_delay: &'static str,
    pub saved: &'static str,
    pub too_large: &'static str,
    pub on_wrote: &'static str,
    pub forwarded: &'static str,
    pub reply: &'static str,
    pub reply_all: &'static str,
    pub forward: &'static str,
    pub draft_saved: &'static str,
    pub draft_not_saved: &'static str,
    pub draft_kept_locally: &'static str,
    pub identities: &'static str,
    pub display_name: &'static str,
    pub signature: &'static str,
    pub add_identity: &'static str,
    pub save_identity: &'static str,
    pub make_default: &'static str,
    pub default_mark: &'static str,
    pub main_menu: &'static str,
    pub account: &'static str,
    pub close: &'static str,
    pub shortcuts: &'static str,
    pub key_compose: &'static str,
    pub key_search: &'static str,
    pub key_next_previous: &'static str,
    pub key_open: &'static str,
    pub key_flag: &'static str,
    pub key_help: &'static str,
    pub move_selected: &'static str,
    pub reading_pane: &'static str,
    pub no_message_open: &'static str,
    pub pages: &'static str,
    pub unit_bytes: &'static str,
    pub unit_kb: &'static str,
    pub unit_mb: &'static str,
    pub decimal_mark: &'static str,
    pub thousands_separator: &'static str,
    pub message_actions: &'static str,
    pub general: &'static str,
    pub reading: &'static str,
    pub composing: &'static str,
    pub language: &'static str,
    pub language_name: &'static str,
    pub theme: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub density: &'static str,
    pub density_comfortable: &'static str,
    pub density_compact: &'static str,
    pub page_size: &'static str,
    pub date_format: &'static str,
    pub date_format_locale: &'static str,
    pub date_format_iso: &'static str,
    pub time_zone: &'static str,
    pub browser_time_zone: &'static str,
    pub keyboard_shortcuts: &'static str,
    pub reading_pane_on: &'static str,
    pub conversation_view: &'static str,
    pub remote_content: &'static str,
    pub remote_ask: &'static str,
    pub remote_always: &'static str,
    pub trusted_senders: &'static str,
    pub no_trusted_senders: &'static str,
    pub stop_trusting: &'static str,
    pub active_sessions: &'static str,
    pub device: &'static str,
    pub ip_address: &'static str,
    pub last_seen: &'static str,
    pub actions: &'static str,
    pub this_session: &'static str,
    pub sign_in_history: &'static str,
    pub when: &'static str,
    pub what: &'static str,
    pub who: &'static str,
    pub detail: &'static str,
    pub event_signed_in: &'static str,
    pub event_password_ok: &'static str,
    pub event_failed: &'static str,
    pub event_lockout: &'static str,
    pub event_refused_locked: &'static str,
    pub event_wrong_code: &'static str,
    pub event_code_lockout: &'static str,
    pub event_other: &'static str,
    pub account_created: &'static str,
    pub administration: &'static str,
    pub audit_log: &'static str,
    pub create_an_account: &'static str,
    pub initial_password: &'static str,
    pub initial_password_hint: &'static str,
    pub administrator: &'static str,
    pub create_account: &'static str,
    pub accounts: &'static str,
    pub search_accounts: &'static str,
    pub role: &'static str,
    pub state: &'static str,
    pub two_factor_short: &'static str,
    pub last_sign_in: &'static str,
    pub new_password_for: &'static str,
    pub role_admin: &'static str,
    pub role_user: &'static str,
    pub state_disabled: &'static str,
    pub state_active: &'static str,
    pub on: &'static str,
    pub off: &'static str,
    pub never: &'static str,
    pub disable: &'static str,
    pub make_user: &'static str,
    pub make_admin: &'static str,
    pub reset_two_factor: &'static str,
    pub reset_password: &'static str,
    pub two_factor_policy: &'static str,
    pub who_must_use_two_factor: &'static str,
    pub policy_optional: &'static str,
    pub policy_admins: &'static str,
    pub policy_everyone: &'static str,
    pub save_policy: &'static str,
    pub provisioning_on: &'static str,
    pub provisioning_off: &'static str,
    pub stop_provisioning: &'static str,
    pub start_provisioning: &'static str,
    pub audit_who: &'static str,
    pub audit_action: &'static str,
    pub audit_from: &'static str,
    pub audit_to: &'static str,
    pub filter: &'static str,
    pub compose_format: &'static str,
    pub format_plain: &'static str,
    pub format_rich: &'static str,
    pub format: &'static str,
    pub bold: &'static str,
    pub italic: &'static str,
    pub bulleted_list: &'static str,
    pub numbered_list: &'static str,
    pub quote: &'static str,
    pub link: &'static str,
    pub link_address: &'static str,
    pub formatting: &'static str,
    pub forward_as_attachment: &'static str,
    pub not_found: &'static str,
    pub nothing_here: &'static str,
    pub back_to_mail: &'static str,
    /// The server's own messages (written in English by the domain) in this
    /// language: `(English, translation)` templates where `{}` stands for a
    /// value carried over in order. Empty for English.
    pub server_messages: &'static [(&'static str, &'static str)],
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn negotiates_the_browser_language() {
        assert_eq!(Locale::negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE,en;q=0.5,fr;q=0.7"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::from_code("FR_ca"), Some(Locale::Fr));
    }

    #[test]
    fn every_language_fills_every_string() {
        for l in Locale::ALL {
            let t = l.texts();
            assert_eq!(t.lang, l.code());
            for s in [
                t.email,
                t.password,
                t.sign_in,
                t.authentication_code,
                t.verify,
                t.enable,
            ] {
                assert!(!s.trim().is_empty());
            }
            assert!(
                t.error_locked.contains("{}"),
                "the lock message shows the seconds"
            );
        }
        assert_ne!(Locale::Fr.texts().password, Locale::En.texts().password);
    }

    #[test]
    fn server_messages_are_translated_with_their_values() {
        let fr = Locale::Fr.texts();
        assert_eq!(
            translate("To: `bob@` is not an email address.", fr),
            "À : « bob@ » n’est pas une adresse e-mail."
        );
        assert_eq!(
            translate("A message can carry at most 25 MB of attachments.", fr),
            "Un message peut porter au plus 25 Mo de pièces jointes."
        );
        assert_eq!(
            translate("Add at least one recipient.", fr),
            "Ajoutez au moins un destinataire."
        );
        assert_eq!(
            translate("Something nobody wrote down.", fr),
            "Something nobody wrote down.",
            "unknown messages come as they are"
        );
        assert_eq!(
            translate("Add at least one recipient. Or two.", fr),
            "Add at least one recipient. Or two."
        );
        let en = Locale::En.texts();
        assert_eq!(
            translate("Add at least one recipient.", en),
            "Add at least one recipient."
        );
        for t in Locale::ALL.map(Locale::texts) {
            for (english, local) in t.server_messages {
                assert_eq!(
                    english.matches("{}").count(),
                    local.matches("{}").count(),
                    "{english} / {local}"
                );
            }
        }
    }
}
