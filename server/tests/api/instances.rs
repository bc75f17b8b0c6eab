//! Several instances on one PostgreSQL: a session moves between them, an
//! admin action on one holds on the other at once, and so do rate limits.

use estafette_core::accounts::Actor;
use estafette_store::AccountState;

use crate::helpers::{account_on_both, two_on_postgres, TestApp, PASSWORD};

#[tokio::test]
async fn two_instances_on_postgresql_share_sessions_admin_actions_and_limits() {
    let (one, two, dovecot) = two_on_postgres(&[("ESTAFETTE_AUTH__MAX_FAILURES", "3")]).await;
    let email = account_on_both(&dovecot, &one, "roamer").await;

    // Signed in on one, the same cookie works on the other.
    let signed_in = one.sign_in(&email, PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let cookie = TestApp::session_cookie(&signed_in).expect("cookie");
    let logins = two.services.mail.login_count();
    let folders = two.post_as(&cookie, "/api/folders", &[]).await;
    assert_eq!(folders.status(), 200, "the session continues on two");
    assert_eq!(
        two.services.mail.login_count() - logins,
        1,
        "two opened its own IMAP connection"
    );
    assert_eq!(
        one.post_as(&cookie, "/api/folders", &[]).await.status(),
        200
    );

    // Disabled on one: refused on two at once.
    one.services
        .set_state(Actor::command_line(), &email, AccountState::Disabled)
        .await
        .expect("disable");
    assert_eq!(
        two.post_as(&cookie, "/api/folders", &[]).await.status(),
        401
    );
    assert_eq!(
        one.post_as(&cookie, "/api/folders", &[]).await.status(),
        401
    );
    assert_eq!(two.sign_in(&email, PASSWORD).await.status(), 403);
    two.services
        .set_state(Actor::command_line(), &email, AccountState::Active)
        .await
        .expect("enable");

    // Failed attempts on either instance count together (from browsers
    // that never signed in: the owner's has its own count, see `guessing`).
    for (app, n) in [(&one, 1), (&two, 2), (&one, 3)] {
        let res = app.new_browser().sign_in(&email, "not the password").await;
        assert_eq!(res.status(), 401, "attempt {n}");
    }
    let locked = two.new_browser().sign_in(&email, PASSWORD).await;
    assert_eq!(locked.status(), 429, "locked on two by failures on both");
}
