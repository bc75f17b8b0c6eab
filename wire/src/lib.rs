//! What Estafette's server and browser exchange, defined once for both:
//! the preferences a user chooses (with their defaults) and the names of
//! what a request asks to be done to messages. Only serde: it builds for
//! the browser's wasm32 as for the server.

use serde::{Deserialize, Serialize};

/// The list sizes a user can choose.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

/// What a user chooses on the settings page. Read strictly: a form that
/// leaves one out is malformed (the stored document, which may be older,
/// is read over the defaults by the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    /// The interface's language (`en`, `fr`); `None` until the first page
    /// after sign-in, which records the browser's.
    pub language: Option<String>,
    /// An IANA zone (`Europe/Paris`); empty for the browser's own.
    pub time_zone: String,
    /// How dates are written.
    pub date_format: DateFormat,
    /// Light or dark, or as the system says.
    pub theme: Theme,
    /// How tightly lists are set.
    pub density: Density,
    /// Messages per list page, one of [`PAGE_SIZES`].
    pub page_size: u32,
    /// Messages open beside the list rather than on their own page.
    pub reading_pane: bool,
    /// Lists group conversations unless the address says otherwise.
    pub conversations: bool,
    /// Whether remote content in messages loads.
    pub remote_content: RemoteContent,
    /// Single-key shortcuts (j, k, c, /, ?…) are on.
    pub shortcuts: bool,
    /// How new messages start.
    pub compose_format: ComposeFormat,
    /// How long a sent message waits in the outbox, open to undo (seconds).
    pub undo_send_seconds: u32,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            language: None,
            time_zone: String::new(),
            date_format: DateFormat::default(),
            theme: Theme::default(),
            density: Density::default(),
            page_size: 50,
            reading_pane: true,
            conversations: false,
            remote_content: RemoteContent::default(),
            shortcuts: true,
            compose_format: ComposeFormat::default(),
            undo_send_seconds: 10,
        }
    }
}

/// How dates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateFormat {
    /// The language's usual form.
    #[default]
    Locale,
    /// `2026-11-23 10:42`.
    Iso,
}

impl DateFormat {
    pub const ALL: [DateFormat; 2] = [DateFormat::Locale, DateFormat::Iso];

    /// Its name, as stored and as a form sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::Locale => "locale",
            DateFormat::Iso => "iso",
        }
    }

    /// The one `name` names, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// The interface's colours: as the system says, or always light or dark
/// (`<html data-theme>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// Its name, as stored, as a form sends it and in `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The one `name` names, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// How tightly lists are set (`<html data-density>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    #[default]
    Comfortable,
    Compact,
}

impl Density {
    pub const ALL: [Density; 2] = [Density::Comfortable, Density::Compact];

    /// Its name, as stored, as a form sends it and in `<html data-density>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Density::Comfortable => "comfortable",
            Density::Compact => "compact",
        }
    }

    /// The one `name` names, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// Whether remote content (images, styles from elsewhere) in messages loads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemoteContent {
    /// Blocked, with a button to load it (unless the sender is trusted).
    #[default]
    Ask,
    /// Always loads.
    Always,
}

impl RemoteContent {
    pub const ALL: [RemoteContent; 2] = [RemoteContent::Ask, RemoteContent::Always];

    /// Its name, as stored and as a form sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteContent::Ask => "ask",
            RemoteContent::Always => "always",
        }
    }

    /// The one `name` names, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// How a new message starts: plain or rich (HTML) text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComposeFormat {
    #[default]
    Plain,
    Rich,
}

impl ComposeFormat {
    pub const ALL: [ComposeFormat; 2] = [ComposeFormat::Plain, ComposeFormat::Rich];

    /// Its name, as stored and as a form sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            ComposeFormat::Plain => "plain",
            ComposeFormat::Rich => "rich",
        }
    }

    /// The one `name` names, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// A folder as the folder list shows it: its last name (`label`), indented
/// by its depth, with its role (`inbox`, `drafts`, `sent`, `junk`, `trash`,
/// `archive`, or empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderView {
    pub name: String,
    pub label: String,
    pub depth: u32,
    pub role: String,
    pub unread: u32,
    pub total: u32,
}

/// A mark a message has or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Seen,
    Flagged,
}

/// Where "delete", "archive" and "junk" send messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    Trash,
    Archive,
    Junk,
}

/// How a new message starts from one received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Start {
    #[serde(rename = "reply")]
    Reply,
    #[serde(rename = "all")]
    ReplyAll,
    /// Inline: the text quoted, the attachments attached again.
    #[serde(rename = "forward")]
    Forward,
    /// The whole message attached as it was received (`.eml`).
    #[serde(rename = "forward-eml")]
    ForwardAsAttachment,
}

impl Start {
    /// Its name in a URL (`/compose?start=…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Start::Reply => "reply",
            Start::ReplyAll => "all",
            Start::Forward => "forward",
            Start::ForwardAsAttachment => "forward-eml",
        }
    }

    /// The way a URL names, if it names one.
    pub fn named(name: &str) -> Option<Start> {
        [
            Start::Reply,
            Start::ReplyAll,
            Start::Forward,
            Start::ForwardAsAttachment,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// Where a message held in the outbox stands, as its author's list says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeldState {
    /// Waiting for its time (the undo delay, or send later).
    Waiting,
    /// The mail server could not take it yet; tried again later.
    Retrying,
    Sending,
    /// It will not go; the message says why.
    Failed,
}

/// Who must use two-factor sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoFactorPolicy {
    Optional,
    Admins,
    Everyone,
}

impl TwoFactorPolicy {
    pub const ALL: [TwoFactorPolicy; 3] = [
        TwoFactorPolicy::Optional,
        TwoFactorPolicy::Admins,
        TwoFactorPolicy::Everyone,
    ];

    /// Its name, as stored and as a form sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactorPolicy::Optional => "optional",
            TwoFactorPolicy::Admins => "admins",
            TwoFactorPolicy::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_read_whole_and_written_back_the_same() {
        let partial = serde_json::from_str::<Choices>(r#"{"theme":"dark"}"#);
        assert!(
            partial.is_err(),
            "a form that leaves choices out is refused"
        );
        let all = Choices {
            theme: Theme::Dark,
            ..Choices::default()
        };
        let back: Choices = serde_json::from_str(&serde_json::to_string(&all).unwrap()).unwrap();
        assert_eq!(back, all);
    }

    #[test]
    fn the_choices_on_the_wire_are_the_strings_of_before() {
        let json = serde_json::to_value(Choices::default()).unwrap();
        assert_eq!(json["date_format"], "locale");
        assert_eq!(json["theme"], "system");
        assert_eq!(json["density"], "comfortable");
        assert_eq!(json["remote_content"], "ask");
        assert_eq!(json["compose_format"], "plain");
        let written = serde_json::to_string(&Choices::default()).unwrap();
        for expected in [
            r#""date_format":"locale""#,
            r#""theme":"system""#,
            r#""density":"comfortable""#,
            r#""remote_content":"ask""#,
            r#""compose_format":"plain""#,
        ] {
            assert!(written.contains(expected), "{expected} in {written}");
        }
        // Every name as_str gives is the one serde writes and reads.
        fn same<T>(values: &[T], name: fn(&T) -> &'static str)
        where
            T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            for v in values {
                assert_eq!(
                    serde_json::to_string(v).unwrap(),
                    format!("\"{}\"", name(v))
                );
                let back: T = serde_json::from_str(&format!("\"{}\"", name(v))).unwrap();
                assert_eq!(&back, v);
            }
        }
        same(&DateFormat::ALL, |v| v.as_str());
        same(&Theme::ALL, |v| v.as_str());
        same(&Density::ALL, |v| v.as_str());
        same(&RemoteContent::ALL, |v| v.as_str());
        same(&ComposeFormat::ALL, |v| v.as_str());
        assert_eq!(Theme::named("dark"), Some(Theme::Dark));
        assert_eq!(DateFormat::named("iso"), Some(DateFormat::Iso));
        assert_eq!(Density::named("spacious"), None);
        assert!(serde_json::from_str::<Theme>(r#""neon""#).is_err());
        assert!(serde_json::from_str::<Theme>(r#""Dark""#).is_err());
    }

    #[test]
    fn the_names_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Mark::Flagged).unwrap(),
            r#""flagged""#
        );
        assert_eq!(
            serde_json::from_str::<Destination>(r#""archive""#).unwrap(),
            Destination::Archive
        );
        assert!(serde_json::from_str::<Mark>(r#""deleted""#).is_err());
        for s in [
            Start::Reply,
            Start::ReplyAll,
            Start::Forward,
            Start::ForwardAsAttachment,
        ] {
            assert_eq!(Start::named(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(Start::named("Reply"), None);
        for p in TwoFactorPolicy::ALL {
            assert_eq!(TwoFactorPolicy::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&HeldState::Retrying).unwrap(),
            r#""retrying""#
        );
    }
}
