//! An identity's signature in the text: added once, swapped when another
//! identity is chosen, never twice.

/// The block a signature takes at the end of the text (`-- ` above it, as
/// mail readers recognise), or nothing for no signature.
pub fn block(signature: &str) -> String {
    if signature.is_empty() {
        String::new()
    } else {
        format!("\n\n-- \n{signature}")
    }
}

/// `text` with the signature `old` replaced by `new`; when `old` is not
/// there (none yet, or edited away), `new` is put first, above any quote,
/// unless the text already holds it.
pub fn swap(text: &str, old: &str, new: &str) -> String {
    let (old, new) = (block(old), block(new));
    if !old.is_empty() && text.contains(&old) {
        text.replacen(&old, &new, 1)
    } else if !new.is_empty() && !text.contains(&new) {
        format!("{new}{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_added_above_the_quote_once() {
        let quote = "\n\nOn Monday, Bob wrote:\n> hello";
        let signed = swap(quote, "", "Alice");
        assert_eq!(signed, format!("\n\n-- \nAlice{quote}"));
        assert_eq!(swap(&signed, "", "Alice"), signed, "not twice");
        assert_eq!(swap("", "", ""), "", "no signature, nothing added");
    }

    #[test]
    fn another_identity_swaps_its_signature_and_keeps_the_words() {
        let text = "Hi Bob,\n\nSee you.\n\n-- \nAlice\nSales";
        assert_eq!(
            swap(text, "Alice\nSales", "A. from home"),
            "Hi Bob,\n\nSee you.\n\n-- \nA. from home"
        );
        // To an identity without one: the old one goes.
        assert_eq!(swap(text, "Alice\nSales", ""), "Hi Bob,\n\nSee you.");
        // The old one edited away: the new one goes first, the words stay.
        assert_eq!(swap("Hi Bob", "Alice\nSales", "Al"), "\n\n-- \nAlHi Bob");
    }
}
