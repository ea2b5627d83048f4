//! Access engine benchmarks on a `warden demo --users 100000` store (generated once, in a
//! temporary directory): loading the graph, one user's effective set, `check`, who-can over
//! every user, the preview of a grant to a role reached by about 10,000 users, and every user's
//! effective set. Run with `cargo bench --bench access`.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use warden::access::Engine;
use warden::model::*;
use warden::store::{Location, Store, StoreOptions};

mod common;

const USERS: usize = 100_000;

struct Fixture {
    _dir: tempfile::TempDir,
    location: Location,
    snapshot: Snapshot,
    engine: Engine,
}

fn fixture() -> Fixture {
    let common::Demo {
        _dir: dir,
        location,
        mut store,
    } = common::demo_store(USERS, "bench".into());
    let snapshot = store.read(|tx| tx.snapshot()).expect("snapshot");
    let engine = Engine::build(&snapshot).expect("engine");
    Fixture {
        _dir: dir,
        location,
        snapshot,
        engine,
    }
}

/// How many users (any status) hold each role, directly or through a group, or through a role
/// that includes it.
fn users_reaching(snapshot: &Snapshot) -> HashMap<RoleId, usize> {
    let mut holders: HashMap<RoleId, HashSet<UserId>> = HashMap::new();
    for a in &snapshot.assignments {
        holders.entry(a.role).or_default().insert(a.user);
    }
    let mut group_members: HashMap<GroupId, Vec<UserId>> = HashMap::new();
    for (g, u) in &snapshot.members {
        group_members.entry(*g).or_default().push(*u);
    }
    for (g, r) in &snapshot.group_roles {
        let members = group_members.get(g).cloned().unwrap_or_default();
        holders.entry(*r).or_default().extend(members);
    }
    let mut includers: HashMap<RoleId, Vec<RoleId>> = HashMap::new();
    for (r, c) in &snapshot.includes {
        includers.entry(*c).or_default().push(*r);
    }
    snapshot
        .roles
        .iter()
        .map(|role| {
            let mut users: HashSet<UserId> = HashSet::new();
            let mut todo = vec![role.id];
            let mut seen = HashSet::new();
            while let Some(r) = todo.pop() {
                if seen.insert(r) {
                    users.extend(holders.get(&r).into_iter().flatten().copied());
                    todo.extend(includers.get(&r).into_iter().flatten().copied());
                }
            }
            (role.id, users.len())
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let mut fx = fixture();
    let active: Vec<UserId> = fx
        .snapshot
        .users
        .iter()
        .filter(|u| u.status == UserStatus::Active && u.kind == UserKind::EndUser)
        .map(|u| u.id)
        .take(1000)
        .collect();
    let shop_read = fx.engine.permission_by_key("shop.read").expect("shop.read");
    let qa = fx
        .snapshot
        .stages
        .iter()
        .find(|s| s.name == "QA")
        .expect("QA")
        .id;
    let shop = fx
        .snapshot
        .apps
        .iter()
        .find(|a| a.key == "shop")
        .expect("shop")
        .id;

    let mut slow = c.benchmark_group("whole store");
    slow.sample_size(10)
        .measurement_time(Duration::from_secs(20));
    slow.bench_function("load the graph from SQLite (100k users)", |b| {
        b.iter(|| {
            let mut store = Store::open(&fx.location, StoreOptions::default()).expect("open");
            let snapshot = store.read(|tx| tx.snapshot()).expect("snapshot");
            black_box(Engine::build(&snapshot).expect("engine"))
        })
    });
    slow.bench_function("every user's effective set (100k users)", |b| {
        let ids: Vec<UserId> = fx.engine.user_ids().collect();
        b.iter(|| {
            let mut atoms = 0;
            for &u in &ids {
                atoms += fx
                    .engine
                    .effective(u)
                    .map_or(0, |s| usize::from(!s.is_empty()));
            }
            black_box(atoms)
        })
    });
    slow.finish();

    let mut i = 0;
    c.bench_function("effective set of one user, as reported atoms", |b| {
        b.iter(|| {
            i = (i + 1) % active.len();
            let set = fx.engine.effective(active[i]).expect("user");
            black_box(fx.engine.atoms(&set))
        })
    });
    let mut i = 0;
    c.bench_function("check one permission", |b| {
        b.iter(|| {
            i = (i + 1) % active.len();
            black_box(
                fx.engine
                    .check(active[i], shop_read, Scope::new(Some(qa), Some(shop))),
            )
        })
    });
    c.bench_function("who-can one permission over 100k users", |b| {
        b.iter(|| {
            black_box(
                fx.engine
                    .who_can(shop_read, Scope::new(Some(qa), Some(shop)), None),
            )
        })
    });

    // The role whose reach is closest to 10,000 users.
    let reach = users_reaching(&fx.snapshot);
    let (&role, &users) = reach
        .iter()
        .min_by_key(|(_, n)| n.abs_diff(10_000))
        .expect("a role");
    let key = fx.engine.role_key(role).expect("role").to_string();
    let audit = fx
        .engine
        .permission_by_key("monitoring.audit")
        .expect("permission");
    eprintln!("preview: granting monitoring.audit to {key}, reached by {users} users");
    let grant = [Change::Grant {
        role: Named::new(role, key),
        permission: Named::new(audit, "monitoring.audit"),
        scope: NamedScope::organization(),
    }];
    let changed = fx.engine.preview(&grant).expect("preview").users.len();
    eprintln!("preview: {changed} users' access changes");
    c.bench_function("preview a grant to a role reached by ~10k users", |b| {
        b.iter(|| black_box(fx.engine.preview(&grant).expect("preview")))
    });
}

criterion_group!(access, benches);
criterion_main!(access);
