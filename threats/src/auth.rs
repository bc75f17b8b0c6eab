//! The verdict on the sender from authentication results: DMARC when the
//! server checked it, otherwise DKIM or SPF aligned with the From domain
//! (same registrable domain, as DMARC's relaxed mode).

use crate::auth_results::{MethodResult, Results};
use crate::domain;
use crate::report::{summary, Authentication, Verdict};

fn aligned(value: Option<&str>, from: &str) -> bool {
    let Some(value) = value else { return false };
    let host = value.rsplit('@').next().unwrap_or(value);
    domain::to_ascii(host).is_some_and(|d| domain::registrable(&d) == from)
}

fn is(result: Option<&MethodResult>, values: &[&str]) -> bool {
    result.is_some_and(|r| values.contains(&r.result.as_str()))
}

/// `from` is the From address's domain (ASCII).
pub fn verdict(results: &Results, from: Option<&str>) -> Authentication {
    let from_reg = from.map(domain::registrable);
    let shown = from_reg.as_deref().map(domain::to_unicode);
    let dkim_pass: Vec<&MethodResult> =
        results.dkim.iter().filter(|r| r.result == "pass").collect();
    let verdict = match from_reg.as_deref() {
        None => Verdict::None,
        Some(from) => {
            let aligned_dkim = dkim_pass.iter().any(|r| {
                aligned(r.property("header.d"), from) || aligned(r.property("header.i"), from)
            });
            let spf = results.spf.as_ref();
            let aligned_spf = is(spf, &["pass"])
                && (aligned(spf.and_then(|s| s.property("smtp.mailfrom")), from)
                    || (spf.and_then(|s| s.property("smtp.mailfrom")).is_none()
                        && aligned(spf.and_then(|s| s.property("smtp.helo")), from)));
            // Submitted by one of the receiving server's own users, signed
            // in as an address of the From's domain (internal mail, which
            // no SPF or DKIM check sees).
            let auth = results.auth.as_ref();
            let aligned_auth =
                is(auth, &["pass"]) && aligned(auth.and_then(|a| a.property("smtp.auth")), from);
            if is(results.dmarc.as_ref(), &["fail"]) {
                Verdict::Fail
            } else if is(results.dmarc.as_ref(), &["pass"])
                || aligned_dkim
                || aligned_spf
                || aligned_auth
            {
                Verdict::Pass
            } else if is(spf, &["fail", "softfail"]) {
                Verdict::Fail
            } else {
                Verdict::None
            }
        }
    };
    let dkim = dkim_pass
        .first()
        .copied()
        .or(results.dkim.first())
        .map(|r| r.result.clone());
    Authentication {
        verdict,
        spf: results.spf.as_ref().map(|r| r.result.clone()),
        dkim,
        dmarc: results.dmarc.as_ref().map(|r| r.result.clone()),
        authserv_id: results.authserv_id.clone(),
        summary: summary(verdict, shown.as_deref()),
        domain: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth_results::trusted;

    fn check(header: &str, from: &str) -> Authentication {
        let ids = vec!["mx.example.org".to_owned()];
        let results = trusted([header], &ids).expect("trusted");
        verdict(&results, Some(from))
    }

    #[test]
    fn dmarc_decides_when_present() {
        let a = check(
            "mx.example.org; spf=fail smtp.mailfrom=x.test; dkim=pass header.d=bank.example; dmarc=pass",
            "bank.example",
        );
        assert_eq!(a.verdict, Verdict::Pass);
        assert_eq!(a.summary, "Verified: sent by bank.example");
        let a = check(
            "mx.example.org; dmarc=fail header.from=paypal.com",
            "paypal.com",
        );
        assert_eq!(a.verdict, Verdict::Fail);
        assert_eq!(
            a.summary,
            "Failed: this message claims to be from paypal.com but was not sent by it"
        );
        assert_eq!(a.dmarc.as_deref(), Some("fail"));
        assert_eq!(a.authserv_id.as_deref(), Some("mx.example.org"));
    }

    #[test]
    fn without_dmarc_alignment_decides() {
        let from = "news.shop.example";
        let a = check("mx.example.org; dkim=pass header.d=shop.example", from);
        assert_eq!(a.verdict, Verdict::Pass);
        assert_eq!(a.domain.as_deref(), Some("shop.example"));
        let a = check(
            "mx.example.org; spf=pass smtp.mailfrom=bounce@mail.shop.example",
            from,
        );
        assert_eq!(a.verdict, Verdict::Pass);
        // A passing signature of someone else proves nothing about the From.
        let a = check("mx.example.org; dkim=pass header.d=mailer.test", from);
        assert_eq!(a.verdict, Verdict::None);
        assert_eq!(a.summary, "Could not be verified");
        let a = check(
            "mx.example.org; spf=softfail smtp.mailfrom=x@evil.test; dkim=pass header.d=mailer.test",
            from,
        );
        assert_eq!(a.verdict, Verdict::Fail);
        let a = check(
            "mx.example.org; spf=fail smtp.mailfrom=list.test; dkim=pass header.i=@shop.example",
            from,
        );
        assert_eq!(a.verdict, Verdict::Pass, "aligned DKIM outweighs SPF");
        // A broken signature alone (a list's footer) is not a failure.
        let a = check("mx.example.org; dkim=fail header.d=shop.example", from);
        assert_eq!(a.verdict, Verdict::None);
        assert_eq!(verdict(&Results::default(), None).verdict, Verdict::None);
    }

    #[test]
    fn a_user_of_the_server_signed_in_to_send_is_verified_for_their_own_domain() {
        let a = check(
            "mx.example.org; auth=pass smtp.auth=alice@example.org",
            "example.org",
        );
        assert_eq!(a.verdict, Verdict::Pass);
        // Signed in as someone of another domain: says nothing of this From.
        let a = check(
            "mx.example.org; auth=pass smtp.auth=bob@evil.test",
            "example.org",
        );
        assert_eq!(a.verdict, Verdict::None);
        let a = check(
            "mx.example.org; auth=fail smtp.auth=alice@example.org",
            "example.org",
        );
        assert_eq!(a.verdict, Verdict::None);
        // Written by the sender (another authserv-id), it is not read at all.
        let ids = vec!["mx.example.org".to_owned()];
        let forged = trusted(["evil.test; auth=pass smtp.auth=ceo@example.org"], &ids);
        assert!(forged.is_none_or(|r| verdict(&r, Some("example.org")).verdict != Verdict::Pass));
    }
}
