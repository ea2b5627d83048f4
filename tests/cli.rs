//! The real binary, end to end: the scripted lifecycle session, bad input of every kind, the
//! store file's mode, a locked store, atomicity under an injected failure, the peer-operator
//! boundary, and what reaches the terminal.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, WARDEN};
use std::process::Command;

#[test]
fn scripted_session_builds_a_membership_and_copies_builtins() {
    let env = Env::init();
    env.script(
        r#"
        user add alice --email alice@example.com --kind end_user
        app add shop --name Shop
        perm add shop.orders.ship --name "Ship orders" --app shop
        group add ops --stage QA
        role add deployer --name Deployer --kind end_user --app shop
        role grant deployer shop.orders.ship
        group add-role ops deployer
        group add-member ops alice
        "#,
    );
    let alice = env.json(&["user", "show", "alice"]);
    assert_eq!(alice["username"], "alice");
    assert_eq!(alice["kind"], "end_user");
    assert_eq!(alice["status"], "invited");
    assert_eq!(
        alice["groups"],
        serde_json::json!([{"name": "ops", "stage": "QA"}])
    );

    env.ok(&["role", "copy", "Administrators"]);
    env.ok(&["role", "copy", "Administrators"]);
    let roles = env.json(&["role", "list"]);
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Administrators-copy"), "{names:?}");
    assert!(names.contains(&"Administrators-copy-2"), "{names:?}");
    let copy = env.json(&["role", "show", "Administrators-copy"]);
    assert_eq!(copy["builtin"], false, "a copy is custom and editable");
    let original = env.json(&["role", "show", "Administrators"]);
    assert_eq!(copy["grants"], original["grants"]);
    env.ok(&[
        "role",
        "edit",
        "Administrators-copy",
        "--name",
        "Admin-cloud",
    ]);
}

#[test]
fn every_write_leaves_exactly_one_audit_record_with_names() {
    let env = Env::init();
    env.script("user add alice --email a@x.io\nuser add bob --email b@x.io");
    let before = env.audit_count();
    env.ok(&[
        "assign",
        "Developers",
        "alice",
        "bob",
        "--stage",
        "Development",
    ]);
    assert_eq!(
        env.audit_count(),
        before + 1,
        "many users, one transaction, one record"
    );
    let last = env.json(&["audit", "list", "--limit", "1"]);
    let record = &last[0];
    assert_eq!(record["action"], "assign");
    let changes = record["detail"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["user"], "alice");
    assert_eq!(changes[0]["role"], "developers");
    assert_eq!(changes[0]["stage"], "Development");
    assert!(record["operator"].as_str().unwrap().contains("(peer: "));
    let verify = env.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify:?}");
}

#[test]
fn unknown_flag_is_bad_usage_with_usage_text() {
    let env = Env::init();
    let run = env.run(&["user", "list", "--bogus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Usage:"), "{}", run.stderr);
}

#[test]
fn missing_store_says_how_to_create_one() {
    let env = Env::empty();
    let run = env.run(&["user", "list"]);
    assert_eq!(run.code, 4);
    assert!(
        run.stderr
            .contains(&format!("no store at {}", env.store.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("warden init"), "{}", run.stderr);
    assert!(!env.store.exists(), "a read never creates a store");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let env = Env::empty();
    std::fs::write(&env.store, b"this is not a database, just some text\n").unwrap();
    let before = std::fs::read(&env.store).unwrap();
    for args in [&["user", "list"][..], &["user", "add", "x"]] {
        let run = env.run(args);
        assert_eq!(run.code, 4, "{run:?}");
        assert!(run.stderr.contains("not a warden store"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&env.store).unwrap(), before);
}

#[test]
fn a_store_from_a_newer_warden_is_refused_untouched() {
    let env = Env::init();
    {
        let conn = env.sqlite();
        conn.execute(
            "UPDATE meta SET value = '999' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
        // Leave a plain rollback-journal file behind so the bytes compared are all there is.
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&env.store).unwrap();
    for args in [
        &["user", "list"][..],
        &["user", "add", "x"],
        &["--read-only", "role", "list"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 4, "{run:?}");
        assert!(run.stderr.contains("newer warden"), "{}", run.stderr);
        assert!(run.stderr.contains("999"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&env.store).unwrap(), before, "byte-identical");
}

#[test]
fn a_sqlite_file_without_a_warden_schema_is_refused() {
    let env = Env::empty();
    rusqlite::Connection::open(&env.store)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let run = env.run(&["user", "list"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("without a warden schema"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_store_locked_by_another_writer_is_unavailable() {
    let env = Env::init();
    let holder = env.sqlite();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = env
        .command(&["user", "add", "late", "--email", "late@x.io"])
        .env("WARDEN_BUSY_TIMEOUT_MS", "100")
        .output()
        .unwrap();
    let code = run.status.code().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("locked by another writer"), "{stderr}");
    // Readers are not blocked by a writer (WAL).
    assert_eq!(env.run(&["user", "list"]).code, 0);
    holder.execute_batch("ROLLBACK").unwrap();
    env.ok(&["user", "add", "late", "--email", "late@x.io"]);
}

#[test]
fn control_characters_in_names_are_bad_input() {
    let env = Env::init();
    let before = env.dump();
    for args in [
        &["user", "add", "a\u{1b}[2J", "--email", "a@x.io"][..],
        &["user", "add", "ann", "--email", "ann\u{7}@x.io"],
        &[
            "user",
            "add",
            "ann",
            "--display-name",
            "Ann\u{1b}]52;c;eA==\u{7}",
        ],
        &["user", "add", "ann", "--display-name", "Ann\u{202e}"],
        &["group", "add", "o\u{8}ps", "--stage", "QA"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("invalid"), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "errors are terminal-safe");
    }
    assert_eq!(env.dump(), before);
}

#[cfg(unix)]
#[test]
fn the_store_file_is_created_0600_in_a_0700_directory() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::empty();
    let nested = env.dir.path().join("new/dir/warden.db");
    let run = Command::new(WARDEN)
        .args(["init", "--store"])
        .arg(&nested)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let mode = std::fs::metadata(&nested).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(nested.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    // The WAL and shared-memory files SQLite makes take the database file's mode.
    for suffix in ["-wal", "-shm"] {
        let side = nested.with_file_name(format!("warden.db{suffix}"));
        let holder = rusqlite::Connection::open(&nested).unwrap();
        holder.execute_batch("SELECT count(*) FROM users").unwrap();
        if let Ok(meta) = std::fs::metadata(&side) {
            assert_eq!(meta.permissions().mode() & 0o077, 0, "{suffix} is private");
        }
    }
}

#[test]
fn init_on_an_existing_store_refuses_and_changes_nothing() {
    let env = Env::init();
    let before = env.dump();
    let run = env.run(&["init", "--admin", "someone"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(env.dump(), before);
}

#[test]
fn init_with_a_bad_admin_name_creates_nothing() {
    let env = Env::empty();
    let run = env.run(&["init", "--admin", "bad name"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!env.store.exists());
}

#[test]
fn the_default_store_lives_in_the_data_directory() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let run = Command::new(WARDEN)
        .arg("init")
        .env_remove("WARDEN_STORE")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(data.join("warden/warden.db").exists());
}

#[test]
fn a_write_that_fails_half_way_leaves_no_change_and_no_audit_record() {
    let env = Env::init();
    env.script(
        "user add alice --email a@x.io\nuser add bob --email b@x.io\nuser add carol --email c@x.io",
    );
    // Inject a failure at the third insert of a three-user assignment.
    env.sqlite()
        .execute_batch(
            "CREATE TRIGGER injected BEFORE INSERT ON assignments
             WHEN NEW.user_id = (SELECT id FROM users WHERE username = 'carol')
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let before = env.dump();
    let audit = env.audit_count();
    let run = env.run(&["assign", "Developers", "alice", "bob", "carol"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("injected failure"), "{}", run.stderr);
    assert_eq!(env.audit_count(), audit);
    assert_eq!(env.dump(), before, "alice and bob were not assigned either");
}

#[test]
fn another_os_account_cannot_write_but_can_read() {
    let env = Env::init();
    env.sqlite()
        .execute("UPDATE peer_operators SET os_account = 'someone-else'", [])
        .unwrap();
    let before = env.dump();
    let run = env.run(&["user", "add", "mallory", "--email", "m@x.io"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("refused by rule peer-operator"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("someone-else"), "{}", run.stderr);
    assert_eq!(env.dump(), before);
    assert_eq!(env.run(&["user", "list"]).code, 0);
}

#[test]
fn read_only_refuses_writes_and_allows_reads() {
    let env = Env::init();
    let before = env.dump();
    let run = env.run(&["--read-only", "user", "add", "x", "--email", "x@x.io"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert_eq!(env.run(&["--read-only", "user", "list"]).code, 0);
    assert_eq!(env.dump(), before);
}

#[test]
fn dry_run_shows_the_change_and_keeps_nothing() {
    let env = Env::init();
    env.ok(&["user", "add", "alice", "--email", "a@x.io"]);
    let before = env.dump();
    let out = env.ok(&["--dry-run", "assign", "Developers", "alice"]);
    assert!(
        out.contains("would assign role developers to alice"),
        "{out}"
    );
    assert!(out.contains("nothing was saved"), "{out}");
    assert_eq!(env.dump(), before);
}

#[test]
fn store_supplied_strings_never_reach_the_terminal_raw() {
    let env = Env::empty();
    env.ok(&["demo", "--users", "40", "--seed", "7"]);
    let users = env.json(&["user", "list"]);
    let hostile = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"].as_str().unwrap().contains("\u{1b}[2J"))
        .expect("the demo wrote ESC [ 2 J into a display name");
    let hostile_name = hostile["username"].as_str().unwrap().to_string();
    for args in [
        &["user", "list"][..],
        &["user", "list", "--json"],
        &["group", "list"],
        &["role", "list", "--json"],
        &["role", "show", "wiki.guest"],
        &["user", "show", &hostile_name],
        &["user", "show", "--json", &hostile_name],
        &["audit", "list"],
    ] {
        let out = Command::new(WARDEN)
            .args(args)
            .arg("--store")
            .arg(&env.store)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let bytes = out.stdout;
        assert!(!bytes.contains(&0x1b), "raw ESC in {args:?}");
        assert!(!bytes.contains(&0x07), "raw BEL in {args:?}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains('\u{202e}'), "raw bidi override in {args:?}");
        assert!(!text.contains('\u{9b}'), "raw CSI in {args:?}");
    }
    // The escaped form is visible; JSON gave the exact text back to a JSON reader (above).
    let listing = env.ok(&["user", "list"]);
    assert!(listing.contains("\\x1b[2J"), "{listing}");
}

#[test]
fn closing_the_pipe_early_is_not_an_error() {
    let env = Env::empty();
    env.ok(&["demo", "--users", "3000"]);
    let mut child = env
        .command(&["user", "list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away at once, like `| head -0`
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_is_deterministic_and_complete() {
    let a = Env::empty();
    let b = Env::empty();
    a.ok(&["demo", "--users", "300", "--seed", "42"]);
    b.ok(&["demo", "--users", "300", "--seed", "42"]);
    let content = |env: &Env| {
        let conn = env.sqlite();
        let mut out = String::new();
        for sql in [
            "SELECT username, email, display_name, kind, status, external_id FROM users ORDER BY id",
            "SELECT g.name, u.username FROM group_members m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id ORDER BY 1, 2",
            "SELECT r.key, u.username, a.stage_id, a.app_id FROM assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id ORDER BY 1, 2, 3, 4",
            "SELECT key, name, description FROM roles ORDER BY key",
        ] {
            let mut stmt = conn.prepare(sql).unwrap();
            let n = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..n {
                    out.push_str(&format!("{:?}|", row.get_ref(i).unwrap()));
                }
                out.push('\n');
            }
        }
        out
    };
    assert_eq!(content(&a), content(&b));
    let users = a.json(&["user", "list"]);
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 301, "300 generated plus the administrator");
    for kind in ["member", "end_user", "api_client"] {
        assert!(users.iter().any(|u| u["kind"] == kind), "{kind}");
    }
    for status in ["invited", "active", "deactivated"] {
        assert!(users.iter().any(|u| u["status"] == status), "{status}");
    }
    let roles = a.json(&["role", "list"]);
    assert!(
        roles.as_array().unwrap().len() >= 300,
        "several hundred roles"
    );
    // Inclusion chains six deep: owner → manager → approver → editor → commenter → viewer.
    let mut key = "shop.owner".to_string();
    let mut depth = 1;
    loop {
        let role = a.json(&["role", "show", &key]);
        match role["includes"].as_array().unwrap().first() {
            Some(next) => {
                key = next["key"].as_str().unwrap().to_string();
                depth += 1;
            }
            None => break,
        }
    }
    assert_eq!(depth, 6);
    // The demo's peer administrator can write at once.
    a.ok(&["user", "add", "new.person", "--email", "np@example.com"]);
}

#[test]
fn help_and_completions_document_the_verbs() {
    let help = Command::new(WARDEN).arg("help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for verb in [
        "init", "demo", "user", "group", "role", "perm", "app", "stage", "assign", "unassign",
        "audit",
    ] {
        assert!(text.contains(verb), "help lists {verb}");
    }
    let completions = Command::new(WARDEN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(completions.status.success());
    assert!(String::from_utf8_lossy(&completions.stdout).contains("add-member"));
}

#[test]
fn tampering_with_the_audit_trail_is_detected() {
    let env = Env::init();
    env.script("user add alice --email a@x.io\nuser add bob --email b@x.io");
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
    env.sqlite()
        .execute(
            "UPDATE audit SET summary = 'nothing to see' WHERE action = 'user.add' AND summary LIKE '%alice%'",
            [],
        )
        .unwrap();
    let run = env.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("edited"), "{}", run.stdout);
}

#[test]
fn keys_prints_the_keymap_in_force_as_toml() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[keys]\nquit = [\"ctrl-q\"]\nbogus = [\"x\"]\n").unwrap();
    let run = Command::new(WARDEN)
        .arg("keys")
        .env("WARDEN_CONFIG", &config)
        .output()
        .unwrap();
    assert!(run.status.success());
    let text = String::from_utf8(run.stdout).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let keys = table["keys"].as_table().unwrap();
    assert_eq!(keys["quit"].as_array().unwrap()[0].as_str(), Some("ctrl-q"));
    assert_eq!(keys["users.delete"].as_array().unwrap().len(), 2);
    assert!(keys.contains_key("apps.new"), "every action: {text}");
    assert!(
        text.starts_with("# ignored: "),
        "the bad entry is said: {text}"
    );
    // Printed, the file reads back without a problem.
    std::fs::write(&config, &text).unwrap();
    let again = Command::new(WARDEN)
        .arg("keys")
        .env("WARDEN_CONFIG", &config)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&again.stdout).contains("# ignored"));
}

#[test]
fn undo_takes_back_the_newest_change_by_its_id_or_says_which_is_newest() {
    let env = Env::init();
    env.ok(&["user", "add", "zed", "--email", "zed@example.com"]);
    let newest = env.json(&["audit", "list", "--limit", "1"]);
    let id = newest[0]["id"].as_i64().unwrap();
    let preview = env.ok(&["undo", "--dry-run"]);
    assert!(preview.contains(&format!("would undo #{id}")), "{preview}");
    assert!(env.json(&["user", "show", "zed"])["username"] == "zed");
    // An older record is refused, naming the newest.
    let older = env.run(&["undo", &(id - 1).to_string()]);
    assert_eq!(older.code, 3, "{older:?}");
    assert!(older.stderr.contains(&format!("#{id} is")), "{older:?}");
    let done = env.ok(&["undo", &id.to_string()]);
    assert!(done.contains(&format!("undo #{id}")), "{done}");
    assert_eq!(env.run(&["user", "show", "zed"]).code, 2);
    // The undo is itself the newest change: undoing it again is a redo.
    env.ok(&["undo"]);
    assert_eq!(env.json(&["user", "show", "zed"])["username"], "zed");
}

#[test]
fn audit_list_answers_by_time_operator_user_and_action() {
    let env = Env::init();
    env.script(
        "user add alice --email alice@example.com
         user add bob --email bob@example.com
         user deactivate bob",
    );
    let bob = env.json(&["audit", "list", "--user", "bob"]);
    let actions: Vec<&str> = bob
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.deactivate", "user.add"]);
    let adds = env.ok(&["audit", "list", "--action", "user.add", "--csv"]);
    let mut lines = adds.lines();
    assert_eq!(lines.next(), Some("id,at,tenant,operator,action,summary"));
    assert_eq!(lines.count(), 2, "{adds}");
    let os = whoami::username().unwrap();
    let mine = env.json(&["audit", "list", "--operator", "nobody-here"]);
    assert_eq!(mine.as_array().unwrap().len(), 0);
    let all = env.json(&["audit", "list", "--operator", &os]);
    assert!(all.as_array().unwrap().len() >= 3, "{all}");
    let future = env.json(&["audit", "list", "--since", "2999-01-01"]);
    assert_eq!(future.as_array().unwrap().len(), 0);
    let past = env.json(&["audit", "list", "--until", "2000-01-01T00:00:00Z"]);
    assert_eq!(past.as_array().unwrap().len(), 0);
    env.unchanged(&["audit", "list", "--since", "soon"], 2);
}

#[test]
fn report_names_dormant_users_and_unused_roles() {
    let env = Env::init();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let os = whoami::username().unwrap();
    let now = env.json(&["report", "dormant", "--days", "0"]);
    let names: Vec<&str> = now
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [os.as_str()],
        "the administrator holds access, unseen"
    );
    let week = env.json(&["report", "dormant", "--days", "7"]);
    assert_eq!(week.as_array().unwrap().len(), 0);
    let unused = env.json(&["report", "unused-roles"]);
    let roles: Vec<&str> = unused["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(roles, ["developers"], "{unused}");
    env.unchanged(&["report", "dormant", "--days", "-1"], 2);
}
