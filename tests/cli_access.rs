//! The access verbs through the real binary: `access` JSON, `explain`, `why-not`, `who-can`,
//! `check` exit codes, a dry run that shows exactly the diff the real write makes, and an older
//! store migrated forward on open.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::Env;

/// alice (end user, active) in group ops (QA), which holds deployer (shop.orders.ship, which
/// implies shop.orders.view); bob (end user, active) with nothing; admin the operator.
fn shop() -> Env {
    let env = Env::empty();
    env.ok(&["init", "--admin", "admin"]);
    env.script(
        r#"
        app add shop --name Shop
        perm add shop.orders.ship --name "Ship orders" --app shop
        perm add shop.orders.view --name "View orders" --app shop
        perm imply shop.orders.ship shop.orders.view
        role add deployer --name Deployer --kind end_user --app shop --grant shop.orders.ship
        role add viewer --name Viewer --kind end_user --app shop --grant shop.orders.view
        group add ops --stage QA
        group add-role ops deployer
        user add alice --email alice@example.com --active
        user add bob --email bob@example.com --active
        group add-member ops alice
        "#,
    );
    env
}

fn atoms(value: &serde_json::Value) -> BTreeSet<(String, Option<String>, Option<String>)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["permission"].as_str().unwrap().to_string(),
                p["stage"].as_str().map(String::from),
                p["app"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn access_shows_every_permission_with_its_paths() {
    let env = shop();
    let view = env.json(&["access", "alice"]);
    assert_eq!(view["user"], "alice");
    assert_eq!(view["status"], "active");
    let perms = view["permissions"].as_array().unwrap();
    assert_eq!(perms.len(), 2);
    let view_orders = perms
        .iter()
        .find(|p| p["permission"] == "shop.orders.view")
        .unwrap();
    assert_eq!(view_orders["stage"], "QA");
    assert_eq!(view_orders["app"], "shop");
    assert_eq!(
        view_orders["via"][0],
        "alice → group ops (QA) → role deployer (at stage QA, app shop) → grants shop.orders.ship → implies shop.orders.view"
    );
    // Within Production, nothing applies.
    let prod = env.json(&["access", "alice", "--stage", "Production"]);
    assert!(prod["permissions"].as_array().unwrap().is_empty());
    // An invited user holds nothing, and the listing says why.
    env.ok(&["user", "add", "carol", "--email", "c@example.com"]);
    env.ok(&["assign", "viewer", "carol"]);
    let out = env.ok(&["access", "carol"]);
    assert!(
        out.contains("no access") && out.contains("invited"),
        "{out}"
    );
}

#[test]
fn explain_and_check_agree_and_exit_by_the_answer() {
    let env = shop();
    env.ok(&["assign", "viewer", "alice"]);
    let out = env.ok(&[
        "explain",
        "alice",
        "shop.orders.view",
        "--stage",
        "QA",
        "--app",
        "shop",
    ]);
    assert!(out.contains("through 2 paths"), "{out}");
    assert!(
        out.contains("alice → role viewer → grants shop.orders.view"),
        "{out}"
    );
    assert_eq!(
        env.run(&[
            "check",
            "alice",
            "shop.orders.view",
            "--stage",
            "QA",
            "--app",
            "shop"
        ])
        .code,
        0
    );
    assert_eq!(env.run(&["check", "alice", "shop.orders.ship"]).code, 1);
    let run = env.run(&["explain", "alice", "shop.orders.ship"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("holds it only at stage QA, app shop"),
        "{}",
        run.stdout
    );
    let run = env.run(&["check", "nobody", "shop.orders.ship"]);
    assert_eq!(run.code, 2, "an unknown user is bad input: {run:?}");
}

#[test]
fn why_not_names_the_missing_edge() {
    let env = shop();
    let out = env.ok(&[
        "why-not",
        "bob",
        "shop.orders.ship",
        "--stage",
        "QA",
        "--app",
        "shop",
    ]);
    assert!(out.contains("bob were in group ops (QA)"), "{out}");
    assert!(
        out.contains("bob were assigned role deployer at stage QA, app shop"),
        "{out}"
    );
    let view = env.json(&[
        "why-not",
        "alice",
        "shop.orders.ship",
        "--stage",
        "QA",
        "--app",
        "shop",
    ]);
    assert_eq!(view["holds"], true);
}

#[test]
fn who_can_lists_the_holders_with_a_path() {
    let env = shop();
    let view = env.json(&[
        "who-can",
        "shop.orders.view",
        "--stage",
        "QA",
        "--app",
        "shop",
    ]);
    let users = view["users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["username"], "alice");
    assert!(
        users[0]["via"]
            .as_str()
            .unwrap()
            .starts_with("alice → group ops (QA)")
    );
    let everywhere = env.json(&["who-can", "shop.orders.view"]);
    assert!(
        everywhere["users"].as_array().unwrap().is_empty(),
        "alice holds it only in QA"
    );
    let admins = env.json(&["who-can", "users.delete"]);
    assert_eq!(admins["users"][0]["username"], "admin");
}

#[test]
fn a_dry_run_shows_exactly_the_diff_the_write_makes() {
    let env = shop();
    let before = atoms(&env.json(&["access", "bob"])["permissions"]);
    let dry = env.json(&["--dry-run", "assign", "deployer", "bob", "--stage", "QA"]);
    assert_eq!(dry["committed"], false);
    let preview = &dry["preview"];
    assert_eq!(preview["users_changed"], 1);
    let gained = atoms(&preview["users"][0]["gained"]);
    assert!(preview["users"][0]["lost"].as_array().unwrap().is_empty());
    assert_eq!(
        env.json(&["access", "bob"])["permissions"],
        serde_json::json!([]),
        "nothing saved"
    );

    env.ok(&["assign", "deployer", "bob", "--stage", "QA"]);
    let after = atoms(&env.json(&["access", "bob"])["permissions"]);
    let diff: BTreeSet<_> = after.difference(&before).cloned().collect();
    assert_eq!(gained, diff);
    assert_eq!(gained.len(), 2, "ship and the view it implies");

    let text = env.ok(&["--dry-run", "unassign", "deployer", "bob", "--stage", "QA"]);
    assert!(
        text.contains(
            "access: changes access for 1 user; 1 lose shop.orders.ship, 1 lose shop.orders.view"
        ),
        "{text}"
    );
    // A direct assignment at a stage keeps "any app" (a group would narrow it to the role's app).
    assert!(
        text.contains("bob  -shop.orders.ship@QA -shop.orders.view@QA"),
        "{text}"
    );
}

#[test]
fn a_dry_run_of_a_role_edit_counts_everyone_it_reaches() {
    let env = shop();
    env.script("user add dan --email d@example.com --active\ngroup add-member ops dan");
    let dry = env.json(&["--dry-run", "role", "grant", "deployer", "shop.orders.view"]);
    // The grant is at the organization scope, but the group gives deployer only in QA: alice
    // and dan already hold shop.orders.view there through the implication.
    assert_eq!(dry["preview"]["users_changed"], 0);
    let dry = env.json(&["--dry-run", "group", "add-role", "ops", "viewer"]);
    assert_eq!(
        dry["preview"]["users_changed"], 0,
        "viewer adds nothing deployer does not give"
    );
    let dry = env.json(&["--dry-run", "group", "remove-role", "ops", "deployer"]);
    assert_eq!(dry["preview"]["users_changed"], 2);
    assert_eq!(dry["preview"]["permissions"][0]["users_losing"], 2);
}

#[test]
fn an_older_store_is_migrated_forward_on_open() {
    let env = Env::empty();
    std::fs::copy("tests/fixtures/store-v1.db", &env.store).unwrap();
    let version = |env: &Env| -> String {
        env.sqlite()
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(version(&env), "1");
    let before = common::dump(&env.store);
    // Reading is enough to migrate; every row is still there.
    let users = env.json(&["user", "list"]);
    assert_eq!(users.as_array().unwrap().len(), 3);
    let latest = warden::store::migrate::latest(warden::store::migrate::SQLITE);
    assert_eq!(version(&env), latest.to_string());
    let after = common::dump(&env.store);
    for table in [
        "users",
        "roles",
        "role_grants",
        "group_members",
        "assignments",
        "audit",
    ] {
        let section = |d: &str| -> Vec<String> {
            d.split("== ")
                .find(|s| s.starts_with(&format!("{table}\n")))
                .unwrap_or("")
                .lines()
                .map(String::from)
                .collect()
        };
        let (old_rows, new_rows) = (section(&before), section(&after));
        assert_eq!(old_rows.len(), new_rows.len(), "{table} keeps every row");
        for (old, new) in old_rows.iter().zip(&new_rows) {
            // Later versions may add columns (at the end); every old value is still there.
            assert!(new.starts_with(old.as_str()), "{table}: {old} became {new}");
        }
    }
    // The new view answers like the engine.
    let from_view: BTreeSet<(String, Option<String>, Option<String>)> = env
        .sqlite()
        .prepare(
            "SELECT permission, stage, app FROM effective_permissions WHERE username = 'alice'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        from_view,
        atoms(&env.json(&["access", "alice"])["permissions"])
    );
    assert!(!from_view.is_empty());
    // A read-only open of an older store refuses rather than migrating.
    let env2 = Env::empty();
    std::fs::copy("tests/fixtures/store-v1.db", &env2.store).unwrap();
    let run = env2.run(&["--read-only", "user", "list"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("needs upgrading"), "{}", run.stderr);
}

#[test]
fn a_cycle_written_behind_wardens_back_is_reported_not_followed() {
    let env = shop();
    env.sqlite()
        .execute_batch(
            "INSERT INTO role_includes (role_id, included_id)
             SELECT v.id, d.id FROM roles v, roles d WHERE v.key = 'viewer' AND d.key = 'deployer';
             INSERT INTO role_includes (role_id, included_id)
             SELECT d.id, v.id FROM roles v, roles d WHERE v.key = 'viewer' AND d.key = 'deployer';",
        )
        .unwrap();
    let run = env.run(&["access", "alice"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("cycle"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("deployer includes viewer includes deployer")
            || run
                .stderr
                .contains("viewer includes deployer includes viewer"),
        "{}",
        run.stderr
    );
    // The SQL view still terminates on the cyclic store.
    let n: i64 = env
        .sqlite()
        .query_row("SELECT count(*) FROM effective_permissions", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(n > 0);
}
