//! Bulk writes from the command line: users listed in a file (`--from-file`, `-` for standard
//! input) for assign, unassign, group add-member and remove-member, with the console's per-user
//! report, and with `--dry-run` the same preview; a bad file is refused whole, naming the line.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

/// A store with an app, an end-user role deployer, a group ops (QA) and users u1 … u4.
fn team() -> Env {
    let env = Env::empty();
    env.ok(&["init", "--admin", "admin"]);
    env.script(
        r#"
        app add shop --name Shop
        perm add shop.orders.ship --name "Ship orders" --app shop
        role add deployer --name Deployer --kind end_user --app shop --grant shop.orders.ship
        group add ops --stage QA
        user add u1 --active
        user add u2 --active
        user add u3 --active
        user add u4 --active
        assign deployer u2
        "#,
    );
    env
}

fn write_file(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn audit_count(env: &Env) -> i64 {
    env.sqlite()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn assign_from_a_file_reports_per_user_in_one_transaction() {
    let env = team();
    let file = write_file(&env, "users.txt", "# the night shift\nu1\n\nu2\nU1\nu3\n");
    let audit = audit_count(&env);
    let out = env.ok(&["assign", "deployer", "--from-file", &file]);
    assert!(
        out.contains("per user (2 done, 1 skipped, 0 unchanged):"),
        "{out}"
    );
    assert!(
        out.contains("  done       u1: assign deployer to u1"),
        "{out}"
    );
    assert!(
        out.contains("  skipped    u2: already has role deployer"),
        "{out}"
    );
    assert_eq!(
        audit_count(&env),
        audit + 1,
        "one record for the whole file"
    );
}

#[test]
fn a_dry_run_from_a_file_previews_and_reports_and_saves_nothing() {
    let env = team();
    let file = write_file(&env, "users.txt", "u1\nu3\n");
    let before = env.dump();
    let out = env.ok(&["--dry-run", "assign", "deployer", "--from-file", &file]);
    assert!(
        out.contains("would assign role deployer to u1, u3"),
        "{out}"
    );
    assert!(
        out.contains("per user (would be 2 done, 0 skipped, 0 unchanged):"),
        "{out}"
    );
    assert!(
        out.contains("access: changes access for 2 users; 2 gain shop.orders.ship"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing was saved"), "{out}");
    assert_eq!(env.dump(), before);
    let json = env.json(&["--dry-run", "assign", "deployer", "--from-file", &file]);
    assert_eq!(json["report"][0]["user"], "u1");
    assert_eq!(json["report"][0]["result"], "done");
    assert_eq!(json["preview"]["users_changed"], 2);
}

#[test]
fn users_come_from_standard_input_and_the_command_line_together() {
    let env = team();
    let run = env.run_with_stdin(
        &["group", "add-member", "ops", "u4", "--from-file", "-"],
        "u1\nu3\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("per user (3 done"), "{}", run.stdout);
    let members = env.json(&["group", "show", "ops"])["members"].clone();
    assert_eq!(members, serde_json::json!(["u1", "u3", "u4"]));
    let file = write_file(&env, "leavers.txt", "u1\nu2\n");
    let out = env.ok(&["group", "remove-member", "ops", "--from-file", &file]);
    assert!(out.contains("skipped    u2: not in group ops"), "{out}");
    let out = env.ok(&["unassign", "deployer", "--from-file", &file]);
    assert!(
        out.contains("done       u2: take deployer from u2"),
        "{out}"
    );
}

#[test]
fn a_bad_file_is_refused_whole_naming_the_line() {
    let env = team();
    let before = env.dump();
    let file = write_file(&env, "users.txt", "u1\nu 2\n");
    let run = env.run(&["assign", "deployer", "--from-file", &file]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("users.txt:2: u 2 is not a username: it holds a blank inside it"),
        "{}",
        run.stderr
    );
    let file = write_file(&env, "evil.txt", "u1\n\u{1b}[2Ju3\n");
    let run = env.run(&["assign", "deployer", "--from-file", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("evil.txt:2: \\x1b[2Ju3 is not a username"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "assign",
        "deployer",
        "--from-file",
        "/nonexistent/users.txt",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read /nonexistent/users.txt"),
        "{}",
        run.stderr
    );
    let file = write_file(&env, "empty.txt", "# nobody\n\n");
    let run = env.run(&["assign", "deployer", "--from-file", &file]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("lists no users"), "{}", run.stderr);
    // An unknown user stops the whole file: nothing is half-applied.
    let file = write_file(&env, "users.txt", "u1\nnobody\n");
    let run = env.run(&["assign", "deployer", "--from-file", &file]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("nobody"), "{}", run.stderr);
    assert_eq!(env.dump(), before);
}
