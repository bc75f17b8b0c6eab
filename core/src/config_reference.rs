//! Every `section.key` of the configuration, read off the types themselves
//! (what their `Deserialize` asks for), and the check that the README's
//! reference table has a row for each and none for a key that is gone.
//!
//! A deserializer that answers every struct with its own field names and
//! every other value with a placeholder walks the whole tree: no derive
//! beyond the one loading already needs, no list kept by hand.

use std::cell::RefCell;

use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::Config;

/// A value at `path` (`server.listen`); leaves write their path to `keys`.
struct Probe<'a> {
    path: String,
    keys: &'a RefCell<Vec<String>>,
}

impl Probe<'_> {
    fn leaf(&self) {
        self.keys.borrow_mut().push(self.path.clone());
    }
}

/// A struct's fields, each given once, with a probe for its value.
struct Fields<'a> {
    path: String,
    fields: std::slice::Iter<'static, &'static str>,
    current: &'static str,
    keys: &'a RefCell<Vec<String>>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(field) = self.fields.next() else {
            return Ok(None);
        };
        self.current = field;
        let key: StrDeserializer<Error> = field.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let path = if self.path.is_empty() {
            self.current.to_owned()
        } else {
            format!("{}.{}", self.path, self.current)
        };
        seed.deserialize(Probe {
            path,
            keys: self.keys,
        })
    }
}

/// An empty list or table.
struct Empty;

impl<'de> SeqAccess<'de> for Empty {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        _: T,
    ) -> Result<Option<T::Value>, Error> {
        Ok(None)
    }
}

impl<'de> MapAccess<'de> for Empty {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _: K) -> Result<Option<K::Value>, Error> {
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _: V) -> Result<V::Value, Error> {
        Err(de::Error::custom("no value"))
    }
}

macro_rules! leaf {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.leaf();
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    leaf! {
        deserialize_any => visit_str(""),
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i64(0),
        deserialize_i16 => visit_i64(0),
        deserialize_i32 => visit_i64(0),
        deserialize_i64 => visit_i64(0),
        deserialize_u8 => visit_u64(0),
        deserialize_u16 => visit_u64(0),
        deserialize_u32 => visit_u64(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f32 => visit_f64(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_char => visit_char('x'),
        deserialize_str => visit_str(""),
        deserialize_string => visit_str(""),
        deserialize_bytes => visit_bytes(b""),
        deserialize_byte_buf => visit_bytes(b""),
        deserialize_option => visit_none(),
        deserialize_unit => visit_unit(),
        deserialize_seq => visit_seq(Empty),
        deserialize_map => visit_map(Empty),
        deserialize_identifier => visit_str(""),
        deserialize_ignored_any => visit_unit(),
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    /// A section (or the whole file): its fields, each probed in turn.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            path: self.path,
            fields: fields.iter(),
            current: "",
            keys: self.keys,
        })
    }

    /// A choice of words (`security = "tls"`): the first one.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.leaf();
        let first = variants.first().copied().unwrap_or_default();
        let variant: StrDeserializer<Error> = first.into_deserializer();
        visitor.visit_enum(variant)
    }
}

/// Every `section.key` the configuration file accepts, in declaration order.
pub fn keys() -> Result<Vec<String>, Error> {
    let keys = RefCell::new(Vec::new());
    Config::deserialize(Probe {
        path: String::new(),
        keys: &keys,
    })?;
    Ok(keys.into_inner())
}

/// The first cell of each row of the README's "Configuration reference" table.
fn documented(readme: &str) -> Vec<String> {
    let section = readme
        .split_once("### Configuration reference\n")
        .map_or("", |(_, after)| after);
    section
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(key, _)| key.to_owned()))
        .collect()
}

/// Each `section.key` the packaged configuration file names, set or
/// commented out (`# key = …` under its `[section]`).
fn packaged(file: &str) -> Vec<String> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in file.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        let line = line.strip_prefix("# ").unwrap_or(line);
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        let key = key.trim();
        if !section.is_empty()
            && !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            found.push(format!("{section}.{key}"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_configuration_names_every_key_and_loads() {
        let file = include_str!("../../dist/estafette.toml");
        let named = packaged(file);
        let keys = keys().expect("walk");
        let missing: Vec<_> = keys.iter().filter(|k| !named.contains(k)).collect();
        assert!(
            missing.is_empty(),
            "dist/estafette.toml does not name {missing:?}"
        );
        let stale: Vec<_> = named.iter().filter(|n| !keys.contains(n)).collect();
        assert!(stale.is_empty(), "dist/estafette.toml names {stale:?}");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("estafette.toml");
        std::fs::write(&path, file).expect("write");
        let config = Config::load(Some(&path), std::iter::empty()).expect("it loads as shipped");
        assert_eq!(
            config.server.site_root,
            std::path::Path::new("/usr/share/estafette/site")
        );
        // Each line commented out is a setting once uncommented.
        for line in file.lines() {
            if let Some(rest) = line.strip_prefix("# ").filter(|r| r.contains(" = ")) {
                if rest.starts_with(|c: char| c.is_ascii_lowercase()) {
                    let parsed: Result<toml::Table, _> = rest.parse();
                    assert!(parsed.is_ok(), "`{rest}` is not TOML: {parsed:?}");
                }
            }
        }
    }

    #[test]
    fn the_walk_finds_nested_keys_of_every_kind() {
        let keys = keys().expect("walk");
        for key in [
            "server.listen",
            "imap.port",
            "smtp.security",
            "mail.authserv_id",
            "auth.provision_domains",
            "limits.max_message_mb",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} not in {keys:?}");
        }
        assert!(keys.iter().all(|k| k.split('.').count() == 2), "{keys:?}");
    }

    #[test]
    fn the_readme_documents_every_key_and_no_other() {
        let readme = include_str!("../../README.md");
        let rows = documented(readme);
        let keys = keys().expect("walk");
        let missing: Vec<_> = keys.iter().filter(|k| !rows.contains(k)).collect();
        assert!(
            missing.is_empty(),
            "README.md, Configuration reference: no row for {missing:?}"
        );
        let stale: Vec<_> = rows.iter().filter(|r| !keys.contains(r)).collect();
        assert!(
            stale.is_empty(),
            "README.md, Configuration reference: rows for keys that do not exist: {stale:?}"
        );
    }
}
