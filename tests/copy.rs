//! `warden copy` between backends: a 10,000-user demo store copied from a SQLite file to
//! PostgreSQL and back holds the same rows, lists the same users, gives every user the same
//! access (engine and `effective_permissions` view alike), and keeps its audit chain intact
//! and ending at the same head on every side.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Backend, Env, pg};
use warden::model::SystemClock;
use warden::service::Service;
use warden::store::{Location, Store, StoreOptions};

type Atom = (String, String, Option<String>, Option<String>);

/// Every user's effective permissions, from warden's engine over the store.
fn access(location: &Location) -> BTreeMap<String, BTreeSet<Atom>> {
    let mut store = Store::open(location, StoreOptions::default()).unwrap();
    let clock = SystemClock;
    let engine = Service::new(&mut store, &clock, "default")
        .engine()
        .unwrap();
    let ids: Vec<_> = engine.user_ids().collect();
    let mut out = BTreeMap::new();
    for id in ids {
        let username = engine.username(id).unwrap().to_string();
        let atoms = engine
            .atoms(&engine.effective(id).unwrap())
            .into_iter()
            .map(|atom| {
                (
                    username.clone(),
                    engine.permission_key(atom.permission).unwrap().to_string(),
                    atom.scope
                        .stage
                        .map(|s| engine.stage_name(s).unwrap().to_string()),
                    atom.scope
                        .app
                        .map(|a| engine.app_key(a).unwrap().to_string()),
                )
            })
            .collect();
        out.insert(username, atoms);
    }
    out
}

#[test]
fn a_demo_store_goes_to_postgresql_and_back_unchanged() {
    let Some(cluster) = pg::cluster() else { return };
    let source = Env::empty();
    source.ok(&["demo", "--users", "10000", "--admin", "admin"]);
    let on_pg = Env::empty_on(Backend::Postgres);
    let back = Env::empty();
    // (Run through the PostgreSQL side's command line: it carries the password.)
    on_pg.ok(&["copy", "--from", &source.target, "--to", &on_pg.target]);
    on_pg.ok(&["copy", "--from", &on_pg.target, "--to", &back.target]);

    // The same rows (the creation mark in meta aside), ids included.
    let rows = |env: &Env| common::dump_without(&env.location(), &["meta"]);
    let original = rows(&source);
    assert!(original.contains("== users"), "dumped");
    assert!(original == rows(&on_pg), "SQLite → PostgreSQL changed rows");
    assert!(original == rows(&back), "PostgreSQL → SQLite changed rows");

    // The same listing.
    let listing = source.ok(&["user", "list", "--json"]);
    assert_eq!(
        listing.lines().count(),
        10_003,
        "10,001 users and the brackets"
    );
    assert_eq!(on_pg.ok(&["user", "list", "--json"]), listing);
    assert_eq!(back.ok(&["user", "list", "--json"]), listing);

    // The same access for every user, from the engine...
    let engine_access = access(&source.location());
    assert_eq!(engine_access.len(), 10_001);
    assert!(engine_access.values().any(|atoms| !atoms.is_empty()));
    assert!(
        access(&on_pg.location()) == engine_access,
        "PostgreSQL access differs"
    );
    assert!(
        access(&back.location()) == engine_access,
        "SQLite access differs"
    );

    // ...and from the effective_permissions view, which must give the engine's rows.
    let expected: BTreeSet<Atom> = engine_access.values().flatten().cloned().collect();
    let sqlite_view: BTreeSet<Atom> = source
        .sqlite()
        .prepare("SELECT username, permission, stage, app FROM effective_permissions")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        sqlite_view == expected,
        "the SQLite view differs from the engine"
    );
    let db = on_pg.target.rsplit('/').next().unwrap();
    let db = db.split('?').next().unwrap();
    let pg_view: BTreeSet<Atom> = cluster
        .admin(db)
        .query(
            "SELECT username, permission, stage, app FROM warden.effective_permissions",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert!(
        pg_view == expected,
        "the PostgreSQL view differs from the engine"
    );

    // An intact chain with the same head on every side.
    let head = |env: &Env| {
        let verified = env.json(&["audit", "verify"]);
        assert_eq!(verified["intact"], true, "{verified}");
        verified["head"].as_str().unwrap().to_string()
    };
    let original_head = head(&source);
    assert_eq!(head(&on_pg), original_head);
    assert_eq!(head(&back), original_head);

    // A copy never lands on a store.
    let again = source.run(&["copy", "--from", &source.target, "--to", &back.target]);
    assert_eq!(again.code, 3, "{again:?}");
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}
