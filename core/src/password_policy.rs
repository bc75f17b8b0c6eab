//! What makes a password acceptable (OWASP ASVS 5.0 §6.2): 8 characters at
//! least, long ones allowed, no composition rules, not common or easy to guess.

use crate::CoreError;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

pub fn check(password: &str, email: &str) -> Result<(), CoreError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(CoreError::Invalid(format!(
            "the password must have at least {MIN_CHARS} characters (15 or more is better)"
        )));
    }
    if chars > MAX_CHARS {
        return Err(CoreError::Invalid(format!(
            "the password must have at most {MAX_CHARS} characters"
        )));
    }
    let local = email.split('@').next().unwrap_or_default();
    let strength = zxcvbn::zxcvbn(password, &[email, local, "estafette"]);
    if (strength.score() as u8) < 3 {
        return Err(CoreError::Invalid(
            "this password is too common or too easy to guess; a few unrelated words make a strong one"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_common_and_personal_passwords() {
        assert!(check("short", "a@b.c").is_err());
        assert!(check("password123", "a@b.c").is_err());
        assert!(check("alice@example.test", "alice@example.test").is_err());
        assert!(check(&"x".repeat(MAX_CHARS + 1), "a@b.c").is_err());
        assert!(check("violet tractor sings at dawn", "a@b.c").is_ok());
        let long = "a-long-passphrase-of-many-words-kept-whole-by-Estafette-2026-ok!";
        assert_eq!(long.chars().count(), 64);
        assert!(check(long, "a@b.c").is_ok(), "64 characters are allowed");
    }
}
