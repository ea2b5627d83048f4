//! The service layer in process: batches are all-or-nothing and see their own changes, stale
//! edits conflict, already-done items are skipped with a reason, deletes record everything
//! they take with them, and rehearsals keep nothing.
#![allow(clippy::unwrap_used)]

mod common;

use warden::model::*;
use warden::service::consent::{Consent, Reason};
use warden::service::{Command, Error, NewUser, Operator, Rule, ScopeRef, Service, UserEdit};

use common::Backend;
use common::InProcess as Setup;
use common::in_process_on as setup;

fn new_user(name: &str) -> Command {
    Command::AddUser(NewUser {
        username: name.into(),
        email: Some(format!("{name}@example.com")),
        display_name: String::new(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Active,
    })
}

fn assign(role: &str, users: &[&str]) -> Command {
    Command::Assign {
        role: role.into(),
        users: users.iter().map(|u| u.to_string()).collect(),
        scope: ScopeRef::default(),
    }
}

impl Setup {
    fn service(&mut self) -> Service<'_> {
        Service::new(&mut self.store, &self.clock, "default")
    }

    fn execute(&mut self, commands: Vec<Command>) -> Result<warden::service::Outcome, Error> {
        let operator = self.operator.clone();
        self.service().execute(&operator, &commands)
    }

    fn audit_count(&mut self) -> usize {
        self.service().audit(10_000, None).unwrap().len()
    }
}

fn a_batch_is_all_or_nothing(backend: Backend) {
    let mut s = setup(backend);
    let audit = s.audit_count();
    let err = s
        .execute(vec![new_user("alice"), new_user("bob"), new_user("ALICE")])
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::UniqueUsername));
    assert_eq!(err.exit_code(), 3);
    assert!(matches!(
        s.service().user_detail("alice"),
        Err(Error::NotFound(_))
    ));
    assert_eq!(s.audit_count(), audit);
}

/// A bulk action larger than one statement's worth of rows (written a thousand to a
/// statement) lands whole, scope included, and is taken back whole.
fn bulk_assignments_and_memberships_span_statements(backend: Backend) {
    let mut s = setup(backend);
    let names: Vec<String> = (0..1_500).map(|i| format!("u{i:04}")).collect();
    let adds: Vec<Command> = names.iter().map(|n| new_user(n)).collect();
    s.execute(adds).unwrap();
    s.execute(vec![
        Command::AddGroup {
            name: "ops".into(),
            stage: "QA".into(),
            description: String::new(),
        },
        Command::Assign {
            role: "Developers".into(),
            users: names.clone(),
            scope: ScopeRef {
                stage: Some("Development".into()),
                app: None,
            },
        },
        Command::AddMembers {
            group: warden::service::GroupRef {
                name: "ops".into(),
                stage: None,
            },
            users: names.clone(),
        },
    ])
    .unwrap();
    let user = s.service().user_detail("u1499").unwrap();
    assert_eq!(user.groups.len(), 1);
    assert_eq!(user.roles.len(), 1);
    assert_eq!(user.roles[0].stage.as_deref(), Some("Development"));
    let group = s.service().group_detail(&warden::service::GroupRef {
        name: "ops".into(),
        stage: None,
    });
    assert_eq!(group.unwrap().members.len(), 1_500);
    let done = s
        .execute(vec![
            Command::Unassign {
                role: "Developers".into(),
                users: names.clone(),
                scope: ScopeRef {
                    stage: Some("Development".into()),
                    app: None,
                },
            },
            Command::RemoveMembers {
                group: warden::service::GroupRef {
                    name: "ops".into(),
                    stage: None,
                },
                users: names.clone(),
            },
        ])
        .unwrap();
    assert_eq!(done.changes.len(), 3_000);
    let user = s.service().user_detail("u0000").unwrap();
    assert!(user.groups.is_empty() && user.roles.is_empty());
}

/// Others' changes to users come back as those users only, with the changes that bring an
/// engine up to date; a change to the role graph asks for a reload.
fn catching_up_reads_only_the_users_changed(backend: Backend) {
    use warden::service::catch_up::CatchUp;
    let mut s = setup(backend);
    s.execute(vec![new_user("yann")]).unwrap();
    let seen = s.service().overview(10).unwrap();
    s.execute(vec![
        new_user("zoe"),
        Command::Assign {
            role: "Developers".into(),
            users: vec!["zoe".into()],
            scope: ScopeRef {
                stage: Some("Development".into()),
                app: None,
            },
        },
    ])
    .unwrap();
    s.execute(vec![Command::DeleteUsers {
        users: vec!["yann".into()],
    }])
    .unwrap();
    let caught = s.service().catch_up(seen.marker, &seen.engine).unwrap();
    let CatchUp::Delta(delta) = caught else {
        panic!("user changes are caught up with");
    };
    let names: Vec<&str> = delta.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["zoe"]);
    assert_eq!(delta.removed.len(), 1, "yann");
    assert_eq!(delta.audit.len(), 2, "the two new records");
    let mut engine = seen.engine.clone();
    engine.apply_all(&delta.engine_changes).unwrap();
    let rebuilt = s.service().engine().unwrap();
    let zoe = s.service().user_detail("zoe").unwrap().user.id;
    assert_eq!(
        engine.atoms(&engine.effective(zoe).unwrap()),
        rebuilt.atoms(&rebuilt.effective(zoe).unwrap())
    );
    assert!(!engine.atoms(&engine.effective(zoe).unwrap()).is_empty());
    // A change to the role graph is more than users.
    let seen = s.service().overview(10).unwrap();
    s.execute(vec![Command::CopyRole {
        role: "Developers".into(),
        key: None,
        name: None,
    }])
    .unwrap();
    assert!(matches!(
        s.service().catch_up(seen.marker, &seen.engine).unwrap(),
        CatchUp::Reload
    ));
}

fn commands_in_a_batch_see_each_others_changes_and_share_one_record(backend: Backend) {
    let mut s = setup(backend);
    let audit = s.audit_count();
    let outcome = s
        .execute(vec![new_user("alice"), assign("developers", &["alice"])])
        .unwrap();
    assert_eq!(outcome.changes.len(), 2);
    assert!(outcome.audit.is_some());
    assert_eq!(s.audit_count(), audit + 1);
    let record = &s.service().audit(1, None).unwrap()[0];
    assert_eq!(record.action, "batch");
    assert_eq!(
        s.service().user_detail("alice").unwrap().roles[0].role,
        "developers"
    );
}

fn a_stale_edit_is_a_conflict_and_keeps_nothing(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![new_user("alice")]).unwrap();
    let seen = s.service().user_detail("alice").unwrap().user.version;
    // Someone else edits alice first.
    s.execute(vec![Command::EditUser {
        user: "alice".into(),
        edit: UserEdit {
            display_name: Some("Alice A.".into()),
            ..UserEdit::default()
        },
        expected_version: Some(seen),
    }])
    .unwrap();
    let err = s
        .execute(vec![Command::EditUser {
            user: "alice".into(),
            edit: UserEdit {
                display_name: Some("Alice B.".into()),
                ..UserEdit::default()
            },
            expected_version: Some(seen),
        }])
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("reload"), "{err}");
    assert_eq!(
        s.service().user_detail("alice").unwrap().user.display_name,
        "Alice A."
    );
}

fn already_done_items_are_skipped_with_a_reason_and_no_record(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![
        new_user("alice"),
        new_user("bob"),
        assign("developers", &["alice"]),
    ])
    .unwrap();
    let outcome = s
        .execute(vec![assign("developers", &["alice", "bob"])])
        .unwrap();
    assert_eq!(outcome.changes.len(), 1, "only bob");
    assert_eq!(outcome.notes.len(), 1);
    assert_eq!(outcome.notes[0].subject, "alice");
    assert!(
        outcome.notes[0]
            .reason
            .contains("already has role developers")
    );
    let audit = s.audit_count();
    let nothing = s.execute(vec![assign("developers", &["alice"])]).unwrap();
    assert!(nothing.changes.is_empty() && nothing.audit.is_none());
    assert_eq!(s.audit_count(), audit, "no change, no record");
}

fn deleting_a_user_records_everything_taken_with_them(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![
        new_user("alice"),
        Command::AddGroup {
            name: "ops".into(),
            stage: "QA".into(),
            description: String::new(),
        },
        Command::AddMembers {
            group: warden::service::GroupRef {
                name: "ops".into(),
                stage: None,
            },
            users: vec!["alice".into()],
        },
        assign("developers", &["alice"]),
    ])
    .unwrap();
    let outcome = s
        .execute(vec![Command::DeleteUsers {
            users: vec!["alice".into()],
        }])
        .unwrap();
    let ops: Vec<&str> = outcome.changes.iter().map(Change::op).collect();
    assert_eq!(ops, ["remove_member", "unassign", "delete_user"]);
    let detail = &s.service().audit(1, None).unwrap()[0].detail;
    assert_eq!(detail["changes"][0]["group"], "ops (QA)");
    assert_eq!(detail["changes"][1]["role"], "developers");
}

fn deleting_a_role_takes_it_from_everyone_unless_that_empties_another(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![
        new_user("alice"),
        Command::AddRole(warden::service::NewRole {
            key: "base".into(),
            name: "Base".into(),
            description: String::new(),
            kind: RoleKind::Organization,
            app: None,
            grants: vec!["users.view".into()],
            grant_scope: ScopeRef::default(),
            includes: vec![],
        }),
        Command::AddRole(warden::service::NewRole {
            key: "wrapper".into(),
            name: "Wrapper".into(),
            description: String::new(),
            kind: RoleKind::Organization,
            app: None,
            grants: vec![],
            grant_scope: ScopeRef::default(),
            includes: vec!["base".into()],
        }),
        assign("base", &["alice"]),
    ])
    .unwrap();
    let err = s
        .execute(vec![Command::DeleteRole {
            role: "base".into(),
        }])
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::RoleNeedsPermission));
    assert!(err.to_string().contains("wrapper"), "{err}");
    let outcome = s
        .execute(vec![
            Command::Grant {
                role: "wrapper".into(),
                permissions: vec!["roles.view".into()],
                scope: ScopeRef::default(),
            },
            Command::DeleteRole {
                role: "base".into(),
            },
        ])
        .unwrap();
    let ops: Vec<&str> = outcome.changes.iter().map(Change::op).collect();
    assert_eq!(
        ops,
        ["grant", "unassign", "exclude", "revoke", "delete_role"]
    );
}

fn a_user_never_goes_back_to_invited(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![new_user("alice")]).unwrap();
    let err = s
        .execute(vec![Command::SetUserStatus {
            users: vec!["alice".into()],
            status: UserStatus::Invited,
        }])
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::StatusTransition));
}

fn an_operator_deactivated_meanwhile_can_no_longer_write(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![
        Command::AddUser(NewUser {
            username: "second".into(),
            email: None,
            display_name: String::new(),
            kind: UserKind::Member,
            external_id: None,
            status: UserStatus::Invited,
        }),
        assign("administrators", &["second"]),
    ])
    .unwrap();
    let operator = s.operator.clone();
    s.service()
        .set_password(&operator, "second", "Blue-Harbour-2026", false)
        .unwrap();
    s.execute(vec![Command::SetUserStatus {
        users: vec!["second".into()],
        status: UserStatus::Active,
    }])
    .unwrap();
    let second = {
        let detail = s.service().user_detail("second").unwrap();
        assert_eq!(detail.user.username, "second");
        s.store
            .read(|tx| {
                let t = tx.tenant_by_name("default")?.unwrap();
                tx.user_by_username(t.id, "second")
            })
            .unwrap()
            .unwrap()
    };
    let as_second = Operator {
        user: second.id,
        username: second.username.clone(),
        sign_in: warden::service::SignIn::Peer {
            os_account: "other".into(),
        },
    };
    s.execute(vec![Command::SetUserStatus {
        users: vec!["second".into()],
        status: UserStatus::Deactivated,
    }])
    .unwrap();
    let err = Service::new(&mut s.store, &s.clock, "default")
        .execute(&as_second, &[new_user("x")])
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::PeerOperator));
}

fn a_rehearsal_returns_the_plan_and_keeps_nothing(backend: Backend) {
    let mut s = setup(backend);
    let audit = s.audit_count();
    let operator = s.operator.clone();
    let outcome = s
        .service()
        .rehearse(
            &operator,
            &[new_user("alice"), assign("developers", &["alice"])],
        )
        .unwrap();
    assert!(!outcome.committed);
    assert_eq!(outcome.changes.len(), 2);
    assert!(outcome.audit.is_none());
    assert!(matches!(
        s.service().user_detail("alice"),
        Err(Error::NotFound(_))
    ));
    assert_eq!(s.audit_count(), audit);
}

fn names_resolve_by_key_name_or_email_and_say_when_ambiguous(backend: Backend) {
    let mut s = setup(backend);
    s.execute(vec![
        new_user("alice"),
        Command::AddApp {
            key: "a1".into(),
            name: "A1".into(),
            description: String::new(),
        },
        Command::AddApp {
            key: "a2".into(),
            name: "A2".into(),
            description: String::new(),
        },
    ])
    .unwrap();
    for app in ["a1", "a2"] {
        s.execute(vec![Command::AddRole(warden::service::NewRole {
            key: format!("{app}.viewer"),
            name: "Viewer".into(),
            description: String::new(),
            kind: RoleKind::EndUser,
            app: Some(app.into()),
            grants: vec![],
            grant_scope: ScopeRef::default(),
            includes: vec![],
        })])
        .unwrap();
    }
    assert_eq!(
        s.service()
            .user_detail("ALICE@example.com")
            .unwrap()
            .user
            .username,
        "alice"
    );
    assert_eq!(
        s.service().role_detail("Developers").unwrap().key,
        "developers"
    );
    let err = s.service().role_detail("viewer").unwrap_err();
    assert!(matches!(err, Error::Ambiguous(_)), "{err:?}");
    assert!(err.to_string().contains("a1.viewer, a2.viewer"), "{err}");
    assert_eq!(err.exit_code(), 2);
}

/// The consent rule both front ends ask: nothing for a change to nobody's access, a
/// confirmation for a few users, the count typed for more than 50 users or for anyone gaining
/// a User management permission.
fn consent_follows_how_many_gain_what(backend: Backend) {
    let mut s = setup(backend);
    let names: Vec<String> = (0..60).map(|i| format!("u{i:02}")).collect();
    let mut setup_commands: Vec<Command> = names.iter().map(|n| new_user(n)).collect();
    setup_commands.push(Command::AddRole(warden::service::NewRole {
        key: "watcher".into(),
        name: "Watcher".into(),
        description: String::new(),
        kind: RoleKind::Organization,
        app: None,
        grants: vec!["monitoring.view".into()],
        grant_scope: ScopeRef::default(),
        includes: vec![],
    }));
    s.execute(setup_commands).unwrap();
    let operator = s.operator.clone();
    let mut consent = |commands: Vec<Command>| {
        let (_, preview) = s.service().preview(&operator, &commands).unwrap();
        assert_eq!(preview.users_changed, preview.users.len());
        preview.consent
    };
    let email = Command::EditUser {
        user: "u00".into(),
        edit: UserEdit {
            email: Some(Some("elsewhere@example.com".into())),
            ..UserEdit::default()
        },
        expected_version: None,
    };
    assert_eq!(consent(vec![email]), Consent::Nothing);
    assert_eq!(
        consent(vec![assign("watcher", &["u00", "u01"])]),
        Consent::Confirm
    );
    let fifty: Vec<&str> = names[..50].iter().map(String::as_str).collect();
    let fifty_one: Vec<&str> = names[..51].iter().map(String::as_str).collect();
    assert_eq!(consent(vec![assign("watcher", &fifty)]), Consent::Confirm);
    assert_eq!(
        consent(vec![assign("watcher", &fifty_one)]),
        Consent::TypedCount {
            users: 51,
            reason: Reason::ManyUsers
        }
    );
    let one_admin = consent(vec![
        assign("watcher", &["u01", "u02"]),
        assign("Administrators", &["u00"]),
    ]);
    assert!(
        matches!(
            &one_admin,
            Consent::TypedCount {
                users: 3,
                reason: Reason::SensitiveGain { permission, users: 1 },
            } if ["users.", "groups.", "roles."].iter().any(|s| permission.starts_with(s))
        ),
        "{one_admin:?}"
    );
    assert_eq!(one_admin.typed_count(), Some(3));
    assert!(!one_admin.given_by("1") && one_admin.given_by(" 3\n"));
}

/// A bulk action that would widen the operator's own access is refused before it is applied,
/// naming the operator: a preview is not even started (`planned` never hears of it).
fn an_operators_own_gain_is_refused_before_the_rest_is_applied(backend: Backend) {
    let mut s = setup(backend);
    let names: Vec<String> = (0..200).map(|i| format!("u{i:03}")).collect();
    let mut commands: Vec<Command> = names.iter().map(|n| new_user(n)).collect();
    commands.extend([
        Command::AddApp {
            key: "shop".into(),
            name: "Shop".into(),
            description: String::new(),
        },
        Command::AddPermission {
            key: "shop.orders.ship".into(),
            name: "Ship orders".into(),
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
    ]);
    s.execute(commands).unwrap();
    let operator = s.operator.clone();
    let mut everyone: Vec<&str> = names.iter().map(String::as_str).collect();
    everyone.push(&operator.username);
    let mut heard = 0;
    let err = s
        .service()
        .rehearse_with(&operator, &[assign("shipper", &everyone)], &mut |_, _| {
            heard += 1
        })
        .unwrap_err();
    assert_eq!(err.rule(), Some(Rule::NoSelfEscalation), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("you ({})", operator.username)),
        "{err}"
    );
    assert!(err.to_string().contains("shop.orders.ship"), "{err}");
    assert_eq!(
        heard, 0,
        "refused before the plan was handed on for a preview"
    );
    // Without the operator it goes through.
    let others: Vec<&str> = names.iter().map(String::as_str).collect();
    let outcome = s.execute(vec![assign("shipper", &others)]).unwrap();
    assert_eq!(outcome.changes.len(), 200);
}

crate::on_both_backends!(
    an_operators_own_gain_is_refused_before_the_rest_is_applied,
    consent_follows_how_many_gain_what,
    catching_up_reads_only_the_users_changed,
    bulk_assignments_and_memberships_span_statements,
    a_batch_is_all_or_nothing,
    commands_in_a_batch_see_each_others_changes_and_share_one_record,
    a_stale_edit_is_a_conflict_and_keeps_nothing,
    already_done_items_are_skipped_with_a_reason_and_no_record,
    deleting_a_user_records_everything_taken_with_them,
    deleting_a_role_takes_it_from_everyone_unless_that_empties_another,
    a_user_never_goes_back_to_invited,
    an_operator_deactivated_meanwhile_can_no_longer_write,
    a_rehearsal_returns_the_plan_and_keeps_nothing,
    names_resolve_by_key_name_or_email_and_say_when_ambiguous,
);
