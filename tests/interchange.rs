//! Data in and out: an export imported into a new store exports to the same bytes (hostile
//! strings included), a CSV with ten different bad rows reports each with its row, column and
//! reason and writes nothing (`--on-conflict skip` imports the good rows only), and `diff`
//! names exactly the differences between two stores — with the access each user would gain or
//! lose — until `sync` makes them match, SQLite and PostgreSQL in every direction.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Env, pg};

/// A demo store of `users` users on `backend`, with `admin` as its Administrator.
fn demo(backend: Backend, users: &str) -> Env {
    let env = Env::empty_on(backend);
    env.ok(&["demo", "--users", users, "--admin", "admin"]);
    env
}

fn export(env: &Env, file: &str) -> Vec<u8> {
    let path = env.dir.path().join(file);
    env.ok(&["export", "--with-secrets", "-o", path.to_str().unwrap()]);
    std::fs::read(&path).unwrap()
}

fn round_trip(backend: Backend) {
    // 10,000 users on SQLite; on PostgreSQL, where an import costs a dozen round trips a user
    // (about 3.4 ms a user), 1,000 keep the suite quick.
    let users = match backend {
        Backend::Sqlite => "10000",
        Backend::Postgres => "1000",
    };
    let source = demo(backend, users);
    // An API client's token goes along with the secrets, and still works on the other side.
    source.script(
        "user add svc-sync --kind api_client --active
         assign administrators svc-sync",
    );
    let out = source.ok(&["token", "create", "svc-sync", "--name", "ci"]);
    let token = out.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("wdn_"), "{out}");
    let first = export(&source, "first.json");
    let text = String::from_utf8(first.clone()).unwrap();
    // The demo's hostile strings are in it, escaped (inert on a terminal, lossless in JSON).
    assert!(text.contains("\\u001b[2J"), "the screen-clearing name");
    assert!(text.contains("\\u202e"), "the bidi override");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    // Mode 0600: it holds password hashes.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(source.dir.path().join("first.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let target = Env::empty_on(backend);
    target.ok(&["init", "--admin", "admin"]);
    let file = source.dir.path().join("first.json");
    let report = target.ok(&["import", file.to_str().unwrap()]);
    assert!(
        report.contains("imported:") && report.contains(" 0 failed"),
        "{report}"
    );
    assert_eq!(
        target.audit_count(),
        2,
        "init and one record for the whole import"
    );
    let second = export(&target, "second.json");
    assert!(first == second, "export → import → export changed bytes");

    // And the stores agree on everything, access included.
    let same = target.run(&["diff", "--from", &source.target, "--to", &target.target]);
    assert_eq!(same.code, 0, "{same:?}");
    assert!(same.stdout.contains("the stores match"), "{}", same.stdout);
    // The token signs its client in on the other side (its digest came along).
    let as_client = target
        .command(&["user", "add", "made-by-ci", "--email", "ci@example.com"])
        .env("WARDEN_TOKEN", &token)
        .output()
        .unwrap();
    assert!(as_client.status.success(), "{as_client:?}");
}

fn write(env: &Env, name: &str, bytes: &[u8]) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// Ten bad rows across the kinds of file an import reads, each a different fault.
fn bad_files(env: &Env) -> Vec<String> {
    vec![
        write(
            env,
            "users.csv",
            "\u{feff}username,email,kind,display_name\n\
             good.one,good.one@example.com,end_user,Good One\n\
             bad.email,not-an-email,end_user,Bad Email\n\
             good.one,dup@example.com,end_user,\"Dup, again\"\n\
             ctl.char,ctl@example.com,end_user,\"Evil\u{1b}[2J\"\n\
             invis\u{200b}user,inv@example.com,end_user,Invisible\n\
             too,many,columns,end_user,x\n\
             good.two,good.two@example.com,end_user,Good Two\n\
             member.person,mp@example.com,member,Member Person\n"
                .as_bytes(),
        ),
        write(
            env,
            "members.csv",
            b"group,stage,username\nops-1,Development,good.two\n\
              ops-1,Development,member.person\nops-1,Staging,good.two\n",
        ),
        write(
            env,
            "assignments.csv",
            b"role,username,stage,app\nno-such-role,good.one,,\n",
        ),
        write(env, "passwords.csv", b"username,password\nx,y\n"),
        write(
            env,
            "roles.json",
            br#"{"format":"warden-export","version":1,"tenants":[],"roles":[
{"key":"cyc-a","name":"Cyc A","kind":"organization","grants":[{"permission":"users.view"}],"includes":["cyc-b"]},
{"key":"cyc-b","name":"Cyc B","kind":"organization","grants":[{"permission":"users.view"}],"includes":["cyc-a"]}]}"#,
        ),
    ]
}

#[test]
fn a_csv_with_ten_bad_rows_reports_each_and_writes_nothing() {
    let env = demo(Backend::Sqlite, "60");
    let files = bad_files(&env);
    let mut args = vec!["import", "--dry-run", "--json"];
    args.extend(files.iter().map(String::as_str));
    let before = env.dump();
    let run = env.run(&args);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(env.dump(), before, "a dry run wrote");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let failed: Vec<(String, u64, String, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "failed")
        .map(|r| {
            let file = r["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_string(),
                r["row"].as_u64().unwrap_or(0),
                r["column"].as_str().unwrap_or("").to_string(),
                r["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect: &[(&str, u64, &str, &str)] = &[
        ("users.csv", 3, "email", "has no @"),
        ("users.csv", 4, "username", "repeats row 2"),
        ("users.csv", 5, "display_name", "U+001B"),
        ("users.csv", 6, "username", "U+200B"),
        ("users.csv", 7, "", "has 5 columns where the header has 4"),
        ("members.csv", 3, "", "only end users can join groups"),
        ("members.csv", 4, "stage", "no stage \"Staging\""),
        ("assignments.csv", 2, "role", "no role \"no-such-role\""),
        (
            "passwords.csv",
            1,
            "password",
            "passwords are never imported",
        ),
        (
            "roles.json",
            0,
            "includes",
            "role cyc-b includes cyc-a includes cyc-b",
        ),
    ];
    assert_eq!(failed.len(), expect.len(), "{failed:#?}");
    for (got, want) in failed.iter().zip(expect) {
        assert_eq!((got.0.as_str(), got.1), (want.0, want.1), "{got:?}");
        assert_eq!(got.2, want.2, "{got:?}");
        assert!(got.3.contains(want.3), "{got:?} should say {:?}", want.3);
    }
    assert_eq!(report["counts"]["failed"], 10);
    assert_eq!(report["committed"], false);

    // Without --dry-run the same files change nothing either.
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    env.unchanged(&args, 3);

    // --on-conflict skip imports the good rows, as one audit record.
    let audits = env.audit_count();
    let mut args = vec!["import", "--on-conflict", "skip", "--json"];
    args.extend(files.iter().map(String::as_str));
    let run = env.run(&args);
    assert_eq!(run.code, 3, "rows were skipped for faults: {run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["committed"], true);
    assert_eq!(report["counts"]["skipped"], 10);
    assert_eq!(env.audit_count(), audits + 1);
    let users = env.ok(&["user", "list"]);
    for good in ["good.one", "good.two", "member.person"] {
        assert!(users.contains(good), "{good} imported");
    }
    assert!(!users.contains("bad.email") && !users.contains("ctl.char"));
    let ops = env.ok(&["group", "show", "ops-1", "--stage", "Development"]);
    assert!(
        ops.contains("good.two") && !ops.contains("member.person"),
        "{ops}"
    );
    // Importing the good rows again changes nothing: they are unchanged.
    let again = env.run(&["import", "--on-conflict", "skip", &files[0], "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(again["counts"]["unchanged"], 3, "{again}");
    assert_eq!(again["counts"]["created"], 0, "{again}");
}

#[test]
fn a_conflicting_row_fails_is_skipped_or_overwrites() {
    let env = demo(Backend::Sqlite, "60");
    let users = env.json(&["user", "list"]);
    let someone = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["kind"] == "end_user")
        .unwrap();
    let name = someone["username"].as_str().unwrap();
    let csv = write(
        &env,
        "one.csv",
        format!("username,email,kind,display_name\n{name},changed@example.com,end_user,Changed\n")
            .as_bytes(),
    );
    env.unchanged(&["import", &csv], 3);
    let run = env.run(&["import", &csv]);
    assert!(
        run.stdout.contains("conflict") && run.stdout.contains("changed@example.com"),
        "{run:?}"
    );
    let skipped = env.json(&["import", "--on-conflict", "skip", &csv]);
    assert_eq!(skipped["counts"]["skipped"], 1, "{skipped}");
    let overwritten = env.json(&["import", "--on-conflict", "overwrite", &csv]);
    assert_eq!(overwritten["counts"]["updated"], 1, "{overwritten}");
    let shown = env.ok(&["user", "show", name]);
    assert!(shown.contains("changed@example.com"), "{shown}");
}

/// Runs a command that names two stores (either may be PostgreSQL: the password is in the
/// environment, never on the command line).
fn both(from: &Env, to: &Env, args: &[&str]) -> common::Run {
    let pg = if from.backend == Backend::Postgres {
        from
    } else {
        to
    };
    let mut command = pg.command(args);
    command.env("PGPASSWORD", pg::APP_PASSWORD);
    let out = command.output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn diff_then_sync(from_backend: Backend, to_backend: Backend) {
    if (from_backend == Backend::Postgres || to_backend == Backend::Postgres)
        && pg::cluster().is_none()
    {
        return;
    }
    let from = demo(from_backend, "100");
    let to = Env::empty_on(to_backend);
    let copied = both(
        &from,
        &to,
        &["copy", "--from", &from.target, "--to", &to.target],
    );
    assert_eq!(copied.code, 0, "{copied:?}");
    let same = both(
        &from,
        &to,
        &["diff", "--from", &from.target, "--to", &to.target],
    );
    assert_eq!(same.code, 0, "{same:?}");

    // Five differences, made in --to.
    let users = to.json(&["user", "list"]);
    let end_users: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["kind"] == "end_user" && u["status"] == "active")
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let ops = to.json(&["group", "show", "ops-1", "--stage", "Development"]);
    let member = ops["members"][0].as_str().unwrap().to_string();
    to.script(&format!(
        "user edit {} --email moved@example.com
         user add extra.person --email extra@example.com --kind end_user
         group remove-member ops-1 {member} --stage Development
         policy set lockout.threshold 7
         role revoke release-manager-3 roles.view",
        end_users[0]
    ));
    let run = both(
        &from,
        &to,
        &["diff", "--from", &from.target, "--to", &to.target, "--json"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let diff: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let subjects: Vec<String> = diff["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["effect"].as_str().unwrap(),
                d["subject"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(subjects.len(), 5, "{subjects:#?}");
    for want in [
        format!("update user {}", end_users[0]),
        "remove user extra.person".to_string(),
        format!("create member {member} of group ops-1 (Development)"),
        "update policy lockout.threshold".to_string(),
        "create role release-manager-3 grants roles.view at organization".to_string(),
    ] {
        assert!(
            subjects.contains(&want),
            "{want} missing from {subjects:#?}"
        );
    }
    // The access diff: the removed member regains the group's roles.
    let access = diff["access"].as_array().unwrap();
    assert!(
        access.iter().any(
            |a| a["username"] == member.as_str() && !a["gained"].as_array().unwrap().is_empty()
        ),
        "{access:#?}"
    );

    let synced = both(
        &from,
        &to,
        &[
            "sync",
            "--from",
            &from.target,
            "--to",
            &to.target,
            "--prune",
            "--yes",
        ],
    );
    assert_eq!(synced.code, 0, "{synced:?}");
    let after = both(
        &from,
        &to,
        &["diff", "--from", &from.target, "--to", &to.target],
    );
    assert_eq!(after.code, 0, "{after:?}");
    assert!(after.stdout.contains("the stores match"));
}

#[test]
fn diff_and_sync_sqlite_to_sqlite() {
    diff_then_sync(Backend::Sqlite, Backend::Sqlite);
}

#[test]
fn diff_and_sync_sqlite_to_postgresql() {
    diff_then_sync(Backend::Sqlite, Backend::Postgres);
}

#[test]
fn diff_and_sync_postgresql_to_sqlite() {
    diff_then_sync(Backend::Postgres, Backend::Sqlite);
}

fn export_import_round_trip(backend: Backend) {
    round_trip(backend);
}

on_both_backends!(export_import_round_trip);

#[test]
fn assert_names_each_false_line_with_its_path_and_matrix_lists_every_atom() {
    let env = demo(Backend::Sqlite, "60");
    // The matrix: one row per user and permission, each with its first path.
    let matrix = env.ok(&["matrix"]);
    let mut lines = matrix.lines();
    assert_eq!(lines.next(), Some("username,permission,stage,app,via"));
    let first: Vec<&str> = lines.next().unwrap().splitn(5, ',').collect();
    let (user, permission, stage, app) = (first[0], first[1], first[2], first[3]);
    assert!(first[4].contains(" → "), "a path: {first:?}");
    let json_rows = env.ok(&["matrix", "--format", "json"]).lines().count();
    assert_eq!(
        json_rows,
        matrix.lines().count() - 1,
        "the same rows in JSON"
    );

    let scope = format!("at {stage} in {app}");
    let all_true = write(
        &env,
        "true.txt",
        format!(
            "# rules\n{user} can {permission} {scope}\nadmin can users.delete\n\
             only administrators can users.delete\n{user} cannot users.delete\n"
        )
        .as_bytes(),
    );
    let held = env.run(&["assert", &all_true]);
    assert_eq!(held.code, 0, "{held:?}");
    assert!(
        held.stdout.contains("4 of 4 assertions hold"),
        "{}",
        held.stdout
    );

    let one_false = write(
        &env,
        "false.txt",
        format!("{user} can {permission} {scope}\nnobody can users.delete\n").as_bytes(),
    );
    let run = env.run(&["assert", &one_false]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("false.txt:2: does not hold: nobody can users.delete"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("admin → role administrators → grants users.delete"),
        "the path that contradicts it: {}",
        run.stdout
    );
    assert!(!run.stdout.contains(":1:"), "{}", run.stdout);
}

#[test]
fn a_user_renamed_elsewhere_is_matched_by_external_id() {
    let from = Env::empty();
    from.ok(&["init", "--admin", "admin"]);
    from.script(
        "user add jdoe --email jdoe@example.com --kind end_user --external-id EMP-0042 --active
         user add kept --email kept@example.com --kind end_user
         app add shop --name Shop
         perm add shop.ship --name Ship --app shop
         role add shipper --name Shipper --kind end_user --app shop --grant shop.ship
         assign shipper jdoe",
    );
    let to = Env::empty();
    to.ok(&["copy", "--from", &from.target, "--to", &to.target]);
    // In the other environment the same person got another username.
    to.ok(&["user", "edit", "jdoe", "--username", "john.doe"]);
    let run = to.run(&["diff", "--from", &from.target, "--to", &to.target]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&"~ user jdoe: username john.doe → jdoe (matched by external_id)"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("+ user jdoe") && !run.stdout.contains("- user john.doe"),
        "a rename, not a new user and a removed one: {}",
        run.stdout
    );
    // Nobody's access changes: the same person keeps the same role under the other name.
    let run = to.run(&["diff", "--from", &from.target, "--to", &to.target, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["access"].as_array().unwrap().len(), 0, "{json}");
    to.ok(&[
        "sync",
        "--from",
        &from.target,
        "--to",
        &to.target,
        "--prune",
        "--yes",
    ]);
    assert!(to.ok(&["user", "show", "jdoe"]).contains("EMP-0042"));
    let same = to.run(&["diff", "--from", &from.target, "--to", &to.target]);
    assert_eq!(same.code, 0, "{same:?}");
}

#[test]
fn an_export_is_piped_into_an_import_on_standard_input() {
    let from = Env::empty();
    from.ok(&["init", "--admin", "admin"]);
    from.script(
        "app add shop --name Shop
         user add piped --email piped@example.com --kind end_user",
    );
    let document = from.ok(&["export", "--only", "apps,users"]);
    let to = Env::empty();
    to.ok(&["init", "--admin", "admin"]);
    let run = to.run_with_stdin(&["import", "-", "--json"], &document);
    assert_eq!(run.code, 0, "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["counts"]["created"], 2, "{report}");
    assert_eq!(report["rows"][0]["file"], "stdin");
    assert!(
        to.ok(&["user", "show", "piped"])
            .contains("piped@example.com")
    );
    to.unchanged(&["import", "-", "-"], 2);
    // A file that cannot be written is named, and nothing is left behind.
    let run = from.run(&["export", "-o", "/nonexistent/dir/store.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("cannot write /nonexistent/dir/store.json"),
        "{}",
        run.stderr
    );
}
