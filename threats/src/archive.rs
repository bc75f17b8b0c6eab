//! Looking inside zip archives, bounded: the central directory is read
//! (names, sizes, flags) without inflating anything, except nested zips,
//! which are inflated up to a size and a depth, within a budget for the
//! whole message. What cannot be read or checked is itself reported.

use std::io::{Cursor, Read};

use crate::attachments::{is_zip, name_risk};
use crate::report::printable;

/// The largest archive given to the analysis (the message view fetches
/// archives up to this size).
pub const MAX_ARCHIVE_BYTES: u64 = 16 << 20;
/// Entries looked at per archive.
pub const MAX_ENTRIES: usize = 10_000;
/// Zips inside zips are opened this deep.
pub const MAX_DEPTH: usize = 3;
/// A nested zip larger than this (inflated) is not opened.
pub const MAX_NESTED_BYTES: u64 = 8 << 20;
/// Bytes inflated and entries read per message, all archives together.
pub const BUDGET_BYTES: u64 = 32 << 20;
pub const BUDGET_ENTRIES: usize = 50_000;
/// An entry inflating more than this many times its compressed size, and
/// to more than [`BOMB_MIN_BYTES`], is taken for a decompression bomb.
const BOMB_RATIO: u64 = 1_000;
const BOMB_MIN_BYTES: u64 = 100 << 20;

/// What is left to spend on archives for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub bytes: u64,
    pub entries: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: BUDGET_BYTES,
            entries: BUDGET_ENTRIES,
        }
    }
}

/// What an archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing risky among the entries examined.
    Clean {
        entries: usize,
    },
    /// An entry is risky (its path within nested archives, the reason).
    Risky {
        entry: String,
        reason: &'static str,
        what: &'static str,
    },
    Encrypted {
        entry: String,
    },
    Unreadable,
    /// Not given to the analysis (larger than the cap).
    TooLarge,
    /// More entries, nesting or inflated bytes than the analysis spends;
    /// or a decompression bomb.
    Limits {
        what: &'static str,
    },
}

/// Looks inside a zip.
pub fn inspect(bytes: &[u8], budget: &mut Budget) -> Outcome {
    if bytes.len() as u64 > MAX_ARCHIVE_BYTES {
        return Outcome::TooLarge;
    }
    inspect_at(bytes, "", 0, budget)
}

fn inspect_at(bytes: &[u8], path: &str, depth: usize, budget: &mut Budget) -> Outcome {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Outcome::Unreadable;
    };
    let total = zip.len();
    if total > MAX_ENTRIES || total > budget.entries {
        return Outcome::Limits {
            what: "too many files to check",
        };
    }
    budget.entries -= total;
    let mut declared: u64 = 0;
    for i in 0..total {
        let (name, encrypted, size, compressed) = match zip.by_index_raw(i) {
            Ok(f) => (
                f.name().chars().take(1024).collect::<String>(),
                f.encrypted(),
                f.size(),
                f.compressed_size(),
            ),
            Err(_) => return Outcome::Unreadable,
        };
        let full = format!("{path}{name}");
        if encrypted {
            return Outcome::Encrypted { entry: full };
        }
        if let Some((risk, trick)) = name_risk(&name, "application/octet-stream") {
            return Outcome::Risky {
                entry: full,
                reason: trick.unwrap_or(risk.reason),
                what: risk.what,
            };
        }
        declared = declared.saturating_add(size);
        if size > BOMB_MIN_BYTES && size / compressed.max(1) > BOMB_RATIO {
            return Outcome::Limits {
                what: "a decompression bomb",
            };
        }
        if !is_zip(&name, "") {
            continue;
        }
        if depth + 1 > MAX_DEPTH {
            return Outcome::Limits {
                what: "archives nested too deep to check",
            };
        }
        if size > MAX_NESTED_BYTES || size > budget.bytes {
            return Outcome::Limits {
                what: "an inner archive too large to check",
            };
        }
        let mut inner = Vec::new();
        let read = match zip.by_index(i) {
            Ok(f) => f.take(size.min(budget.bytes) + 1).read_to_end(&mut inner),
            Err(_) => return Outcome::Unreadable,
        };
        if read.is_err() {
            return Outcome::Unreadable;
        }
        // The directory may lie about sizes: what was inflated counts.
        budget.bytes = budget.bytes.saturating_sub(inner.len() as u64);
        if inner.len() as u64 > size {
            return Outcome::Limits {
                what: "an inner archive larger than it says",
            };
        }
        match inspect_at(&inner, &format!("{full}/"), depth + 1, budget) {
            Outcome::Clean { .. } => {}
            other => return other,
        }
    }
    if declared > u64::from(u32::MAX) {
        return Outcome::Limits {
            what: "a decompression bomb",
        };
    }
    Outcome::Clean { entries: total }
}

/// The warning an outcome deserves, if any.
pub fn finding(shown: &str, outcome: Outcome, size: u64) -> Option<crate::attachments::Finding> {
    use crate::attachments::Finding;
    let (reason, detail, entry) = match outcome {
        Outcome::Clean { .. } => return None,
        Outcome::Risky {
            entry,
            reason,
            what,
        } => {
            let e = printable(&entry);
            let trick = match reason {
                "double-extension" => " disguised by a double extension",
                "bidi-control" => " whose name hides its real extension",
                _ => "",
            };
            (
                "archive-content",
                format!("the archive “{shown}” holds “{e}”, {what}{trick}"),
                Some(e),
            )
        }
        Outcome::Encrypted { entry } => {
            let e = printable(&entry);
            (
                "encrypted-archive",
                format!(
                    "the archive “{shown}” is encrypted, so its content cannot be checked (“{e}”)"
                ),
                Some(e),
            )
        }
        Outcome::Unreadable => (
            "unreadable-archive",
            format!("the archive “{shown}” cannot be read, so its content cannot be checked"),
            None,
        ),
        Outcome::TooLarge => (
            "archive-too-large",
            format!(
                "the archive “{shown}” ({} MB) is too large for its content to be checked",
                size.div_ceil(1 << 20)
            ),
            None,
        ),
        Outcome::Limits { what } => (
            "archive-limits",
            format!("the archive “{shown}” holds {what}, so its content cannot all be checked"),
            None,
        ),
    };
    Some(Finding {
        reason,
        detail,
        entry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default())
                .expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    /// Offsets of the central directory headers.
    fn central_headers(zip: &[u8]) -> Vec<usize> {
        zip.windows(4)
            .enumerate()
            .filter(|(_, w)| *w == [0x50, 0x4b, 0x01, 0x02])
            .map(|(i, _)| i)
            .collect()
    }

    fn check(bytes: &[u8]) -> Outcome {
        inspect(bytes, &mut Budget::default())
    }

    #[test]
    fn a_zip_of_documents_is_clean() {
        let z = zip_of(&[("a.pdf", b"%PDF"), ("b/photo.jpg", b"x"), ("c.docx", b"x")]);
        assert_eq!(check(&z), Outcome::Clean { entries: 3 });
    }

    #[test]
    fn risky_entries_are_found_even_nested() {
        let z = zip_of(&[("a.pdf", b"%PDF"), ("invoice.pdf.exe", b"MZ")]);
        assert!(matches!(
            check(&z),
            Outcome::Risky { entry, reason: "double-extension", .. } if entry == "invoice.pdf.exe"
        ));
        let inner = zip_of(&[("run.js", b"x")]);
        let outer = zip_of(&[("ok.txt", b"x"), ("more.zip", &inner)]);
        assert!(matches!(
            check(&outer),
            Outcome::Risky { entry, reason: "script", .. } if entry == "more.zip/run.js"
        ));
        let z = zip_of(&[("a\r\nb\u{202e}fdp.exe", b"x")]);
        let f = finding("x.zip", check(&z), 1).expect("finding");
        assert_eq!(f.reason, "archive-content");
        let entry = f.entry.unwrap_or_default();
        assert!(!entry.contains(['\r', '\n', '\u{202e}']), "{entry:?}");
    }

    #[test]
    fn nesting_is_bounded() {
        let mut z = zip_of(&[("deep.exe", b"x")]);
        for _ in 0..6 {
            z = zip_of(&[("nested.zip", &z)]);
        }
        assert_eq!(
            check(&z),
            Outcome::Limits {
                what: "archives nested too deep to check"
            }
        );
    }

    #[test]
    fn encrypted_and_broken_archives_are_reported() {
        let mut z = zip_of(&[("secret.pdf", b"x")]);
        for at in central_headers(&z) {
            z[at + 8] |= 1; // general purpose flag: encrypted
        }
        assert!(matches!(check(&z), Outcome::Encrypted { entry } if entry == "secret.pdf"));
        assert_eq!(check(b"PK\x03\x04 not really a zip"), Outcome::Unreadable);
        assert_eq!(check(&[]), Outcome::Unreadable);
    }

    #[test]
    fn bombs_and_crowds_stay_bounded() {
        let many: Vec<(String, &[u8])> = (0..MAX_ENTRIES + 1)
            .map(|i| (format!("f{i}.txt"), &b""[..]))
            .collect();
        let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        assert_eq!(
            check(&zip_of(&refs)),
            Outcome::Limits {
                what: "too many files to check"
            }
        );
        // An entry claiming 4 GB from a few bytes.
        let mut z = zip_of(&[("big.txt", &[0u8; 1000])]);
        for at in central_headers(&z) {
            z[at + 24..at + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        assert_eq!(
            check(&z),
            Outcome::Limits {
                what: "a decompression bomb"
            }
        );
        // An inner zip inflating past what it declares is cut at its size.
        let inner = zip_of(&[("a.txt", &[b'a'; 100_000])]);
        let mut z = zip_of(&[("inner.zip", &inner)]);
        for at in central_headers(&z).into_iter().take(1) {
            z[at + 24..at + 28].copy_from_slice(&100u32.to_le_bytes());
        }
        let mut budget = Budget::default();
        let outcome = inspect(&z, &mut budget);
        assert_ne!(outcome, Outcome::Clean { entries: 1 });
        assert!(
            BUDGET_BYTES - budget.bytes <= 101,
            "inflated at most its size + 1"
        );
        // The budget is shared by all the archives of a message.
        let inner = zip_of(&[("a.txt", b"x")]);
        let outer = zip_of(&[("1.zip", &inner), ("2.zip", &inner)]);
        let mut small = Budget {
            bytes: inner.len() as u64 + 10,
            entries: 100,
        };
        assert!(matches!(
            inspect(&outer, &mut small),
            Outcome::Limits { .. }
        ));
    }
}
