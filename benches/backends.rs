//! SQLite and PostgreSQL side by side on the same 100,000-user demo store (generated in a
//! SQLite file, then `warden copy`-ed into a throwaway PostgreSQL cluster started as the tests
//! start theirs): loading the access graph (every row the engine needs, and the engine built),
//! a bulk assign of an end-user role to 10,000 users committed as one transaction, an open
//! console catching up with a user added elsewhere (against reloading everything), and
//! `warden access USER` as a whole process. Run with `cargo bench --bench backends` (Debian's
//! postgresql package installed).

use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use warden::access::Engine;
use warden::model::{RoleKind, SystemClock, UserKind, UserStatus};
use warden::service::operator::os_account;
use warden::service::{Command as Write, ScopeRef, Service};
use warden::store::{Location, Store, StoreOptions};

mod common;
// The tests' throwaway cluster, shared rather than written twice.
#[path = "../tests/common/pg.rs"]
mod pg;

const USERS: usize = 100_000;
const BULK: usize = 10_000;

fn new_user(name: &str) -> Write {
    Write::AddUser(warden::service::NewUser {
        username: name.to_string(),
        email: None,
        display_name: String::new(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Invited,
    })
}

/// The end-user role and the 10,000 active end users the bulk assign is about.
fn bulk_subjects(store: &mut Store) -> (String, Vec<String>) {
    store
        .read(|tx| {
            let snapshot = tx.snapshot()?;
            let role = snapshot
                .roles
                .iter()
                .find(|r| r.kind == RoleKind::EndUser)
                .expect("an end-user role")
                .key
                .clone();
            let users = snapshot
                .users
                .iter()
                .filter(|u| u.kind == UserKind::EndUser && u.status == UserStatus::Active)
                .take(BULK)
                .map(|u| u.username.clone())
                .collect();
            Ok::<_, warden::store::StoreError>((role, users))
        })
        .expect("read")
}

fn backends(c: &mut Criterion) {
    let account = os_account().expect("OS account");
    let common::Demo {
        _dir,
        location: sqlite,
        store,
    } = common::demo_store(USERS, account);
    // Each side opens its own store below, as a process would.
    drop(store);
    let cluster = pg::cluster().expect("a PostgreSQL cluster (install postgresql)");
    let db = cluster.database();
    let postgres = Location::Postgres {
        conninfo: format!("{}&password={}", cluster.app_url(&db), pg::APP_PASSWORD),
        schema: None,
    };
    let started = Instant::now();
    let copied = warden::store::copy::copy(&sqlite, &postgres, StoreOptions::default())
        .expect("copy to PostgreSQL");
    eprintln!(
        "copied {} rows to PostgreSQL in {:.1} s",
        copied.rows,
        started.elapsed().as_secs_f64()
    );
    let Location::Sqlite(sqlite_path) = &sqlite else {
        panic!("a SQLite demo")
    };
    let sides = [
        ("sqlite", sqlite.clone(), sqlite_path.display().to_string()),
        ("postgres", postgres.clone(), cluster.app_url(&db)),
    ];

    let mut group = c.benchmark_group("backends_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    for (name, location, target) in &sides {
        let mut store = Store::open(location, StoreOptions::default()).expect("open");
        group.bench_function(
            format!("{name}/load the access graph and build the engine"),
            |b| {
                b.iter(|| {
                    let snapshot = store.read(|tx| tx.snapshot()).expect("snapshot");
                    Engine::build(&snapshot).expect("engine")
                })
            },
        );

        let (role, users) = bulk_subjects(&mut store);
        let assign = vec![Write::Assign {
            role: role.clone(),
            users: users.clone(),
            scope: ScopeRef::default(),
        }];
        let unassign = vec![Write::Unassign {
            role,
            users,
            scope: ScopeRef::default(),
        }];
        let clock = SystemClock;
        let mut service = Service::new(&mut store, &clock, "default");
        let operator = service.peer_operator().expect("peer operator");
        group.bench_function(
            format!("{name}/bulk assign to 10,000 users, committed"),
            |b| {
                b.iter_custom(|iterations| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iterations {
                        let start = Instant::now();
                        service.execute(&operator, &assign).expect("assign");
                        spent += start.elapsed();
                        service.execute(&operator, &unassign).expect("reset");
                    }
                    spent
                })
            },
        );

        // Another client adds a user: what an open console does to show it, catching up
        // (that user's row, the small lists, the engine brought up to date) or reloading.
        let seen = service.overview(500).expect("overview");
        let (mut marker, mut engine) = (seen.marker, std::sync::Arc::new(seen.engine));
        let mut added = 0usize;
        group.bench_function(
            format!("{name}/catch up with a user added elsewhere"),
            |b| {
                b.iter_custom(|iterations| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iterations {
                        added += 1;
                        service
                            .execute(&operator, &[new_user(&format!("elsewhere-{added}"))])
                            .expect("add");
                        let start = Instant::now();
                        let warden::service::catch_up::CatchUp::Delta(delta) =
                            service.catch_up(marker, &engine).expect("catch up")
                        else {
                            panic!("a user added is caught up with");
                        };
                        let mut updated = (*engine).clone();
                        updated.apply_all(&delta.engine_changes).expect("apply");
                        spent += start.elapsed();
                        marker = delta.marker;
                        engine = std::sync::Arc::new(updated);
                    }
                    spent
                })
            },
        );
        group.bench_function(
            format!("{name}/reload everything (what catching up avoids)"),
            |b| b.iter(|| service.overview(500).expect("overview").users.len()),
        );

        group.bench_function(format!("{name}/warden access USER, whole process"), |b| {
            b.iter(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_warden"))
                    .args(["access", "ada.allen1003", "--store", target])
                    .env("PGPASSWORD", pg::APP_PASSWORD)
                    .output()
                    .expect("warden access");
                assert!(out.status.success(), "{out:?}");
                out.stdout.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, backends);
criterion_main!(benches);
