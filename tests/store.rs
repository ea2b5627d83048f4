//! The store contract: one suite over the `Store` API (open/create, read/write/rehearse
//! transactions, `Tx` reads, `Tx::apply`, the audit chain), instantiated once per backend by
//! `store_contract!`. A new backend passes when the same suite passes against it.
#![allow(clippy::unwrap_used)]

mod common;

use warden::model::*;
use warden::store::{AuditDraft, Location, Store, StoreError, StoreOptions, Tx};

/// A fresh, empty store (schema only) and whatever keeps it alive.
pub struct Fixture {
    pub store: Store,
    pub location: Location,
    _keep: Box<dyn std::any::Any>,
}

impl Fixture {
    /// Opens the same store again, as another process would.
    pub fn reopen(&self, options: StoreOptions) -> Result<Store, StoreError> {
        Store::open(&self.location, options)
    }
}

pub fn sqlite_fixture() -> Option<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("contract.db"));
    let store = Store::create(&location, StoreOptions::default()).unwrap();
    Some(Fixture {
        store,
        location,
        _keep: Box::new(dir),
    })
}

/// A fresh database on the test cluster, the store in its own schema, reached as the
/// unprivileged application role over the loopback port with a password.
pub fn postgres_fixture() -> Option<Fixture> {
    let cluster = common::pg::cluster()?;
    let db = cluster.database();
    let location = Location::Postgres {
        conninfo: format!(
            "{}&password={}",
            cluster.app_url(&db),
            common::pg::APP_PASSWORD
        ),
        schema: None,
    };
    let store = Store::create(&location, StoreOptions::default()).unwrap();
    Some(Fixture {
        store,
        location,
        _keep: Box::new(()),
    })
}

/// Instantiates every contract test for one backend.
macro_rules! store_contract {
    ($backend:ident, $fixture:path) => {
        mod $backend {
            store_contract!(@tests $fixture;
                schema_is_current_after_create,
                users_round_trip_with_case_insensitive_lookups,
                the_database_enforces_unique_usernames_and_emails,
                roles_grants_and_inclusions_round_trip,
                a_grant_is_unique_per_scope_including_any,
                assignments_are_told_apart_by_scope,
                many_users_are_looked_up_in_batches,
                groups_members_and_summaries,
                a_failed_write_leaves_nothing_behind,
                a_rehearsal_keeps_nothing,
                removing_something_absent_is_a_conflict,
                the_audit_chain_links_every_record,
                a_read_only_store_refuses_writes,
                committed_data_is_seen_after_reopening,
                settings_meta_and_credentials_round_trip,
                an_id_given_back_keeps_the_numbering_ahead,
                writers_are_serialized
            );
        }
    };
    (@tests $fixture:path; $($name:ident),+) => {
        $(
            #[test]
            fn $name() {
                if let Some(fixture) = $fixture() {
                    super::contract::$name(fixture);
                }
            }
        )+
    };
}

store_contract!(sqlite, super::sqlite_fixture);
store_contract!(postgres, super::postgres_fixture);

mod contract {
    use super::*;

    const T0: Timestamp = Timestamp(1_700_000_000_000);

    fn apply(tx: &mut Tx<'_>, mut change: Change) -> Change {
        tx.apply(&mut change, T0).unwrap();
        change
    }

    fn write<T>(store: &mut Store, body: impl FnOnce(&mut Tx<'_>) -> T) -> T {
        store.write(|tx| Ok::<_, StoreError>(body(tx))).unwrap()
    }

    fn read<T>(store: &mut Store, body: impl FnOnce(&mut Tx<'_>) -> T) -> T {
        store.read(|tx| Ok::<_, StoreError>(body(tx))).unwrap()
    }

    /// Basic frame: tenant `default`, stages Development and QA, app `shop`.
    struct Frame {
        tenant: Named<TenantId>,
        dev: Named<StageId>,
        qa: Named<StageId>,
        shop: Named<AppId>,
    }

    fn frame(tx: &mut Tx<'_>) -> Frame {
        let Change::AddTenant { id: tenant, .. } = apply(
            tx,
            Change::AddTenant {
                id: TenantId(0),
                name: "default".into(),
            },
        ) else {
            unreachable!()
        };
        let mut stage = |name: &str, position| {
            let Change::AddStage { id, .. } = apply(
                tx,
                Change::AddStage {
                    id: StageId(0),
                    name: name.into(),
                    position,
                },
            ) else {
                unreachable!()
            };
            Named::new(id, name)
        };
        let dev = stage("Development", 1);
        let qa = stage("QA", 2);
        let Change::AddApp { id: shop, .. } = apply(
            tx,
            Change::AddApp {
                id: AppId(0),
                key: "shop".into(),
                fields: AppFields {
                    name: "Shop".into(),
                    description: String::new(),
                },
            },
        ) else {
            unreachable!()
        };
        Frame {
            tenant: Named::new(tenant, "default"),
            dev,
            qa,
            shop: Named::new(shop, "shop"),
        }
    }

    fn add_user(tx: &mut Tx<'_>, f: &Frame, name: &str, email: Option<&str>) -> Named<UserId> {
        let Change::AddUser { id, .. } = apply(
            tx,
            Change::AddUser {
                id: UserId(0),
                tenant: f.tenant.clone(),
                fields: UserFields {
                    username: name.into(),
                    email: email.map(String::from),
                    display_name: String::new(),
                    kind: UserKind::EndUser,
                    external_id: None,
                },
                status: UserStatus::Active,
            },
        ) else {
            unreachable!()
        };
        Named::new(id, name)
    }

    fn add_permission(
        tx: &mut Tx<'_>,
        key: &str,
        app: Option<&Named<AppId>>,
    ) -> Named<PermissionId> {
        let Change::AddPermission { id, .. } = apply(
            tx,
            Change::AddPermission {
                id: PermissionId(0),
                key: key.into(),
                fields: PermissionFields {
                    name: key.into(),
                    section: "Test".into(),
                    description: String::new(),
                },
                app: app.cloned(),
                builtin: false,
            },
        ) else {
            unreachable!()
        };
        Named::new(id, key)
    }

    fn add_role(
        tx: &mut Tx<'_>,
        key: &str,
        grants: Vec<NamedGrant>,
        includes: Vec<Named<RoleId>>,
    ) -> Named<RoleId> {
        let Change::AddRole { id, .. } = apply(
            tx,
            Change::AddRole {
                id: RoleId(0),
                key: key.into(),
                fields: RoleFields {
                    name: key.to_uppercase(),
                    description: String::new(),
                },
                kind: RoleKind::Organization,
                app: None,
                builtin: false,
                grants,
                includes,
            },
        ) else {
            unreachable!()
        };
        Named::new(id, key)
    }

    /// A role granting one new permission at every scope.
    fn role_granting_everywhere(tx: &mut Tx<'_>, role: &str, permission: &str) -> Named<RoleId> {
        let p = add_permission(tx, permission, None);
        add_role(
            tx,
            role,
            vec![NamedGrant {
                permission: p,
                scope: scope_at(None, None),
            }],
            vec![],
        )
    }

    fn scope_at(stage: Option<&Named<StageId>>, app: Option<&Named<AppId>>) -> NamedScope {
        NamedScope {
            scope: Scope::new(stage.map(|s| s.id), app.map(|a| a.id)),
            stage: stage.map(|s| s.name.clone()),
            app: app.map(|a| a.name.clone()),
        }
    }

    pub fn schema_is_current_after_create(mut fx: Fixture) {
        let version = read(&mut fx.store, |tx| tx.meta("schema_version").unwrap());
        // Both backends number their migrations alike.
        let latest = warden::store::migrate::latest(warden::store::migrate::SQLITE);
        assert_eq!(
            latest,
            warden::store::migrate::latest(warden::store::migrate::POSTGRES)
        );
        assert_eq!(version, Some(latest.to_string()));
    }

    pub fn users_round_trip_with_case_insensitive_lookups(mut fx: Fixture) {
        let (f, alice) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            // Stored first, listed last: the list is by username, case-insensitively.
            add_user(tx, &f, "Zed", None);
            let alice = add_user(tx, &f, "Alice", Some("Alice@Example.com"));
            add_user(tx, &f, "bob", None);
            (f, alice)
        });
        read(&mut fx.store, |tx| {
            let by_name = tx.user_by_username(f.tenant.id, "aLiCe").unwrap().unwrap();
            assert_eq!(by_name.id, alice.id);
            assert_eq!(by_name.username, "Alice", "the spelling given is kept");
            assert_eq!(by_name.created_at, T0);
            assert_eq!(by_name.version, 1);
            let by_email = tx
                .user_by_email(f.tenant.id, "alice@example.COM")
                .unwrap()
                .unwrap();
            assert_eq!(by_email.id, alice.id);
            let names: Vec<String> = tx
                .users(f.tenant.id)
                .unwrap()
                .into_iter()
                .map(|u| u.username)
                .collect();
            assert_eq!(names, ["Alice", "bob", "Zed"]);
        });
        write(&mut fx.store, |tx| {
            let before = UserFields {
                username: "Alice".into(),
                email: Some("Alice@Example.com".into()),
                display_name: String::new(),
                kind: UserKind::EndUser,
                external_id: None,
            };
            let after = UserFields {
                display_name: "Alice Liddell".into(),
                external_id: Some("EM-7".into()),
                ..before.clone()
            };
            apply(
                tx,
                Change::EditUser {
                    user: alice.clone(),
                    before,
                    after,
                },
            );
            apply(
                tx,
                Change::SetUserStatus {
                    user: alice.clone(),
                    before: UserStatus::Active,
                    after: UserStatus::Deactivated,
                },
            );
        });
        read(&mut fx.store, |tx| {
            let u = tx.user(alice.id).unwrap().unwrap();
            assert_eq!(u.display_name, "Alice Liddell");
            assert_eq!(u.external_id, Some(ExternalId("EM-7".into())));
            assert_eq!(u.status, UserStatus::Deactivated);
            assert_eq!(u.version, 3, "each edit bumps the version");
            assert_eq!(
                tx.user_by_external_id(f.tenant.id, "EM-7")
                    .unwrap()
                    .unwrap()
                    .id,
                alice.id
            );
        });
    }

    pub fn the_database_enforces_unique_usernames_and_emails(mut fx: Fixture) {
        write(&mut fx.store, |tx| {
            let f = frame(tx);
            add_user(tx, &f, "alice", Some("a@x.io"));
        });
        for (name, email) in [("ALICE", None), ("carol", Some("A@X.IO"))] {
            let result = fx.store.write(|tx| {
                let tenant = tx.tenant_by_name("default").unwrap().unwrap();
                let mut change = Change::AddUser {
                    id: UserId(0),
                    tenant: Named::new(tenant.id, "default"),
                    fields: UserFields {
                        username: name.into(),
                        email: email.map(String::from),
                        display_name: String::new(),
                        kind: UserKind::EndUser,
                        external_id: None,
                    },
                    status: UserStatus::Invited,
                };
                tx.apply(&mut change, T0)
            });
            assert!(
                matches!(result, Err(StoreError::Conflict(_))),
                "{name}: {result:?}"
            );
        }
    }

    pub fn roles_grants_and_inclusions_round_trip(mut fx: Fixture) {
        let (f, view, edit, viewer, editor) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let view = add_permission(tx, "shop.view", Some(&f.shop));
            let edit = add_permission(tx, "shop.edit", Some(&f.shop));
            apply(
                tx,
                Change::Imply {
                    permission: edit.clone(),
                    implied: view.clone(),
                },
            );
            let viewer = add_role(
                tx,
                "viewer",
                vec![NamedGrant {
                    permission: view.clone(),
                    scope: scope_at(None, None),
                }],
                vec![],
            );
            let editor = add_role(
                tx,
                "editor",
                vec![NamedGrant {
                    permission: edit.clone(),
                    scope: scope_at(Some(&f.qa), Some(&f.shop)),
                }],
                vec![viewer.clone()],
            );
            (f, view, edit, viewer, editor)
        });
        read(&mut fx.store, |tx| {
            let grants = tx.role_grants(editor.id).unwrap();
            assert_eq!(grants.len(), 1);
            assert_eq!(grants[0].scope, Scope::new(Some(f.qa.id), Some(f.shop.id)));
            assert!(
                tx.has_grant(
                    editor.id,
                    edit.id,
                    Scope::new(Some(f.qa.id), Some(f.shop.id))
                )
                .unwrap()
            );
            assert!(
                !tx.has_grant(editor.id, edit.id, Scope::ORGANIZATION)
                    .unwrap()
            );
            assert!(
                tx.has_grant(viewer.id, view.id, Scope::ORGANIZATION)
                    .unwrap()
            );
            assert_eq!(tx.role_includes(editor.id).unwrap(), [viewer.id]);
            assert_eq!(tx.role_included_by(viewer.id).unwrap(), [editor.id]);
            assert_eq!(tx.implied_by(edit.id).unwrap(), [view.id]);
            assert_eq!(tx.implying(view.id).unwrap(), [edit.id]);
            assert_eq!(tx.role_by_key("editor").unwrap().unwrap().name, "EDITOR");
            assert_eq!(
                tx.roles_named("editor").unwrap().len(),
                1,
                "names match case-insensitively"
            );
            assert_eq!(tx.permission_grants(view.id).unwrap().len(), 1);
        });
        write(&mut fx.store, |tx| {
            apply(
                tx,
                Change::Revoke {
                    role: editor.clone(),
                    permission: edit.clone(),
                    scope: scope_at(Some(&f.qa), Some(&f.shop)),
                },
            );
            apply(
                tx,
                Change::Exclude {
                    role: editor.clone(),
                    included: viewer.clone(),
                },
            );
        });
        read(&mut fx.store, |tx| {
            assert!(tx.role_grants(editor.id).unwrap().is_empty());
            assert!(tx.role_includes(editor.id).unwrap().is_empty());
            assert_eq!(
                tx.role(editor.id).unwrap().unwrap().version,
                3,
                "grant and inclusion edits bump the role's version"
            );
        });
    }

    pub fn a_grant_is_unique_per_scope_including_any(mut fx: Fixture) {
        let (f, p, r) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let p = add_permission(tx, "shop.view", None);
            let r = add_role(
                tx,
                "r",
                vec![NamedGrant {
                    permission: p.clone(),
                    scope: scope_at(None, None),
                }],
                vec![],
            );
            apply(
                tx,
                Change::Grant {
                    role: r.clone(),
                    permission: p.clone(),
                    scope: scope_at(Some(&f.dev), None),
                },
            );
            (f, p, r)
        });
        for scope in [scope_at(None, None), scope_at(Some(&f.dev), None)] {
            let result = fx.store.write(|tx| {
                let mut change = Change::Grant {
                    role: r.clone(),
                    permission: p.clone(),
                    scope: scope.clone(),
                };
                tx.apply(&mut change, T0)
            });
            assert!(
                matches!(result, Err(StoreError::Conflict(_))),
                "{scope:?}: {result:?}"
            );
        }
    }

    pub fn assignments_are_told_apart_by_scope(mut fx: Fixture) {
        let (f, alice, r) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let r = role_granting_everywhere(tx, "r", "x.y");
            let alice = add_user(tx, &f, "alice", None);
            apply(
                tx,
                Change::Assign {
                    user: alice.clone(),
                    role: r.clone(),
                    scope: scope_at(Some(&f.qa), None),
                },
            );
            (f, alice, r)
        });
        read(&mut fx.store, |tx| {
            assert!(
                tx.has_assignment(alice.id, r.id, Scope::new(Some(f.qa.id), None))
                    .unwrap()
            );
            assert!(
                !tx.has_assignment(alice.id, r.id, Scope::ORGANIZATION)
                    .unwrap()
            );
            assert!(
                !tx.has_assignment(alice.id, r.id, Scope::new(Some(f.dev.id), None))
                    .unwrap()
            );
            assert_eq!(tx.user_assignments(alice.id).unwrap().len(), 1);
            assert_eq!(tx.role_assignments(r.id).unwrap()[0].user, alice.id);
            assert!(tx.active_administrators().unwrap().is_empty());
        });
        write(&mut fx.store, |tx| {
            apply(
                tx,
                Change::Assign {
                    user: alice.clone(),
                    role: r.clone(),
                    scope: scope_at(None, None),
                },
            );
            apply(
                tx,
                Change::Unassign {
                    user: alice.clone(),
                    role: r.clone(),
                    scope: scope_at(Some(&f.qa), None),
                },
            );
        });
        read(&mut fx.store, |tx| {
            let left = tx.user_assignments(alice.id).unwrap();
            assert_eq!(left.len(), 1);
            assert_eq!(left[0].scope, Scope::ORGANIZATION);
        });
    }

    /// The batched lookups a bulk action makes give the answers the one-at-a-time ones do,
    /// across the batch boundary (500 names or ids per query).
    pub fn many_users_are_looked_up_in_batches(mut fx: Fixture) {
        const N: usize = 620;
        let (f, users, r) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let r = role_granting_everywhere(tx, "r", "x.y");
            let users: Vec<Named<UserId>> = (0..N)
                .map(|i| add_user(tx, &f, &format!("user{i:04}"), None))
                .collect();
            (f, users, r)
        });
        // Every user, looked up by name in any case; unknown names are simply absent.
        read(&mut fx.store, |tx| {
            let mut names: Vec<String> = users.iter().map(|u| u.name.to_uppercase()).collect();
            names.push("nobody".into());
            let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
            let found = tx.users_by_username(f.tenant.id, &wanted).unwrap();
            assert_eq!(found.len(), N);
            let ids: std::collections::HashSet<UserId> = found.iter().map(|u| u.id).collect();
            assert!(users.iter().all(|u| ids.contains(&u.id)));
        });
        // Assignments at two scopes: which users hold the role at each.
        write(&mut fx.store, |tx| {
            for (i, u) in users.iter().enumerate() {
                let scope = if i < 300 {
                    scope_at(None, None)
                } else {
                    scope_at(Some(&f.qa), None)
                };
                apply(
                    tx,
                    Change::Assign {
                        user: u.clone(),
                        role: r.clone(),
                        scope,
                    },
                );
            }
        });
        read(&mut fx.store, |tx| {
            let all: Vec<UserId> = users.iter().map(|u| u.id).collect();
            let anywhere = tx
                .holding_assignment(&all, r.id, Scope::ORGANIZATION)
                .unwrap();
            let at_qa = tx
                .holding_assignment(&all, r.id, Scope::new(Some(f.qa.id), None))
                .unwrap();
            assert_eq!(anywhere.len(), 300);
            assert_eq!(at_qa.len(), N - 300);
            assert!(users[..300].iter().all(|u| anywhere.contains(&u.id)));
            assert!(users[300..].iter().all(|u| at_qa.contains(&u.id)));
            assert_eq!(tx.role_assignments(r.id).unwrap().len(), N);
        });
    }

    pub fn groups_members_and_summaries(mut fx: Fixture) {
        let (f, group, alice) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let alice = add_user(tx, &f, "alice", None);
            add_user(tx, &f, "bob", None);
            let Change::AddGroup { id, .. } = apply(
                tx,
                Change::AddGroup {
                    id: GroupId(0),
                    tenant: f.tenant.clone(),
                    stage: f.qa.clone(),
                    fields: GroupFields {
                        name: "Ops".into(),
                        description: "d".into(),
                    },
                },
            ) else {
                unreachable!()
            };
            let group = Named::new(id, "Ops (QA)");
            apply(
                tx,
                Change::AddMember {
                    group: group.clone(),
                    user: alice.clone(),
                },
            );
            (f, group, alice)
        });
        read(&mut fx.store, |tx| {
            let named = tx.groups_named(f.tenant.id, "ops").unwrap();
            assert_eq!(named.len(), 1);
            assert_eq!(named[0].stage, f.qa.id);
            assert!(tx.is_member(group.id, alice.id).unwrap());
            assert_eq!(tx.group_members(group.id).unwrap()[0].username, "alice");
            assert_eq!(tx.user_group_ids(alice.id).unwrap(), [group.id]);
            let summaries = tx.group_summaries(f.tenant.id).unwrap();
            assert_eq!((summaries[0].members, summaries[0].roles), (1, 0));
        });
        write(&mut fx.store, |tx| {
            apply(
                tx,
                Change::RemoveMember {
                    group: group.clone(),
                    user: alice.clone(),
                },
            );
        });
        read(&mut fx.store, |tx| {
            assert!(!tx.is_member(group.id, alice.id).unwrap())
        });
    }

    pub fn a_failed_write_leaves_nothing_behind(mut fx: Fixture) {
        write(&mut fx.store, |tx| {
            frame(tx);
        });
        let result: Result<(), StoreError> = fx.store.write(|tx| {
            let tenant = tx.tenant_by_name("default").unwrap().unwrap();
            let f = Frame {
                tenant: Named::new(tenant.id, "default"),
                dev: Named::new(StageId(0), ""),
                qa: Named::new(StageId(0), ""),
                shop: Named::new(AppId(0), ""),
            };
            add_user(tx, &f, "alice", None);
            add_user(tx, &f, "bob", None);
            tx.append_audit(&warden::store::AuditDraft {
                at: T0,
                tenant: "default".into(),
                operator: "test".into(),
                action: "test".into(),
                summary: "half way".into(),
                detail: "{}".into(),
            })?;
            Err(StoreError::Backend("injected failure half way".into()))
        });
        assert!(result.is_err());
        read(&mut fx.store, |tx| {
            let tenant = tx.tenant_by_name("default").unwrap().unwrap();
            assert_eq!(tx.user_count(tenant.id).unwrap(), 0);
            assert_eq!(tx.audit_count().unwrap(), 0);
        });
    }

    pub fn a_rehearsal_keeps_nothing(mut fx: Fixture) {
        write(&mut fx.store, |tx| {
            frame(tx);
        });
        let seen = fx
            .store
            .rehearse(|tx| {
                let tenant = tx.tenant_by_name("default").unwrap().unwrap();
                let mut change = Change::AddTenant {
                    id: TenantId(0),
                    name: "acme".into(),
                };
                tx.apply(&mut change, T0)?;
                let inside = tx.tenants()?.len();
                let _ = tenant;
                Ok::<_, StoreError>(inside)
            })
            .unwrap();
        assert_eq!(seen, 2, "the rehearsal sees its own change");
        assert_eq!(read(&mut fx.store, |tx| tx.tenants().unwrap().len()), 1);
    }

    pub fn removing_something_absent_is_a_conflict(mut fx: Fixture) {
        let (f, alice) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let alice = add_user(tx, &f, "alice", None);
            (f, alice)
        });
        let result = fx.store.write(|tx| {
            let mut change = Change::Unassign {
                user: alice.clone(),
                role: Named::new(RoleId(999), "ghost"),
                scope: scope_at(Some(&f.qa), None),
            };
            tx.apply(&mut change, T0)
        });
        match result {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("no longer exists"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    pub fn the_audit_chain_links_every_record(mut fx: Fixture) {
        let ids = write(&mut fx.store, |tx| {
            (0..3)
                .map(|i| {
                    tx.append_audit(&warden::store::AuditDraft {
                        at: Timestamp(T0.0 + i),
                        tenant: "default".into(),
                        operator: "op".into(),
                        action: format!("a{i}"),
                        summary: format!("record {i} with ünïcode"),
                        detail: format!("{{\"i\":{i}}}"),
                    })
                    .unwrap()
                })
                .collect::<Vec<_>>()
        });
        read(&mut fx.store, |tx| {
            let records = tx.audit_records(10, None).unwrap();
            assert_eq!(records.len(), 3);
            assert_eq!(records[0].id, ids[2], "newest first");
            assert_eq!(records[2].prev_hash, warden::store::audit::GENESIS);
            assert_eq!(records[1].prev_hash, records[2].hash);
            assert_eq!(records[0].prev_hash, records[1].hash);
            match tx.verify_audit(None).unwrap() {
                warden::store::audit::AuditCheck::Intact { records: n, head } => {
                    assert_eq!(n, 3);
                    assert_eq!(head, records[0].hash);
                }
                broken => panic!("{broken:?}"),
            }
            assert_eq!(
                tx.audit_records(10, Some(ids[2])).unwrap().len(),
                2,
                "paging back"
            );
        });
    }

    pub fn a_read_only_store_refuses_writes(fx: Fixture) {
        let mut store = fx
            .reopen(StoreOptions {
                read_only: true,
                ..StoreOptions::default()
            })
            .unwrap();
        assert!(store.is_read_only());
        let result = store.write(|tx| tx.tenants());
        assert!(matches!(result, Err(StoreError::ReadOnly)), "{result:?}");
        assert!(store.read(|tx| tx.tenants()).is_ok());
    }

    pub fn committed_data_is_seen_after_reopening(mut fx: Fixture) {
        write(&mut fx.store, |tx| {
            let f = frame(tx);
            add_user(tx, &f, "alice", None);
        });
        let mut again = fx.reopen(StoreOptions::default()).unwrap();
        let users = again
            .read(|tx| {
                let t = tx.tenant_by_name("default")?.unwrap();
                tx.users(t.id)
            })
            .unwrap();
        assert_eq!(users.len(), 1);
    }

    pub fn settings_meta_and_credentials_round_trip(mut fx: Fixture) {
        let alice = write(&mut fx.store, |tx| {
            let f = frame(tx);
            let alice = add_user(tx, &f, "alice", None);
            tx.set_meta("note", "kept").unwrap();
            apply(
                tx,
                Change::SetSetting {
                    key: "password.min_length".into(),
                    before: "12".into(),
                    after: "14".into(),
                },
            );
            apply(
                tx,
                Change::SetPassword {
                    user: alice.clone(),
                    temporary: true,
                    hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                },
            );
            let state = LockState {
                failed_attempts: 3,
                consecutive_failures: 4,
                last_failure_at: Some(T0),
                locked_until: Some(Timestamp(T0.0 + 60_000)),
            };
            tx.set_lock_state(alice.id, state).unwrap();
            tx.record_sign_in(
                alice.id,
                T0,
                SignInOutcome::WrongPassword,
                SignInVia::Verify,
            )
            .unwrap();
            alice
        });
        read(&mut fx.store, |tx| {
            assert_eq!(tx.meta("note").unwrap().as_deref(), Some("kept"));
            assert_eq!(
                tx.settings()
                    .unwrap()
                    .get("password.min_length")
                    .map(String::as_str),
                Some("14")
            );
            assert!(
                tx.password_hash(alice.id)
                    .unwrap()
                    .unwrap()
                    .starts_with("$argon2id$")
            );
            let user = tx.user(alice.id).unwrap().unwrap();
            assert!(user.must_change_password);
            let lock = tx.lock_state(alice.id).unwrap().unwrap();
            assert_eq!((lock.failed_attempts, lock.consecutive_failures), (3, 4));
            assert_eq!(lock.locked_until, Some(Timestamp(T0.0 + 60_000)));
            let timeline = tx.sign_ins(alice.id, 10).unwrap();
            assert_eq!(timeline.len(), 1);
            assert_eq!(timeline[0].outcome, SignInOutcome::WrongPassword);
        });
    }

    /// Undo re-creates a deleted row with its old id; what the store numbers next comes after.
    pub fn an_id_given_back_keeps_the_numbering_ahead(mut fx: Fixture) {
        let (f, bob) = write(&mut fx.store, |tx| {
            let f = frame(tx);
            add_user(tx, &f, "alice", None);
            let bob = add_user(tx, &f, "bob", None);
            (f, bob)
        });
        let fields = |name: &str| UserFields {
            username: name.into(),
            email: None,
            display_name: String::new(),
            kind: UserKind::EndUser,
            external_id: None,
        };
        write(&mut fx.store, |tx| {
            apply(
                tx,
                Change::DeleteUser {
                    user: bob.clone(),
                    tenant: f.tenant.clone(),
                    before: fields("bob"),
                    status: UserStatus::Invited,
                },
            );
        });
        let carol = write(&mut fx.store, |tx| {
            let back = apply(
                tx,
                Change::AddUser {
                    id: bob.id,
                    tenant: f.tenant.clone(),
                    fields: fields("bob"),
                    status: UserStatus::Invited,
                },
            );
            let Change::AddUser { id, .. } = back else {
                unreachable!()
            };
            assert_eq!(id, bob.id, "the old id is given back");
            add_user(tx, &f, "carol", None)
        });
        assert!(carol.id.0 > bob.id.0, "{carol:?} after {bob:?}");
        let dave = write(&mut fx.store, |tx| add_user(tx, &f, "dave", None));
        assert!(dave.id.0 > carol.id.0);
    }

    /// The promise the audit chain, lockout counting and the post-conditions rely on: two
    /// write transactions never interleave. Four connections each append 25 audit records
    /// and count 25 failures on one user: the chain is intact and no count is lost.
    pub fn writers_are_serialized(mut fx: Fixture) {
        let alice = write(&mut fx.store, |tx| {
            let f = frame(tx);
            add_user(tx, &f, "alice", None)
        });
        let before = read(&mut fx.store, |tx| tx.audit_count().unwrap());
        std::thread::scope(|scope| {
            for writer in 0..4 {
                let location = fx.location.clone();
                let alice = alice.id;
                scope.spawn(move || {
                    let options = StoreOptions {
                        busy_timeout: std::time::Duration::from_secs(30),
                        ..StoreOptions::default()
                    };
                    let mut store = Store::open(&location, options).unwrap();
                    for n in 0..25 {
                        store
                            .write(|tx| {
                                let mut state = tx.lock_state(alice)?.unwrap();
                                state.failed_attempts += 1;
                                tx.set_lock_state(alice, state)?;
                                tx.append_audit(&AuditDraft {
                                    at: T0,
                                    tenant: "default".into(),
                                    operator: format!("writer {writer}"),
                                    action: "test".into(),
                                    summary: format!("write {n}"),
                                    detail: "{}".into(),
                                })
                            })
                            .unwrap();
                    }
                });
            }
        });
        read(&mut fx.store, |tx| {
            assert_eq!(
                tx.lock_state(alice.id).unwrap().unwrap().failed_attempts,
                100
            );
            assert_eq!(tx.audit_count().unwrap(), before + 100);
            match tx.verify_audit(None).unwrap() {
                warden::store::audit::AuditCheck::Intact { records, .. } => {
                    assert_eq!(records, before + 100)
                }
                broken => panic!("{broken:?}"),
            }
        });
    }
}
