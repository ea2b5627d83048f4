//! Passwords, lockout and operators in process, with a clock the tests move: the lockout
//! timeline of five failures, the locked sixth attempt refused like a wrong password, the
//! unlock after fifteen quiet minutes; password policy on set and change; temporary passwords;
//! operator sign-in; tokens.
#![allow(clippy::unwrap_used)]

mod common;

use warden::model::*;
use warden::service::{Command, Error, NewUser, Rule, Service};

use common::InProcess as Setup;

const MINUTE: i64 = 60_000;
const ALICE_PASSWORD: &str = "Blue-Harbour-2026";

fn setup() -> Setup {
    let mut s = common::in_process();
    s.run(vec![Command::AddUser(NewUser {
        username: "alice".into(),
        email: Some("alice@example.com".into()),
        display_name: String::new(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Active,
    })]);
    let admin = s.operator.clone();
    s.service()
        .set_password(&admin, "alice", ALICE_PASSWORD, false)
        .unwrap();
    s
}

impl Setup {
    fn service(&mut self) -> Service<'_> {
        Service::new(&mut self.store, &self.clock, "default")
    }

    fn run(&mut self, commands: Vec<Command>) {
        let admin = self.operator.clone();
        self.service().execute(&admin, &commands).unwrap();
    }

    /// Checks a password; `Ok(must_change)` when it is accepted.
    fn verify(&mut self, user: &str, password: &str) -> Result<bool, Error> {
        self.service()
            .verify_password(user, password, SignInVia::Verify)
            .map(|v| v.must_change)
    }

    fn lock(&mut self) -> LockState {
        self.service()
            .user_detail("alice")
            .map(|d| LockState {
                failed_attempts: d.user.failed_attempts,
                locked_until: d.user.locked_until,
                ..LockState::default()
            })
            .unwrap()
    }
}

#[test]
fn five_wrong_attempts_lock_and_fifteen_quiet_minutes_unlock() {
    let mut s = setup();
    let wrong_message = s
        .verify("alice", "Wrong-Password-1")
        .unwrap_err()
        .to_string();
    for _ in 0..4 {
        assert!(matches!(
            s.verify("alice", "Wrong-Password-1"),
            Err(Error::SignInRefused)
        ));
    }
    let lock = s.lock();
    assert_eq!(lock.failed_attempts, 5);
    assert!(lock.locked_until.is_some(), "five failures lock");
    // The right password, while locked, fails exactly like a wrong one.
    let locked = s.verify("alice", ALICE_PASSWORD).unwrap_err();
    assert!(matches!(locked, Error::SignInRefused));
    assert_eq!(locked.to_string(), wrong_message);
    // Fourteen minutes later it is still locked (the sixth attempt restarted the lock)...
    s.clock.advance_ms(14 * MINUTE);
    assert!(s.verify("alice", ALICE_PASSWORD).is_err());
    // ...and fifteen quiet minutes after the last attempt it opens.
    s.clock.advance_ms(15 * MINUTE);
    assert!(
        !s.verify("alice", ALICE_PASSWORD).unwrap(),
        "accepted, nothing to change"
    );
    let lock = s.lock();
    assert_eq!(lock.failed_attempts, 0, "a success resets the count");
    assert_eq!(lock.locked_until, None);
    // The timeline holds every attempt, newest first, and never a password.
    let timeline: Vec<SignInOutcome> = s
        .service()
        .sign_ins("alice", 20)
        .unwrap()
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    use SignInOutcome::*;
    assert_eq!(
        timeline,
        [
            Ok,
            Locked,
            Locked,
            WrongPassword,
            WrongPassword,
            WrongPassword,
            WrongPassword,
            WrongPassword
        ]
    );
}

#[test]
fn unknown_and_inactive_users_get_the_same_refusal() {
    let mut s = setup();
    let unknown = s.verify("nobody", "Anything-123!").unwrap_err();
    assert!(matches!(unknown, Error::SignInRefused));
    s.run(vec![Command::SetUserStatus {
        users: vec!["alice".into()],
        status: UserStatus::Deactivated,
    }]);
    let inactive = s.verify("alice", ALICE_PASSWORD).unwrap_err();
    assert_eq!(inactive.to_string(), unknown.to_string());
    assert_eq!(unknown.exit_code(), 3);
}

#[test]
fn failures_count_only_within_the_window() {
    let mut s = setup();
    for _ in 0..4 {
        assert!(s.verify("alice", "Wrong-Password-1").is_err());
    }
    s.clock.advance_ms(16 * MINUTE);
    assert!(s.verify("alice", "Wrong-Password-1").is_err());
    assert_eq!(s.lock().failed_attempts, 1, "older failures were forgotten");
    assert!(
        !s.verify("alice", ALICE_PASSWORD).unwrap(),
        "accepted, nothing to change"
    );
}

#[test]
fn an_administrator_can_unlock() {
    let mut s = setup();
    for _ in 0..5 {
        assert!(s.verify("alice", "Wrong-Password-1").is_err());
    }
    s.run(vec![Command::Unlock { users: vec![] }]);
    assert!(
        !s.verify("alice", ALICE_PASSWORD).unwrap(),
        "accepted, nothing to change"
    );
    let record = &s.service().audit(1, None).unwrap()[0];
    assert_eq!(record.action, "user.unlock");
    assert_eq!(record.detail["changes"][0]["user"], "alice");
}

#[test]
fn the_policy_names_every_rule_a_password_breaks() {
    let mut s = setup();
    let admin = s.operator.clone();
    let err = s
        .service()
        .set_password(&admin, "alice", "alice", false)
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::PasswordPolicy));
    let text = err.to_string();
    for requirement in [
        "at least 12 characters",
        "an uppercase letter",
        "a digit",
        "does not contain the username",
    ] {
        assert!(text.contains(requirement), "{requirement}: {text}");
    }
    // The current password counts as a recent one.
    let err = s
        .service()
        .set_password(&admin, "alice", ALICE_PASSWORD, false)
        .unwrap_err();
    assert!(
        err.to_string().contains("not one of your last 5 passwords"),
        "{err}"
    );
    // So do the four before it.
    for n in 1..=5 {
        s.service()
            .set_password(&admin, "alice", &format!("Blue-Harbour-{n:04}"), false)
            .unwrap();
    }
    assert!(
        s.service()
            .set_password(&admin, "alice", "Blue-Harbour-0002", false)
            .is_err()
    );
    s.service()
        .set_password(&admin, "alice", ALICE_PASSWORD, false)
        .unwrap();
}

#[test]
fn a_temporary_password_must_be_changed_and_the_audit_never_holds_it() {
    let mut s = setup();
    let admin = s.operator.clone();
    s.service()
        .set_password(&admin, "alice", "Temporary-Pass-77", true)
        .unwrap();
    assert!(
        s.verify("alice", "Temporary-Pass-77").unwrap(),
        "must change"
    );
    let record = &s.service().audit(1, None).unwrap()[0];
    let detail = record.detail.to_string();
    assert!(detail.contains("\"temporary\":true"), "{detail}");
    assert!(
        !detail.contains("Temporary-Pass-77") && !detail.contains("argon2"),
        "{detail}"
    );
    assert!(!record.summary.contains("Temporary-Pass-77"));
}

#[test]
fn operators_sign_in_with_a_password_and_a_wrong_one_counts() {
    let mut s = setup();
    s.run(vec![
        Command::AddUser(NewUser {
            username: "dev".into(),
            email: Some("dev@example.com".into()),
            display_name: String::new(),
            kind: UserKind::Member,
            external_id: None,
            status: UserStatus::Invited,
        }),
        Command::Assign {
            role: "developers".into(),
            users: vec!["dev".into()],
            scope: Default::default(),
        },
    ]);
    let admin = s.operator.clone();
    s.service()
        .set_password(&admin, "dev", "Green-Valley-2026", true)
        .unwrap();
    s.run(vec![Command::SetUserStatus {
        users: vec!["dev".into()],
        status: UserStatus::Active,
    }]);
    let (dev, must_change) = s.service().sign_in("dev", "Green-Valley-2026").unwrap();
    assert!(must_change);
    assert_eq!(dev.audit_label(), "dev (password)");
    // A wrong current password when changing it counts towards lockout.
    let err = s
        .service()
        .change_own_password(&dev, Some("Not-My-Password-1"), "Grey-Mountain-2027")
        .unwrap_err();
    assert!(matches!(err, Error::SignInRefused));
    s.service()
        .change_own_password(&dev, None, "Grey-Mountain-2027")
        .unwrap();
    let (_, must_change) = s.service().sign_in("dev", "Grey-Mountain-2027").unwrap();
    assert!(!must_change);
    // End users are not operators, whatever their password.
    assert!(s.service().sign_in("alice", ALICE_PASSWORD).is_err());
}

#[test]
fn api_clients_sign_in_with_tokens_shown_once() {
    let mut s = setup();
    s.run(vec![Command::AddUser(NewUser {
        username: "svc-build".into(),
        email: None,
        display_name: String::new(),
        kind: UserKind::ApiClient,
        external_id: None,
        status: UserStatus::Active,
    })]);
    let admin = s.operator.clone();
    let (_, token) = s
        .service()
        .create_token(&admin, "svc-build", "ci", false)
        .unwrap();
    assert!(token.starts_with("wdn_"));
    let client = s.service().sign_in_token(&token).unwrap();
    assert_eq!(client.username, "svc-build");
    let listed = s.service().tokens(Some("svc-build")).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    // Neither the token nor its secret is stored or recorded.
    let secret = token.rsplit('_').next().unwrap().to_string();
    let audit = s.service().audit(1, None).unwrap()[0].detail.to_string();
    assert!(!audit.contains(&secret));
    // A token with one character changed, and a revoked one, are refused.
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('0') { '1' } else { '0' });
    assert!(matches!(
        s.service().sign_in_token(&forged),
        Err(Error::SignInRefused)
    ));
    s.run(vec![Command::RevokeToken {
        token: listed[0].token.clone(),
    }]);
    assert!(matches!(
        s.service().sign_in_token(&token),
        Err(Error::SignInRefused)
    ));
    // Tokens are for API clients only.
    let err = s
        .service()
        .create_token(&admin, "alice", "", false)
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::Credentials));
}

#[test]
fn an_active_member_needs_a_way_to_sign_in() {
    let mut s = setup();
    let admin = s.operator.clone();
    let err = s
        .service()
        .execute(
            &admin,
            &[Command::AddUser(NewUser {
                username: "bob".into(),
                email: None,
                display_name: String::new(),
                kind: UserKind::Member,
                external_id: None,
                status: UserStatus::Active,
            })],
        )
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::MemberSignIn));
    assert!(
        err.to_string().contains("set-password bob --temporary"),
        "{err}"
    );
}
