//! Several clients at once, on both backends: parallel wrong passwords counted exactly with at
//! most the threshold's worth reaching the hash, parallel writers that never fork the audit
//! chain or lose an update, and two edits of one user where the second is a conflict that
//! says who changed it.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{Backend, Env};
use warden::model::{SystemClock, UserKind, UserStatus};
use warden::service::{Command, NewUser, Service};
use warden::store::{Store, StoreOptions};

const ALICE: &str = "Blue-Harbour-2026";

fn store(backend: Backend) -> Env {
    let env = Env::empty_on(backend);
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

fn twenty_parallel_wrong_passwords_are_counted_exactly(backend: Backend) {
    let env = store(backend);
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut child = env
                .command(&["verify", "alice"])
                .env("WARDEN_BUSY_TIMEOUT_MS", "20000")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"Wrong-Password-1\n")
                .unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
    }
    let alice = env.json(&["user", "show", "alice"]);
    assert_eq!(alice["failed_attempts"], 20);
    // Every attempt is in the sign-in timeline, with what became of it.
    let timeline = env.dump();
    let section = timeline
        .split("== ")
        .find(|s| s.starts_with("sign_ins"))
        .unwrap();
    let checked = section.matches("Text(\"wrong_password\")").count();
    let locked = section.matches("Text(\"locked\")").count();
    assert_eq!(
        (checked, locked),
        (5, 15),
        "only the threshold's worth reached the hash: {section}"
    );
}

fn eight_writers_never_fork_the_chain_or_lose_a_write(backend: Backend) {
    let env = store(backend);
    let location = env.location();
    let before = env.audit_count();
    std::thread::scope(|scope| {
        for writer in 0..8 {
            let location = location.clone();
            scope.spawn(move || {
                let options = StoreOptions {
                    busy_timeout: std::time::Duration::from_secs(30),
                    ..StoreOptions::default()
                };
                let mut store = Store::open(&location, options).unwrap();
                let clock = SystemClock;
                let mut service = Service::new(&mut store, &clock, "default");
                let operator = service.peer_operator().unwrap();
                for n in 0..50 {
                    service
                        .execute(
                            &operator,
                            &[Command::AddUser(NewUser {
                                username: format!("w{writer}-{n}"),
                                email: None,
                                display_name: String::new(),
                                kind: UserKind::EndUser,
                                external_id: None,
                                status: UserStatus::Invited,
                            })],
                        )
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(env.audit_count(), before + 400, "one record per write");
    let users = env.json(&["user", "list"]);
    let written = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["username"].as_str().unwrap().starts_with('w'))
        .count();
    assert_eq!(written, 400, "no write was lost");
    let verified = env.json(&["audit", "verify"]);
    assert_eq!(verified["intact"], true, "{verified}");
}

fn two_edits_of_one_user_give_one_conflict_naming_who_changed_it(backend: Backend) {
    let env = store(backend);
    let version = env.json(&["user", "show", "alice"])["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let edits: Vec<_> = ["Alice One", "Alice Two"]
        .iter()
        .map(|name| {
            env.command(&[
                "user",
                "edit",
                "alice",
                "--display-name",
                name,
                "--expect-version",
                &version,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let outputs: Vec<_> = edits
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outputs.iter().map(|o| o.status.code().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, vec![0, 3], "one edit applies, the other conflicts");
    let refused = outputs.iter().find(|o| o.status.code() == Some(3)).unwrap();
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("conflict: user alice was changed by admin")
            && message.contains("edit user alice"),
        "says who changed it, and how: {message}"
    );
}

crate::on_both_backends!(
    twenty_parallel_wrong_passwords_are_counted_exactly,
    eight_writers_never_fork_the_chain_or_lose_a_write,
    two_edits_of_one_user_give_one_conflict_naming_who_changed_it,
);
