//! TOTP (RFC 6238): 160-bit secrets from the OS CSPRNG, 6 digits, 30-second
//! steps, one step of skew either way, constant-time comparison. Which step
//! matched is returned so that the caller can refuse it a second time.

use qrcode::render::svg;
use qrcode::QrCode;
use totp_rs::{Builder, Secret, Totp};

const ISSUER: &str = "Estafette";

/// The shared secret of an authenticator app.
#[derive(Clone)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        TotpSecret(rand::random())
    }

    /// The key as the user types it into an app (RFC 4648 base32).
    pub fn to_base32(&self) -> String {
        Secret::new_stack(self.0).to_base32()
    }

    pub fn from_base32(text: &str) -> Option<Self> {
        let secret = Secret::try_from_base32(text.replace(' ', "").to_uppercase()).ok()?;
        Some(TotpSecret(secret.as_bytes().try_into().ok()?))
    }

    fn totp(&self, account: &str) -> Option<Totp> {
        Builder::new()
            .with_secret(Secret::new_stack(self.0))
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(30)
            .with_account_name(account)
            .with_issuer(Some(ISSUER))
            .build()
            .ok()
    }

    /// `otpauth://totp/…` for QR codes.
    pub fn otpauth_url(&self, account: &str) -> String {
        self.totp(account)
            .and_then(|t| t.to_url().ok())
            .unwrap_or_default()
    }

    /// The enrolment QR code as an SVG document.
    pub fn qr_svg(&self, account: &str) -> String {
        QrCode::new(self.otpauth_url(account).as_bytes())
            .map(|code| {
                code.render::<svg::Color<'_>>()
                    .min_dimensions(200, 200)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default()
    }

    /// The time step (Unix time / 30) whose code `code` is, within ±1 step of `now`.
    pub fn verify(&self, code: &str, now: u64) -> Option<u64> {
        let code = code.trim().replace(' ', "");
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.totp("check")?.check(&code, now)
    }

    /// The code for `time` (authenticator apps and tests).
    pub fn code_at(&self, time: u64) -> String {
        self.totp("code")
            .map(|t| t.generate(time).to_string())
            .unwrap_or_default()
    }
}

/// The step a Unix time falls in.
pub fn step_of(time: u64) -> u64 {
    time / 30
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", T = 59 s.
        let secret = TotpSecret(*b"12345678901234567890");
        assert_eq!(secret.code_at(59), "287082");
        assert_eq!(secret.verify("287082", 59), Some(1));
    }

    #[test]
    fn accepts_one_step_of_skew_and_no_more() {
        let s = TotpSecret::generate();
        let now = 1_800_000_000;
        assert_eq!(s.verify(&s.code_at(now), now), Some(step_of(now)));
        assert_eq!(s.verify(&s.code_at(now - 30), now), Some(step_of(now) - 1));
        assert_eq!(s.verify(&s.code_at(now + 30), now), Some(step_of(now) + 1));
        assert_eq!(s.verify(&s.code_at(now - 90), now), None);
        assert_eq!(s.verify("12345", now), None);
        assert_eq!(s.verify("abcdef", now), None);
    }

    #[test]
    fn secrets_are_160_bits_and_round_trip() {
        let s = TotpSecret::generate();
        assert_eq!(s.to_base32().len(), 32);
        let back = TotpSecret::from_base32(&s.to_base32().to_lowercase()).map(|b| b.0);
        assert_eq!(back, Some(s.0));
        assert!(s
            .otpauth_url("a@b.c")
            .starts_with("otpauth://totp/Estafette:a%40b.c?"));
        assert!(s.qr_svg("a@b.c").contains("<svg"));
        assert!(!format!("{s:?}").contains(&s.to_base32()));
    }
}
