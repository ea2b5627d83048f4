//! The access engine on hand-built graphs: explain lists every path, why-not names the missing
//! edge, no hidden depth limit, cycles planted behind warden's back are reported, previews
//! count what they change.
#![allow(clippy::unwrap_used)]

use warden::access::{Atom, Engine, EngineError, Step, Suggestion};
use warden::model::*;

const T: Timestamp = Timestamp(0);
const DEV: StageId = StageId(1);
const QA: StageId = StageId(2);

/// A small store: stages Development and QA; permissions monitoring.view, monitoring.logs
/// (implies monitoring.view), apps.deploy; roles viewer (grants monitoring.view), deployer
/// (includes viewer), auditor (grants monitoring.logs), ops-lead (grants apps.deploy at QA);
/// group ops in QA holding deployer; users alice (active end user), bob (active end user),
/// carol (invited).
struct World {
    snap: Snapshot,
}

fn role(id: i64, key: &str) -> Role {
    Role {
        id: RoleId(id),
        key: key.into(),
        name: key.into(),
        description: String::new(),
        kind: RoleKind::Organization,
        app: None,
        builtin: false,
        created_at: T,
        updated_at: T,
        version: 1,
    }
}

fn perm(id: i64, key: &str) -> Permission {
    Permission {
        id: PermissionId(id),
        key: key.into(),
        name: key.into(),
        section: "Monitoring".into(),
        description: String::new(),
        app: None,
        builtin: true,
    }
}

fn user(id: i64, name: &str, status: UserStatus) -> UserEntry {
    UserEntry {
        id: UserId(id),
        tenant: TenantId(1),
        username: name.into(),
        kind: UserKind::EndUser,
        status,
    }
}

const VIEW: PermissionId = PermissionId(1);
const LOGS: PermissionId = PermissionId(2);
const DEPLOY: PermissionId = PermissionId(3);
const VIEWER: RoleId = RoleId(1);
const DEPLOYER: RoleId = RoleId(2);
const AUDITOR: RoleId = RoleId(3);
const OPS_LEAD: RoleId = RoleId(4);
const OPS: GroupId = GroupId(1);
const ALICE: UserId = UserId(1);
const BOB: UserId = UserId(2);
const CAROL: UserId = UserId(3);

fn world() -> World {
    let snap = Snapshot {
        tenants: vec![Tenant {
            id: TenantId(1),
            name: "default".into(),
        }],
        stages: vec![
            Stage {
                id: DEV,
                name: "Development".into(),
                position: 1,
            },
            Stage {
                id: QA,
                name: "QA".into(),
                position: 2,
            },
        ],
        apps: vec![],
        permissions: vec![
            perm(1, "monitoring.view"),
            perm(2, "monitoring.logs"),
            perm(3, "apps.deploy"),
        ],
        implications: vec![(LOGS, VIEW)],
        roles: vec![
            role(1, "viewer"),
            role(2, "deployer"),
            role(3, "auditor"),
            role(4, "ops-lead"),
        ],
        includes: vec![(DEPLOYER, VIEWER)],
        grants: vec![
            Grant {
                role: VIEWER,
                permission: VIEW,
                scope: Scope::ORGANIZATION,
            },
            Grant {
                role: AUDITOR,
                permission: LOGS,
                scope: Scope::ORGANIZATION,
            },
            Grant {
                role: OPS_LEAD,
                permission: DEPLOY,
                scope: Scope::new(Some(QA), None),
            },
        ],
        groups: vec![Group {
            id: OPS,
            tenant: TenantId(1),
            name: "ops".into(),
            description: String::new(),
            stage: QA,
            created_at: T,
            updated_at: T,
            version: 1,
        }],
        group_roles: vec![(OPS, DEPLOYER)],
        members: vec![(OPS, ALICE)],
        users: vec![
            user(1, "alice", UserStatus::Active),
            user(2, "bob", UserStatus::Active),
            user(3, "carol", UserStatus::Invited),
        ],
        assignments: vec![
            Assignment {
                user: ALICE,
                role: VIEWER,
                scope: Scope::ORGANIZATION,
            },
            Assignment {
                user: ALICE,
                role: AUDITOR,
                scope: Scope::ORGANIZATION,
            },
            Assignment {
                user: CAROL,
                role: VIEWER,
                scope: Scope::ORGANIZATION,
            },
        ],
    };
    World { snap }
}

#[test]
fn explain_lists_every_path_shortest_first() {
    let engine = Engine::build(&world().snap).unwrap();
    let why = engine.explain(ALICE, VIEW, Some(Scope::new(Some(QA), None)));
    let text: Vec<String> = why.paths.iter().map(|p| engine.render_path(p)).collect();
    assert_eq!(
        text,
        [
            "alice → role viewer → grants monitoring.view",
            "alice → role auditor → grants monitoring.logs → implies monitoring.view",
            "alice → group ops (QA) → role deployer (at stage QA) → includes role viewer → grants monitoring.view",
        ],
        "three paths, shortest first"
    );
    assert!(!why.truncated);
    // At Development only the two organization-wide paths reach.
    let dev = engine.explain(ALICE, VIEW, Some(Scope::new(Some(DEV), None)));
    assert_eq!(dev.paths.len(), 2);
    // The group path yields the atom at QA: the group's stage narrows the grant.
    let group_path = &why.paths[2];
    assert!(matches!(group_path.steps[0], Step::Group { group: OPS }));
    assert_eq!(group_path.atom.scope, Scope::new(Some(QA), None));
}

#[test]
fn the_effective_set_reports_each_atom_once_at_its_widest_scope() {
    let engine = Engine::build(&world().snap).unwrap();
    let atoms = engine.atoms(&engine.effective(ALICE).unwrap());
    let labels: Vec<String> = atoms.iter().map(|a| engine.atom_label(*a)).collect();
    // monitoring.view at QA (through the group) is covered by the organization-wide one.
    assert_eq!(labels, ["monitoring.logs", "monitoring.view"]);
}

#[test]
fn people_who_are_not_active_hold_nothing() {
    let engine = Engine::build(&world().snap).unwrap();
    assert!(engine.effective(CAROL).unwrap().is_empty());
    assert!(!engine.check(CAROL, VIEW, Scope::ORGANIZATION));
    let why = engine.why_not(CAROL, VIEW, Scope::ORGANIZATION);
    assert_eq!(
        why.suggestions,
        [Suggestion::Activate {
            status: UserStatus::Invited
        }],
        "activation is the one missing edge"
    );
}

#[test]
fn why_not_names_the_missing_one_hop_edges() {
    let engine = Engine::build(&world().snap).unwrap();
    let qa = Scope::new(Some(QA), None);
    assert!(!engine.check(BOB, VIEW, qa));
    let why = engine.why_not(BOB, VIEW, qa);
    assert!(!why.holds);
    assert!(
        why.suggestions
            .contains(&Suggestion::JoinGroup { group: OPS }),
        "{:?}",
        why.suggestions
    );
    assert_eq!(
        why.suggestions
            .iter()
            .find(|s| matches!(s, Suggestion::AssignRole { .. })),
        Some(&Suggestion::AssignRole {
            role: VIEWER,
            scope: qa
        }),
        "the smallest role that would do comes first"
    );
    // alice holds deployer through ops (QA); deployer lacks apps.deploy.
    let why = engine.why_not(ALICE, DEPLOY, qa);
    assert!(
        why.suggestions.contains(&Suggestion::GrantOnHeldRole {
            role: DEPLOYER,
            scope: qa
        }),
        "{:?}",
        why.suggestions
    );
    assert!(why.suggestions.contains(&Suggestion::AssignRole {
        role: OPS_LEAD,
        scope: qa
    }));
    assert!(engine.why_not(ALICE, VIEW, qa).holds);
}

#[test]
fn a_200_deep_inclusion_chain_has_no_hidden_limit() {
    let mut snap = world().snap;
    let base = 100;
    for i in 0..200 {
        snap.roles.push(role(base + i, &format!("level-{i}")));
        if i > 0 {
            snap.includes.push((RoleId(base + i), RoleId(base + i - 1)));
        }
    }
    snap.grants.push(Grant {
        role: RoleId(base),
        permission: DEPLOY,
        scope: Scope::ORGANIZATION,
    });
    snap.assignments.push(Assignment {
        user: BOB,
        role: RoleId(base + 199),
        scope: Scope::ORGANIZATION,
    });
    let mut engine = Engine::build(&snap).unwrap();
    assert!(engine.check(BOB, DEPLOY, Scope::ORGANIZATION));
    let why = engine.explain(BOB, DEPLOY, None);
    assert_eq!(why.paths.len(), 1);
    assert_eq!(
        why.paths[0].steps.len(),
        201,
        "role, 199 inclusions, the grant"
    );
    // An edit at the bottom reaches the top, incrementally.
    let preview = engine
        .preview(&[Change::Revoke {
            role: Named::new(RoleId(base), "level-0"),
            permission: Named::new(DEPLOY, "apps.deploy"),
            scope: NamedScope::organization(),
        }])
        .unwrap();
    assert_eq!(preview.users.len(), 1);
    assert_eq!(preview.users[0].lost.len(), 1);
    assert!(
        engine.check(BOB, DEPLOY, Scope::ORGANIZATION),
        "a preview keeps nothing"
    );
}

#[test]
fn a_cycle_planted_behind_wardens_back_is_reported_not_followed() {
    let mut snap = world().snap;
    snap.includes.push((VIEWER, DEPLOYER));
    match Engine::build(&snap) {
        Err(EngineError::Cycle(text)) => assert!(
            text.contains("viewer includes deployer includes viewer")
                || text.contains("deployer includes viewer includes deployer"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }
    let mut snap = world().snap;
    snap.implications.push((VIEW, LOGS));
    match Engine::build(&snap) {
        Err(EngineError::Cycle(text)) => assert!(text.starts_with("permission "), "{text}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn over_a_cycle_every_member_holds_what_the_cycle_holds_and_the_cycle_is_named() {
    // viewer (monitoring.view) ⇄ deployer, and auditor (monitoring.logs) included by deployer.
    let mut snap = world().snap;
    snap.includes.push((VIEWER, DEPLOYER));
    snap.includes.push((DEPLOYER, AUDITOR));
    let engine = Engine::build_allowing_cycles(&snap).unwrap();
    let cycles = engine.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].description == "role viewer includes deployer includes viewer"
            || cycles[0].description == "role deployer includes viewer includes deployer",
        "{cycles:?}"
    );
    assert_eq!(
        cycles[0].edges.len(),
        2,
        "both edges of the cycle, not the one out of it"
    );
    for role in [VIEWER, DEPLOYER] {
        let mut keys: Vec<PermissionId> = engine
            .role_atoms(role, Scope::ORGANIZATION)
            .into_iter()
            .map(|a| a.permission)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![VIEW, LOGS],
            "{role:?} holds the whole cycle's grants"
        );
    }
    // An implication cycle: each permission implies the other.
    let mut snap = world().snap;
    snap.implications.push((VIEW, LOGS));
    let engine = Engine::build_allowing_cycles(&snap).unwrap();
    assert_eq!(engine.cycles().len(), 1);
    assert_eq!(engine.implied_permissions(VIEW), vec![LOGS]);
    assert_eq!(engine.implied_permissions(LOGS), vec![VIEW]);
    assert!(
        Engine::build_allowing_cycles(&world().snap)
            .unwrap()
            .cycles()
            .is_empty()
    );
}

#[test]
fn custom_organization_roles_holding_nothing_are_found_through_inclusion() {
    let mut snap = world().snap;
    // hollow holds nothing; top holds what viewer grants, two inclusions down.
    snap.roles.push(role(10, "hollow"));
    snap.roles.push(role(11, "middle"));
    snap.roles.push(role(12, "top"));
    snap.includes.push((RoleId(11), VIEWER));
    snap.includes.push((RoleId(12), RoleId(11)));
    let engine = Engine::build(&snap).unwrap();
    assert_eq!(engine.empty_custom_organization_roles(), ["hollow"]);
}

#[test]
fn an_edit_that_would_close_a_cycle_is_refused_by_the_engine_too() {
    let mut engine = Engine::build(&world().snap).unwrap();
    let err = engine
        .apply(&Change::Include {
            role: Named::new(VIEWER, "viewer"),
            included: Named::new(DEPLOYER, "deployer"),
        })
        .unwrap_err();
    assert_eq!(
        err,
        EngineError::Cycle("role viewer includes deployer includes viewer".into())
    );
}

#[test]
fn a_preview_lists_gains_and_losses_with_totals() {
    let mut engine = Engine::build(&world().snap).unwrap();
    let preview = engine
        .preview(&[
            Change::Grant {
                role: Named::new(VIEWER, "viewer"),
                permission: Named::new(DEPLOY, "apps.deploy"),
                scope: NamedScope::organization(),
            },
            Change::AddMember {
                group: Named::new(OPS, "ops (QA)"),
                user: Named::new(BOB, "bob"),
            },
        ])
        .unwrap();
    let users: Vec<UserId> = preview.users.iter().map(|d| d.user).collect();
    assert_eq!(
        users,
        [ALICE, BOB],
        "carol is invited: nothing changes for her"
    );
    let bob = &preview.users[1];
    let gained: Vec<String> = bob.gained.iter().map(|a| engine.atom_label(*a)).collect();
    assert_eq!(gained, ["apps.deploy@QA", "monitoring.view@QA"]);
    assert!(bob.lost.is_empty());
    assert_eq!(preview.totals().get(&DEPLOY), Some(&(2, 0)));
}

/// A stage added or removed renumbers every atom: a preview must compare what users held
/// before with what they hold after as atoms, not as bit positions of two different spaces
/// (it found phantom gains and losses, or indexed past the end and panicked).
#[test]
fn a_preview_across_a_new_or_removed_stage_compares_atoms() {
    let engine = Engine::build(&world().snap).unwrap();
    let prod = StageId(3);
    let (after, preview) = engine
        .preview_into(&[Change::AddStage {
            id: prod,
            name: "Production".into(),
            position: 3,
        }])
        .unwrap();
    assert!(
        preview.users.is_empty(),
        "a new stage changes nobody's access: {preview:?}"
    );
    // And back: the stage removed again (as undoing it would), in place.
    let mut after = after;
    let preview = after
        .preview(&[Change::DeleteStage {
            stage: Named::new(prod, "Production"),
            position: 3,
        }])
        .unwrap();
    assert!(preview.users.is_empty(), "{preview:?}");
    // bob holds apps.deploy in QA and Production; his grant, his assignment and the stage go
    // together: what he held there is lost, reported at the scope that no longer exists.
    let at_prod = NamedScope {
        scope: Scope::new(Some(prod), None),
        stage: Some("Production".into()),
        app: None,
    };
    let mut engine = Engine::build(&world().snap).unwrap();
    for change in [
        Change::AddStage {
            id: prod,
            name: "Production".into(),
            position: 3,
        },
        Change::Grant {
            role: Named::new(OPS_LEAD, "ops-lead"),
            permission: Named::new(DEPLOY, "apps.deploy"),
            scope: at_prod.clone(),
        },
        Change::Assign {
            user: Named::new(BOB, "bob"),
            role: Named::new(OPS_LEAD, "ops-lead"),
            scope: NamedScope::organization(),
        },
    ] {
        engine.apply(&change).unwrap();
    }
    let preview = engine
        .preview(&[
            Change::Unassign {
                user: Named::new(BOB, "bob"),
                role: Named::new(OPS_LEAD, "ops-lead"),
                scope: NamedScope::organization(),
            },
            Change::Revoke {
                role: Named::new(OPS_LEAD, "ops-lead"),
                permission: Named::new(DEPLOY, "apps.deploy"),
                scope: at_prod.clone(),
            },
            Change::DeleteStage {
                stage: Named::new(prod, "Production"),
                position: 3,
            },
        ])
        .unwrap();
    let bob = preview.users.iter().find(|d| d.user == BOB).unwrap();
    assert!(bob.gained.is_empty(), "{bob:?}");
    // ops-lead also grants apps.deploy at QA, which stays a scope.
    assert_eq!(
        bob.lost,
        [
            Atom {
                permission: DEPLOY,
                scope: Scope::new(Some(QA), None)
            },
            Atom {
                permission: DEPLOY,
                scope: Scope::new(Some(prod), None)
            }
        ]
    );
}

#[test]
fn who_can_lists_exactly_the_users_check_accepts() {
    let engine = Engine::build(&world().snap).unwrap();
    let qa = Scope::new(Some(QA), None);
    assert_eq!(engine.who_can(VIEW, qa, None), [ALICE]);
    assert_eq!(engine.who_can(VIEW, qa, Some(TenantId(2))), []);
    assert!(engine.who_can(DEPLOY, qa, None).is_empty());
}
