//! Single writes on a `warden demo --users 100000` store, flat and with a 1,000-deep role
//! inclusion chain (`chain-999` includes `chain-998` ... includes `chain-0`, which grants
//! `users.view`): a write must not cost more because the role graph is deep. Each write goes
//! through the service exactly as the command line's does (every rule, the post-conditions,
//! one audit record, committed). Also what a process pays once: opening the store and its
//! first write, with the check of the store's pages that precedes it. Run with
//! `cargo bench --bench writes`.

use std::cell::Cell;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use warden::model::{RoleKind, SystemClock, UserKind, UserStatus};
use warden::service::operator::os_account;
use warden::service::{Command, NewRole, NewUser, ScopeRef, Service};
use warden::store::{Location, Store, StoreOptions};

mod common;

const USERS: usize = 100_000;
const DEPTH: usize = 1_000;

/// Adds the inclusion chain straight into the file, as a store that grew over years would
/// hold it (building it through warden costs a write per role).
fn add_chain(location: &Location) {
    let Location::Sqlite(path) = location else {
        panic!("a SQLite store");
    };
    let db = rusqlite::Connection::open(path).expect("open");
    db.execute_batch("BEGIN").expect("begin");
    let mut previous: Option<i64> = None;
    for i in 0..DEPTH {
        db.execute(
            "INSERT INTO roles (key, name, name_key, kind, builtin, created_at, updated_at)
             VALUES (?1, ?1, ?1, 'organization', 0, 0, 0)",
            [format!("chain-{i}")],
        )
        .expect("role");
        let id = db.last_insert_rowid();
        match previous {
            None => db
                .execute(
                    "INSERT INTO role_grants (role_id, permission_id)
                     SELECT ?1, id FROM permissions WHERE key = 'users.view'",
                    [id],
                )
                .map(|_| ())
                .expect("grant"),
            Some(included) => db
                .execute(
                    "INSERT INTO role_includes (role_id, included_id) VALUES (?1, ?2)",
                    [id, included],
                )
                .map(|_| ())
                .expect("include"),
        }
        previous = Some(id);
    }
    db.execute_batch("COMMIT").expect("commit");
}

fn new_user(n: usize) -> Command {
    Command::AddUser(NewUser {
        username: format!("bench-user-{n}"),
        email: None,
        display_name: String::new(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Invited,
    })
}

fn new_role(n: usize, include: &str) -> Command {
    Command::AddRole(NewRole {
        key: format!("bench-role-{n}"),
        name: format!("Bench role {n}"),
        description: String::new(),
        kind: RoleKind::Organization,
        app: None,
        grants: Vec::new(),
        grant_scope: ScopeRef::default(),
        includes: vec![include.to_string()],
    })
}

fn grant(role: &str, on: bool) -> Command {
    let (role, permissions, scope) = (
        role.to_string(),
        vec!["users.edit".to_string()],
        ScopeRef::default(),
    );
    if on {
        Command::Grant {
            role,
            permissions,
            scope,
        }
    } else {
        Command::Revoke {
            role,
            permissions,
            scope,
        }
    }
}

fn writes(c: &mut Criterion) {
    let account = os_account().expect("OS account");
    let mut flat = common::demo_store(USERS, account.clone());
    let mut deep = common::demo_store(USERS, account);
    add_chain(&deep.location);
    // The flat store gets the chain's bottom role alone, so both run the same writes.
    {
        let Location::Sqlite(path) = &flat.location else {
            panic!("a SQLite store");
        };
        let db = rusqlite::Connection::open(path).expect("open");
        db.execute_batch(
            "INSERT INTO roles (key, name, name_key, kind, builtin, created_at, updated_at)
             VALUES ('chain-0', 'chain-0', 'chain-0', 'organization', 0, 0, 0);
             INSERT INTO role_grants (role_id, permission_id)
             SELECT r.id, p.id FROM roles r, permissions p
             WHERE r.key = 'chain-0' AND p.key = 'users.view';",
        )
        .expect("flat role");
    }
    let clock = SystemClock;
    let counter = Cell::new(0usize);
    let mut group = c.benchmark_group("write");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    // The role a new role includes: the top of the chain (which reaches all 1,000).
    for (label, demo, top) in [
        ("flat", &mut flat, "chain-0"),
        ("deep", &mut deep, "chain-999"),
    ] {
        let mut service = Service::new(&mut demo.store, &clock, "default");
        let operator = service.peer_operator().expect("peer operator");
        group.bench_function(format!("{label}/user add"), |b| {
            b.iter(|| {
                counter.set(counter.get() + 1);
                service
                    .execute(&operator, &[new_user(counter.get())])
                    .expect("user add")
            })
        });
        group.bench_function(format!("{label}/role add including the chain"), |b| {
            b.iter(|| {
                counter.set(counter.get() + 1);
                service
                    .execute(&operator, &[new_role(counter.get(), top)])
                    .expect("role add")
            })
        });
        // Every role of the chain reaches the bottom one: a change there reaches all 1,000.
        group.bench_function(
            format!("{label}/grant then revoke at the chain's bottom"),
            |b| {
                b.iter(|| {
                    service
                        .execute(&operator, &[grant("chain-0", true)])
                        .expect("grant");
                    service
                        .execute(&operator, &[grant("chain-0", false)])
                        .expect("revoke")
                })
            },
        );
    }
    group.finish();

    // What a command-line process pays once: opening the store and its first write, which
    // checks the pages first; and the full check `warden store check` runs.
    let mut group = c.benchmark_group("open");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("flat/open and first write (page check included)", |b| {
        b.iter(|| {
            let mut store = Store::open(&flat.location, StoreOptions::default()).expect("open");
            let mut service = Service::new(&mut store, &clock, "default");
            let operator = service.peer_operator().expect("peer operator");
            counter.set(counter.get() + 1);
            service
                .execute(&operator, &[new_user(counter.get())])
                .expect("user add")
        })
    });
    group.bench_function("flat/open and first read", |b| {
        b.iter(|| {
            let mut store = Store::open(&flat.location, StoreOptions::default()).expect("open");
            let mut service = Service::new(&mut store, &clock, "default");
            service.peer_operator().expect("peer operator")
        })
    });
    group.bench_function("flat/full page check (store check)", |b| {
        b.iter(|| flat.store.damaged_pages().expect("check"))
    });
    group.finish();
}

criterion_group!(benches, writes);
criterion_main!(benches);
