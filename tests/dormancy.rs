//! Access nobody uses, on both backends: users holding permissions with no sign-in for N days
//! (never signed in: counted from creation), roles no active user holds, permissions no role
//! grants — the same answers on the command line (`warden report`) and, for dormant users, the
//! console's `dormant:` term.
#![allow(clippy::unwrap_used)]

mod common;

use warden::model::*;
use warden::service::{Command, NewRole, NewUser, ScopeRef, Service};

use common::Backend;

const DAY: i64 = 24 * 60 * 60 * 1000;

fn end_user(name: &str) -> Command {
    Command::AddUser(NewUser {
        username: name.into(),
        email: Some(format!("{name}@example.com")),
        display_name: name.to_uppercase(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Active,
    })
}

fn role(key: &str) -> Command {
    Command::AddRole(NewRole {
        key: key.into(),
        name: key.to_uppercase(),
        description: String::new(),
        kind: RoleKind::EndUser,
        app: Some("shop".into()),
        grants: vec!["shop.orders.ship".into()],
        grant_scope: ScopeRef::default(),
        includes: vec![],
    })
}

fn dormant_users_and_unused_roles(backend: Backend) {
    let mut s = common::in_process_on(backend);
    let operator = s.operator.clone();
    let mut service = Service::new(&mut s.store, &s.clock, "default");
    service
        .execute(
            &operator,
            &[
                Command::AddApp {
                    key: "shop".into(),
                    name: "Shop".into(),
                    description: String::new(),
                },
                Command::AddPermission {
                    key: "shop.orders.ship".into(),
                    name: "Ship".into(),
                    app: "shop".into(),
                    section: None,
                    description: String::new(),
                },
                Command::AddPermission {
                    key: "shop.refund".into(),
                    name: "Refund".into(),
                    app: "shop".into(),
                    section: None,
                    description: String::new(),
                },
                role("shipper"),
                role("spare"),
                end_user("alice"),
                end_user("bob"),
                end_user("carol"),
                Command::Assign {
                    role: "shipper".into(),
                    users: vec!["alice".into(), "bob".into()],
                    scope: ScopeRef::default(),
                },
            ],
        )
        .unwrap();
    let password = "Correct horse battery staple 42!";
    service
        .set_password(&operator, "bob", password, false)
        .unwrap();
    drop(service);

    // Created today: nobody is dormant yet.
    let mut service = Service::new(&mut s.store, &s.clock, "default");
    let engine = service.engine().unwrap();
    assert!(service.dormant(&engine, 90).unwrap().is_empty());
    drop(service);

    // A hundred days on, bob signs in; alice and the administrator never have. Carol holds
    // nothing.
    s.clock.advance_ms(100 * DAY);
    let mut service = Service::new(&mut s.store, &s.clock, "default");
    service
        .verify_password("bob", password, SignInVia::Verify)
        .unwrap();
    let engine = service.engine().unwrap();
    let dormant: Vec<String> = service
        .dormant(&engine, 90)
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(dormant, ["admin", "alice"]);
    assert!(service.dormant(&engine, 101).unwrap().is_empty());

    let unused = service.unused(&engine).unwrap();
    assert!(unused.roles.contains(&"spare".to_string()), "{unused:?}");
    assert!(!unused.roles.contains(&"shipper".to_string()), "{unused:?}");
    assert_eq!(
        unused.permissions,
        ["shop.refund"],
        "every catalog permission is granted by a built-in role; shop.refund by none"
    );
}

on_both_backends!(dormant_users_and_unused_roles);
