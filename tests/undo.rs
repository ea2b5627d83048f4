//! Undo: the newest committed change list taken back as a new change with its own audit record,
//! leaving the store as it was (ids included); refused when something was committed since, or
//! when the list holds something that cannot be given back.
#![allow(clippy::unwrap_used)]

mod common;

use warden::model::*;
use warden::service::{Command, Error, GroupRef, NewUser, ScopeRef, Service};

use common::Backend;
use common::InProcess as Setup;

fn setup(backend: Backend) -> Setup {
    let mut s = common::in_process_on(backend);
    let user = |name: &str| {
        Command::AddUser(NewUser {
            username: name.into(),
            email: Some(format!("{name}@example.com")),
            display_name: name.to_uppercase(),
            kind: UserKind::EndUser,
            external_id: None,
            status: UserStatus::Active,
        })
    };
    s.execute(vec![
        user("alice"),
        user("bob"),
        user("carol"),
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
        Command::AddRole(warden::service::NewRole {
            key: "shipper".into(),
            name: "Shipper".into(),
            description: String::new(),
            kind: RoleKind::EndUser,
            app: Some("shop".into()),
            grants: vec!["shop.orders.ship".into()],
            grant_scope: ScopeRef::default(),
            includes: vec![],
        }),
        Command::AddGroup {
            name: "ops".into(),
            stage: "QA".into(),
            description: String::new(),
        },
        Command::AddMembers {
            group: ops(),
            users: vec!["carol".into()],
        },
        Command::Assign {
            role: "shipper".into(),
            users: vec!["carol".into()],
            scope: ScopeRef::default(),
        },
    ])
    .unwrap();
    s
}

fn ops() -> GroupRef {
    GroupRef {
        name: "ops".into(),
        stage: None,
    }
}

impl Setup {
    fn service(&mut self) -> Service<'_> {
        Service::new(&mut self.store, &self.clock, "default")
    }

    fn execute(&mut self, commands: Vec<Command>) -> Result<warden::service::Outcome, Error> {
        let operator = self.operator.clone();
        self.clock.advance_ms(1_000);
        self.service().execute(&operator, &commands)
    }

    /// Commits `commands`, then undoes them.
    fn commit_and_undo(&mut self, commands: Vec<Command>) -> warden::service::Outcome {
        let done = self.execute(commands).unwrap();
        let of = done.audit.unwrap();
        self.execute(vec![Command::Undo {
            of,
            changes: done.changes,
        }])
        .unwrap()
    }

    /// The store's state (see `common::store_state`).
    fn state(&self) -> String {
        common::store_state_at(&self.location)
    }

    fn audit_count(&mut self) -> usize {
        self.service().audit(10_000, None).unwrap().len()
    }
}

fn undo_gives_back_assignments_memberships_and_status(backend: Backend) {
    let mut s = setup(backend);
    let before = s.state();
    let audit = s.audit_count();
    let undone = s.commit_and_undo(vec![
        Command::Assign {
            role: "shipper".into(),
            users: vec!["alice".into(), "bob".into()],
            scope: ScopeRef {
                stage: Some("QA".into()),
                app: None,
            },
        },
        Command::AddMembers {
            group: ops(),
            users: vec!["alice".into()],
        },
        Command::SetUserStatus {
            users: vec!["bob".into()],
            status: UserStatus::Deactivated,
        },
    ]);
    assert_eq!(undone.changes.len(), 4, "{:?}", undone.changes);
    assert!(undone.summary.starts_with("undo #"), "{}", undone.summary);
    assert_eq!(s.state(), before);
    assert_eq!(
        s.audit_count(),
        audit + 2,
        "the commit and the undo are both on record"
    );
    let record = &s.service().audit(1, None).unwrap()[0];
    assert_eq!(record.action, "undo");
}

fn undoing_a_delete_brings_the_user_back_with_their_id_groups_and_roles(backend: Backend) {
    let mut s = setup(backend);
    let before = s.state();
    let undone = s.commit_and_undo(vec![Command::DeleteUsers {
        users: vec!["carol".into()],
    }]);
    assert_eq!(s.state(), before);
    assert!(
        undone.notes[0].reason.contains("without a password"),
        "{:?}",
        undone.notes
    );
    let carol = s.service().user_detail("carol").unwrap();
    assert_eq!(carol.groups.len(), 1);
    assert_eq!(carol.roles.len(), 1);
}

fn undo_then_undo_again_is_redo(backend: Backend) {
    let mut s = setup(backend);
    let done = s
        .execute(vec![Command::AddMembers {
            group: ops(),
            users: vec!["alice".into()],
        }])
        .unwrap();
    let after = s.state();
    let undone = s
        .execute(vec![Command::Undo {
            of: done.audit.unwrap(),
            changes: done.changes,
        }])
        .unwrap();
    s.execute(vec![Command::Undo {
        of: undone.audit.unwrap(),
        changes: undone.changes,
    }])
    .unwrap();
    assert_eq!(s.state(), after);
}

fn only_the_newest_change_can_be_undone(backend: Backend) {
    let mut s = setup(backend);
    let first = s
        .execute(vec![Command::AddMembers {
            group: ops(),
            users: vec!["alice".into()],
        }])
        .unwrap();
    s.execute(vec![Command::AddMembers {
        group: ops(),
        users: vec!["bob".into()],
    }])
    .unwrap();
    let before = s.state();
    let err = s
        .execute(vec![Command::Undo {
            of: first.audit.unwrap(),
            changes: first.changes,
        }])
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("only the newest change"), "{err}");
    assert_eq!(s.state(), before, "nothing changed");
}

fn a_password_change_cannot_be_undone(backend: Backend) {
    let mut s = setup(backend);
    let operator = s.operator.clone();
    let done = s
        .service()
        .set_password(&operator, "alice", "Green-Meadow-2026", false)
        .unwrap();
    let err = s
        .execute(vec![Command::Undo {
            of: done.audit.unwrap(),
            changes: done.changes,
        }])
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("cannot be undone"), "{err}");
}

/// Anyone may undo the newest change — not only whoever made it — from what the store kept of
/// it: a delete comes back with its ids, groups and roles, and the store is as it was.
fn the_newest_change_is_undone_by_anyone_from_what_the_store_kept(backend: Backend) {
    let mut s = setup(backend);
    let before = s.state();
    // Another operator (a second administrator, signed in with a password) deletes carol.
    let other = {
        s.execute(vec![
            Command::AddUser(NewUser {
                username: "dana".into(),
                email: None,
                display_name: String::new(),
                kind: UserKind::Member,
                external_id: None,
                status: UserStatus::Invited,
            }),
            Command::Assign {
                role: "Administrators".into(),
                users: vec!["dana".into()],
                scope: ScopeRef::default(),
            },
        ])
        .unwrap();
        let admin = s.operator.clone();
        s.service()
            .set_password(&admin, "dana", "Blue-Harbour-2026", false)
            .unwrap();
        s.execute(vec![Command::SetUserStatus {
            users: vec!["dana".into()],
            status: UserStatus::Active,
        }])
        .unwrap();
        s.service().sign_in("dana", "Blue-Harbour-2026").unwrap().0
    };
    let before_delete = s.state();
    let deleted = s
        .service()
        .execute(
            &other,
            &[Command::DeleteUsers {
                users: vec!["carol".into()],
            }],
        )
        .unwrap();
    assert_ne!(s.state(), before_delete);

    // This operator undoes it, from the store alone (no outcome kept by the front end).
    let offer = s.service().newest_undo(None).unwrap();
    assert_eq!(Some(offer.of), deleted.audit);
    assert_eq!(offer.users, ["carol"]);
    assert!(offer.summary.contains("carol"), "{}", offer.summary);
    let admin = s.operator.clone();
    s.clock.advance_ms(1_000);
    s.service().execute(&admin, &[offer.command]).unwrap();
    assert_eq!(
        s.state(),
        before_delete,
        "carol is back, ids, group and role included"
    );
    assert_ne!(s.state(), before);

    // Naming an older record is refused, naming the newest.
    let err = s.service().newest_undo(deleted.audit).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("is no longer the newest"), "{err}");
}

/// A record whose changes were not kept (the store's creation) is said to be undoable no more.
fn a_record_without_kept_changes_cannot_be_undone(backend: Backend) {
    let mut s = common::in_process_on(backend);
    let newest = s.service().audit(1, None).unwrap()[0].id;
    let err = s.service().newest_undo(None).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string().contains(&format!("change #{} ", newest)),
        "{err}"
    );
    assert!(
        err.to_string().contains("its changes were not kept"),
        "{err}"
    );
}

crate::on_both_backends!(
    the_newest_change_is_undone_by_anyone_from_what_the_store_kept,
    a_record_without_kept_changes_cannot_be_undone,
    undo_gives_back_assignments_memberships_and_status,
    undoing_a_delete_brings_the_user_back_with_their_id_groups_and_roles,
    undo_then_undo_again_is_redo,
    only_the_newest_change_can_be_undone,
    a_password_change_cannot_be_undone,
);
