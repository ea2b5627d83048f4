//! Credentials through the real binary: lengths counted and never truncated, a tampered hash
//! refused without allocating it, a Developer operator held to their rights, no password ever
//! on a command line or in any output, tokens, temporary passwords, the policy verbs. (Twenty
//! parallel `warden verify` processes are in tests/concurrency.rs, on both backends.)
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::{Env, WARDEN};

const ALICE: &str = "Blue-Harbour-2026";

/// A store with `admin` (peer operator) and alice, an active end user with a password.
fn store() -> Env {
    let env = Env::empty();
    env.ok(&["init", "--admin", "admin"]);
    env.ok(&[
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.com",
        "--active",
    ]);
    env.set_password("alice", ALICE);
    env
}

fn verify(env: &Env, user: &str, password: &str) -> common::Run {
    env.run_with_stdin(&["verify", user], &format!("{password}\n"))
}

fn count(env: &Env, sql: &str) -> i64 {
    env.sqlite().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn lengths_count_characters_and_nothing_is_truncated() {
    let env = store();
    let at_max = format!("Aa1!{}", "é".repeat(124));
    assert_eq!(at_max.chars().count(), 128);
    let over = format!("{at_max}x");
    let run = env.run_with_stdin(&["user", "set-password", "alice"], &format!("{over}\n"));
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("at most 128 characters"),
        "{}",
        run.stderr
    );
    env.set_password("alice", &at_max);
    assert_eq!(verify(&env, "alice", &at_max).code, 0);
    let shorter: String = at_max.chars().take(127).collect();
    assert_eq!(
        verify(&env, "alice", &shorter).code,
        1,
        "the whole password counts"
    );
    let two_hundred = "Aa1!".repeat(50);
    let run = env.run_with_stdin(
        &["user", "set-password", "alice"],
        &format!("{two_hundred}\n"),
    );
    assert_eq!(run.code, 3, "200 characters are refused, not cut to 128");
}

#[test]
fn verify_exits_by_the_answer_and_locks_after_five() {
    let env = store();
    assert_eq!(verify(&env, "alice", ALICE).code, 0);
    for _ in 0..5 {
        let run = verify(&env, "alice", "Wrong-Password-1");
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("sign-in refused"), "{}", run.stderr);
    }
    let locked = verify(&env, "alice", ALICE);
    assert_eq!(locked.code, 1);
    assert_eq!(
        locked.stderr,
        verify(&env, "nobody", ALICE).stderr,
        "one message for all"
    );
    let show = env.ok(&["user", "show", "alice"]);
    assert!(show.contains("locked 15m"), "{show}");
    assert!(env.ok(&["user", "list", "--locked"]).contains("alice"));
    env.ok(&["user", "unlock", "--all"]);
    assert_eq!(verify(&env, "alice", ALICE).code, 0);
}

#[cfg(target_os = "linux")]
#[test]
fn a_hash_rewritten_to_ask_for_four_gib_is_refused_without_allocating() {
    let env = store();
    env.sqlite()
        .execute(
            "UPDATE users SET password_hash = replace(password_hash, 'm=19456', 'm=4194304')
             WHERE username = 'alice'",
            [],
        )
        .unwrap();
    // With the address space capped at 1 GiB, trying to allocate 4 GiB would abort.
    let script = format!(
        "ulimit -v 1048576; exec '{WARDEN}' verify alice --store '{}'",
        env.store.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .env_remove("WARDEN_STORE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{ALICE}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(4),
        "a clean refusal, not a crash: {stderr}"
    );
    assert!(
        stderr.contains("beyond the ceiling") && stderr.contains("m=4194304"),
        "{stderr}"
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM sign_ins WHERE outcome = 'bad_hash'"
        ),
        1
    );
}

/// A store with a Developer operator `dev` whose password is in a file.
fn with_developer() -> (Env, std::path::PathBuf) {
    let env = store();
    env.script(
        r#"
        app add shop --name Shop
        perm add shop.orders.view --name "View orders" --app shop
        role add shop.viewer --name "Shop viewer" --kind end_user --app shop --grant shop.orders.view
        role add auditor --name Auditor --grant monitoring.audit
        user add dev --email dev@example.com --kind member
        assign Developers dev
        "#,
    );
    env.set_password("dev", "Green-Valley-2026");
    env.ok(&["user", "activate", "dev"]);
    let file = env.dir.path().join("dev.password");
    std::fs::write(&file, "Green-Valley-2026\n").unwrap();
    (env, file)
}

/// Everything but the sign-in bookkeeping (which an operator's sign-in rightly updates).
fn content(env: &Env) -> String {
    let dump = env.dump();
    let users: Vec<String> = env
        .sqlite()
        .prepare("SELECT username, kind, status, version FROM users ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let kept: Vec<&str> = dump
        .split("== ")
        .filter(|s| !s.starts_with("sign_ins\n") && !s.starts_with("users\n"))
        .collect();
    format!("{}\n{}", kept.join("== "), users.join("\n"))
}

#[test]
fn a_developer_cannot_exceed_their_rights() {
    let (env, file) = with_developer();
    let file = file.to_str().unwrap();
    let as_dev = |args: &[&str]| {
        let mut all = vec!["--operator", "dev", "--password-file", file];
        all.extend_from_slice(args);
        env.run(&all)
    };
    let refused = |args: &[&str], rule: &str| {
        let before = content(&env);
        let audit = env.audit_count();
        let run = as_dev(args);
        assert_eq!(run.code, 3, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(&format!("refused by rule {rule}:")),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(env.audit_count(), audit, "{args:?} wrote an audit record");
        assert_eq!(content(&env), before, "{args:?} changed the store");
        run.stderr
    };
    let msg = refused(
        &["assign", "Administrators", "alice"],
        "operator-permission",
    );
    assert!(msg.contains("roles.assign"), "{msg}");
    let msg = refused(
        &["assign", "shop.viewer", "alice", "--stage", "Production"],
        "operator-permission",
    );
    assert!(
        msg.contains("you hold it only at stage Development"),
        "{msg}"
    );
    refused(&["assign", "shop.viewer", "alice"], "operator-permission");
    let msg = refused(
        &["assign", "shop.viewer", "dev", "--stage", "Development"],
        "no-self-escalation",
    );
    assert!(msg.contains("shop.orders.view"), "{msg}");
    refused(
        &["role", "grant", "auditor", "users.delete"],
        "operator-permission",
    );
    refused(&["user", "delete", "alice"], "operator-permission");
    refused(
        &["user", "set-password", "alice", "--temporary"],
        "operator-permission",
    );
    // Within their rights, a Developer acts, and is recorded as the operator.
    let out = as_dev(&["assign", "shop.viewer", "alice", "--stage", "Development"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        as_dev(&["user", "add", "newcomer", "--email", "n@example.com"]).code,
        0
    );
    let last = env.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(last[0]["operator"], "dev (password)");
    // A wrong operator password is a refusal like any other, and counts.
    std::fs::write(env.dir.path().join("bad"), "Not-The-Password-1\n").unwrap();
    let bad = env.dir.path().join("bad");
    let run = env.run(&[
        "--operator",
        "dev",
        "--password-file",
        bad.to_str().unwrap(),
        "user",
        "list",
    ]);
    assert_eq!(run.code, 0, "reads need no sign-in: {run:?}");
    let run = env.run(&[
        "--operator",
        "dev",
        "--password-file",
        bad.to_str().unwrap(),
        "user",
        "add",
        "x",
    ]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("sign-in refused"), "{}", run.stderr);
}

#[test]
fn an_administrator_cannot_grant_themselves_access_either() {
    let (env, _) = with_developer();
    let run = env.run(&["assign", "shop.viewer", "admin"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("refused by rule no-self-escalation"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_temporary_password_must_be_changed_before_anything_else() {
    let (env, _) = with_developer();
    let run = env.run_with_stdin(
        &["user", "set-password", "dev", "--temporary"],
        "Temp-Orchard-2026\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    let file = env.dir.path().join("temp");
    std::fs::write(&file, "Temp-Orchard-2026\n").unwrap();
    let file = file.to_str().unwrap();
    let run = env.run(&[
        "--operator",
        "dev",
        "--password-file",
        file,
        "user",
        "add",
        "x",
    ]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("must change their password"),
        "{}",
        run.stderr
    );
    let run = env.run_with_stdin(
        &["--operator", "dev", "--password-file", file, "passwd"],
        "Calm-River-2027\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::write(env.dir.path().join("new"), "Calm-River-2027\n").unwrap();
    let new = env.dir.path().join("new");
    let run = env.run(&[
        "--operator",
        "dev",
        "--password-file",
        new.to_str().unwrap(),
        "user",
        "add",
        "x",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn no_verb_takes_a_password_as_an_argument() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, found: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let names = [
                arg.get_id().as_str().to_string(),
                arg.get_long().unwrap_or("").to_string(),
                arg.get_value_names()
                    .map(|v| {
                        v.iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default(),
            ];
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values())
                || arg.get_action().takes_values();
            for name in names {
                let lower = name.to_lowercase();
                let secret_like = ["password", "passwd", "secret", "pin"]
                    .iter()
                    .any(|w| lower.contains(w));
                if takes_value
                    && secret_like
                    && lower != "password_file"
                    && lower != "password-file"
                    && lower != "file"
                {
                    found.push(format!("{path} {name}"));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), found);
        }
    }
    let mut found = Vec::new();
    walk(&warden::cli::Cli::command(), "warden", &mut found);
    assert!(
        found.is_empty(),
        "arguments that would put a secret in argv: {found:?}"
    );
}

#[test]
fn passwords_never_appear_in_the_store_the_audit_or_any_output() {
    let env = store();
    let password = "Zebra-Quartz-9931!";
    let set = env.run_with_stdin(
        &["user", "set-password", "alice", "--temporary"],
        &format!("{password}\n"),
    );
    assert_eq!(set.code, 0);
    let check = verify(&env, "alice", password);
    assert_eq!(check.code, 0);
    let mut outputs = vec![set.stdout, set.stderr, check.stdout, check.stderr];
    for args in [
        &["audit", "list", "--json"][..],
        &["audit", "show", "2", "--json"],
        &["user", "show", "alice", "--json"],
        &["user", "list", "--json"],
        &["access", "alice", "--json"],
        &["--dry-run", "--json", "user", "unlock", "alice"],
    ] {
        let run = env.run(args);
        outputs.push(run.stdout);
        outputs.push(run.stderr);
    }
    for (i, text) in outputs.iter().enumerate() {
        assert!(
            !text.contains(password),
            "output {i} holds the password: {text}"
        );
        assert!(!text.contains("$argon2"), "output {i} holds a hash: {text}");
    }
    let audit = env.json(&["audit", "list", "--limit", "5"]);
    let set_password = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "user.set-password")
        .unwrap();
    let change = set_password["detail"]["changes"][0].as_object().unwrap();
    let keys: Vec<&str> = change.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["op", "temporary", "user"],
        "who and whether temporary, nothing else"
    );
    // The store file holds the hash, never the password.
    drop(
        env.sqlite()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"),
    );
    let bytes = std::fs::read(&env.store).unwrap();
    let needle = password.as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn tokens_let_api_clients_act_within_their_rights() {
    let env = store();
    env.script(
        r#"
        user add svc-build --kind api_client --active
        role add inviter --name Inviter --grant users.invite
        assign inviter svc-build
        "#,
    );
    let out = env.ok(&["token", "create", "svc-build", "--name", "ci"]);
    let token = out.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("wdn_"), "{out}");
    let as_client = |args: &[&str]| {
        env.command(args)
            .env("WARDEN_TOKEN", &token)
            .output()
            .unwrap()
    };
    let added = as_client(&["user", "add", "from-ci", "--email", "ci@example.com"]);
    assert!(added.status.success(), "{added:?}");
    let refused = as_client(&["user", "delete", "alice"]);
    assert_eq!(refused.status.code(), Some(3));
    let listing = env.ok(&["token", "list"]);
    assert!(
        !listing.contains(token.rsplit('_').next().unwrap()),
        "secrets are never listed"
    );
    let id = env.json(&["token", "list"])[0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&["token", "revoke", &id]);
    let after = as_client(&["user", "add", "again", "--email", "again@example.com"]);
    assert_eq!(after.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&after.stderr).contains("sign-in refused"));
}

#[test]
fn the_policy_can_be_read_changed_and_tried() {
    let env = store();
    let show = env.json(&["policy", "show"]);
    let settings = show["settings"].as_array().unwrap();
    let min = settings
        .iter()
        .find(|s| s["key"] == "password.min_length")
        .unwrap();
    assert_eq!(min["value"], "12");
    let weak = env.run_with_stdin(&["policy", "test"], "short\n");
    assert_eq!(weak.code, 1);
    assert!(
        weak.stdout.contains("FAIL  at least 12 characters"),
        "{}",
        weak.stdout
    );
    assert!(
        weak.stdout.contains("ok    at most 128 characters"),
        "{}",
        weak.stdout
    );
    let good = env.run_with_stdin(&["policy", "test", "alice"], "Calm-River-2027\n");
    assert_eq!(good.code, 0, "{}", good.stdout);
    let reused = env.run_with_stdin(&["policy", "test", "alice"], &format!("{ALICE}\n"));
    assert_eq!(
        reused.code, 1,
        "the user's current password is a recent one"
    );
    env.ok(&["policy", "set", "password.min_length", "16"]);
    let now_short = env.run_with_stdin(&["policy", "test"], "Calm-River-2027\n");
    assert_eq!(now_short.code, 1);
    assert_eq!(
        env.run(&["policy", "set", "password.min_length", "4"]).code,
        2,
        "below NIST's 8"
    );
    assert_eq!(
        env.run(&["policy", "set", "hash.memory_kib", "4194304"])
            .code,
        2,
        "beyond the ceiling"
    );
    assert_eq!(env.run(&["policy", "set", "no.such.key", "1"]).code, 2);
    let record = env.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(record[0]["detail"]["changes"][0]["after"], "16");
}
