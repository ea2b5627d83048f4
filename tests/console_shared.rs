//! Two consoles on one PostgreSQL store, in real terminals: a user added in one appears in the
//! other without a key pressed there, a change from the command line too; and when the
//! server goes away and comes back, both say so and reconnect by themselves. (Alone in its
//! test binary: it stops and starts the test cluster.)
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Instant;

use common::WARDEN;
use common::pg::{self, APP_PASSWORD};
use common::tmux::Pane;

fn console(url: &str) -> Pane {
    let dir = tempfile::tempdir().unwrap();
    let pane = Pane::start_with(
        dir,
        &[("WARDEN_STORE", url), ("PGPASSWORD", APP_PASSWORD)],
        "",
        120,
        40,
    );
    pane.wait_for("Sign in");
    // This OS account is the store's peer operator: Enter signs in.
    pane.press(&["Enter"]);
    pane.wait_for("1 Users");
    pane
}

fn cli(url: &str, args: &[&str]) {
    let out = Command::new(WARDEN)
        .args(args)
        .env("WARDEN_STORE", url)
        .env("PGPASSWORD", APP_PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "warden {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_consoles_see_each_other_and_survive_a_server_restart() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.app_url(&cluster.database());
    cli(&url, &["init", "--admin", "admin"]);
    let first = console(&url);
    let second = console(&url);
    first.wait_for("Users 1/1");
    second.wait_for("Users 1/1");

    // A user added in the first console...
    first.type_text("n");
    first.wait_for("Invite a user");
    first.type_text("carol");
    first.press(&["Tab"]);
    first.type_text("carol@example.com");
    first.press(&["C-s"]);
    let committed = Instant::now();
    first.wait_for("Users 2/2");
    // ...shows up in the second, which was not touched.
    second.wait_for("carol");
    eprintln!(
        "a user added in one console appeared in the other {} ms after the save key",
        committed.elapsed().as_millis()
    );
    second.wait_for("Users 2/2");

    // The server is killed: both consoles say so, and keep what is on screen.
    second.type_text("n");
    second.wait_for("Invite a user");
    second.type_text("dave");
    cluster.kill();
    first.wait_for("reconnecting");
    second.wait_for("reconnecting");
    assert!(second.screen().contains("dave"), "the form's input is kept");

    // It comes back: both reconnect by themselves and reload.
    cluster.start_server().unwrap();
    first.wait_for("reconnected to the store");
    second.wait_for("reconnected to the store");
    // The kept form is saved now that the server is back.
    second.press(&["C-s"]);
    second.wait_for("Users 3/3");
    first.wait_for("Users 3/3");

    // A change from the command line reaches both, too.
    cli(&url, &["user", "add", "erin", "--kind", "end_user"]);
    first.wait_for("Users 4/4");
    second.wait_for("Users 4/4");
}

#[test]
fn a_console_on_a_sqlite_file_sees_other_writers_and_lockouts() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("shared.db").display().to_string();
    cli(&store, &["init", "--admin", "admin"]);
    cli(
        &store,
        &[
            "user",
            "add",
            "bob",
            "--email",
            "bob@example.com",
            "--active",
        ],
    );
    let mut set = Command::new(WARDEN);
    set.args(["user", "set-password", "bob"])
        .env("WARDEN_STORE", &store);
    let out = common::output_with_stdin(set, "Blue-Harbour-2026\n");
    assert!(out.status.success(), "{out:?}");
    let pane = console(&store);
    pane.wait_for("Users 2/2");
    cli(&store, &["user", "add", "erin", "--kind", "end_user"]);
    pane.wait_for("Users 3/3");
    // Wrong passwords from another client lock bob: no audit record, but the lock shows.
    for _ in 0..6 {
        let mut verify = Command::new(WARDEN)
            .args(["verify", "bob"])
            .env("WARDEN_STORE", &store)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        verify
            .stdin
            .take()
            .unwrap()
            .write_all(b"Not-His-Password-1\n")
            .unwrap();
        verify.wait().unwrap();
    }
    pane.wait_for("locked");
}
