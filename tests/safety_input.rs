//! Hostile or mistaken input through the real binary, found by a probe: a name that could
//! reach two users, invisible characters, an endless input file, a closed pipe, and escape
//! sequences in arguments.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Stdio;

use common::Env;

// ── 1. a name resolves to exactly one user ──────────────────────────────────────────────────

#[test]
fn a_username_can_never_be_another_users_email() {
    let env = Env::init();
    env.ok(&[
        "user",
        "add",
        "victim",
        "--email",
        "ceo@corp.example",
        "--kind",
        "end_user",
    ]);
    let msg = env.unchanged(
        &[
            "user",
            "add",
            "CEO@corp.example",
            "--email",
            "x@corp.example",
        ],
        3,
    );
    assert!(msg.contains("refused by rule unique-username"), "{msg}");
    assert!(msg.contains("victim"), "names who has it: {msg}");
    // The other way round: an email that is another user's username.
    env.ok(&["user", "add", "ops@corp.example", "--kind", "end_user"]);
    let msg = env.unchanged(&["user", "add", "eve", "--email", "OPS@corp.example"], 3);
    assert!(msg.contains("refused by rule unique-email"), "{msg}");
    let msg = env.unchanged(
        &["user", "edit", "victim", "--email", "ops@corp.example"],
        3,
    );
    assert!(msg.contains("unique-email"), "{msg}");
    // A user may use their own email as username.
    env.ok(&[
        "user",
        "add",
        "me@corp.example",
        "--email",
        "me@corp.example",
    ]);
    env.ok(&["user", "show", "me@corp.example"]);
}

#[test]
fn a_name_matching_two_users_is_an_error_naming_both() {
    let env = Env::init();
    env.ok(&[
        "user",
        "add",
        "victim",
        "--email",
        "ceo@corp.example",
        "--kind",
        "end_user",
    ]);
    // Written behind warden's back (or by a warden from before the rule).
    env.sqlite()
        .execute(
            "INSERT INTO users (tenant_id, username, username_key, kind, status, created_at, updated_at)
             VALUES (1, 'ceo@corp.example', 'ceo@corp.example', 'end_user', 'invited', 0, 0)",
            [],
        )
        .unwrap();
    let msg = env.unchanged(
        &[
            "assign",
            "Developers",
            "ceo@corp.example",
            "--stage",
            "Development",
        ],
        2,
    );
    assert!(
        msg.contains("names two users") && msg.contains("victim"),
        "{msg}"
    );
    // The same through the bulk path, with other names around it.
    env.ok(&["user", "add", "zoe", "--kind", "end_user"]);
    let msg = env.unchanged(
        &[
            "assign",
            "Developers",
            "zoe",
            "ceo@corp.example",
            "--stage",
            "Development",
        ],
        2,
    );
    assert!(msg.contains("names two users"), "{msg}");
    // Signing in by an ambiguous name is refused like any other wrong name.
    let run = env.run_with_stdin(&["verify", "ceo@corp.example"], "whatever\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("sign-in refused"), "{run:?}");
}

// ── 7. invisible characters ─────────────────────────────────────────────────────────────────

#[test]
fn invisible_characters_are_refused_in_names_keys_and_emails() {
    let env = Env::init();
    env.ok(&["group", "add", "ops", "--stage", "QA"]);
    for invisible in ["\u{34f}", "\u{3164}", "\u{fff9}", "\u{fffa}", "\u{fffb}"] {
        let lookalike = format!("o{invisible}ps");
        let msg = env.unchanged(&["group", "add", &lookalike, "--stage", "QA"], 2);
        assert!(msg.contains("invisible character"), "{msg}");
        let email = format!("a{invisible}@example.com");
        env.unchanged(&["user", "add", "ann", "--email", &email], 2);
        let name = format!("Role{invisible}");
        env.unchanged(
            &[
                "role",
                "add",
                "r1",
                "--name",
                &name,
                "--grant",
                "users.view",
            ],
            2,
        );
    }
}

// ── 8. input files are bounded ──────────────────────────────────────────────────────────────

#[test]
fn an_endless_user_list_is_refused_quickly() {
    let env = Env::init();
    let msg = env.unchanged(&["assign", "Developers", "--from-file", "/dev/zero"], 2);
    assert!(
        msg.contains("/dev/zero:1: the line is longer than"),
        "{msg}"
    );
}

// ── 9. a closed pipe ────────────────────────────────────────────────────────────────────────

#[test]
fn a_closed_pipe_ends_a_verb_quietly() {
    let env = Env::init();
    for args in [
        &["completions", "bash"][..],
        &["--help"][..],
        &["user", "list"][..],
        &["audit", "list", "--json"][..],
    ] {
        let mut child = env
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before warden writes: every write meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(0) && !stderr.contains("panicked"),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}

// ── 10. escape sequences in arguments ────────────────────────────────────────────────────────

#[test]
fn usage_errors_show_hostile_arguments_escaped() {
    let env = Env::init();
    let run = env.run(&["user", "add", "x", "--kind", "\u{1b}[2Jevil\u{202e}"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{202e}'),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr.contains("\\x1b[2Jevil"), "{}", run.stderr);
    let run = env.run(&["--bogus\u{1b}]52;c;aGk=\u{7}"]);
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}
