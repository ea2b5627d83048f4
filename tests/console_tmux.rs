//! The real binary in a real terminal: each test starts its own tmux server (private socket, no
//! config, `escape-time 0`), runs `warden` in a pane, types at it and reads the screen back.
//! tmux is required; `.ci/run` installs it.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::WARDEN;
use common::tmux::{PATIENCE, Pane};

const PASSWORD: &str = "Blue-Harbour-2026";
/// Runs the warden CLI to completion (for setting up and checking stores).
fn cli(store: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(WARDEN);
    command.env("WARDEN_STORE", store).args(args);
    common::output_with_stdin(command, stdin)
}

/// The terminal is back to normal: main screen, and (from what warden wrote last, since tmux
/// hides the cursor of a dead pane itself) the cursor shown again.
fn assert_terminal_restored(pane: &Pane) {
    assert_eq!(pane.var("alternate_on"), "0", "left the alternate screen");
    let output = pane.output();
    let last = |needle: &[u8]| output.windows(needle.len()).rposition(|w| w == needle);
    let (hidden, shown) = (last(b"\x1b[?25l"), last(b"\x1b[?25h"));
    assert!(
        shown.is_some() && shown > hidden,
        "the cursor is shown again: {hidden:?} then {shown:?}"
    );
    let (entered, left) = (last(b"\x1b[?1049h"), last(b"\x1b[?1049l"));
    assert!(
        left.is_some() && left > entered,
        "the alternate screen was left: {entered:?} then {left:?}"
    );
}

#[test]
fn first_run_creates_the_admin_then_a_user_filter_and_quit() {
    let pane = Pane::start("", 120, 40);
    pane.wait_for("create the store");
    // The administrator's name is offered (the OS account); the password twice.
    pane.press(&["Tab"]);
    pane.type_text(PASSWORD);
    pane.press(&["Tab"]);
    pane.type_text(PASSWORD);
    pane.press(&["Enter"]);
    let screen = pane.wait_for("Users 1/1");
    assert!(
        screen.contains("1 Users"),
        "lands on the Users tab:\n{screen}"
    );
    assert!(
        std::fs::metadata(pane.path("store.db")).is_ok(),
        "the store exists"
    );

    // Create a user through the form.
    pane.type_text("n");
    pane.wait_for("Invite a user");
    pane.type_text("carol");
    pane.press(&["Tab"]);
    pane.type_text("carol@example.com");
    pane.press(&["Tab"]);
    pane.type_text("Carol Danvers");
    pane.press(&["C-s"]);
    pane.wait_for("Users 2/2");
    pane.wait_for("Carol Danvers");

    // Filter.
    pane.type_text("/'carol");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("Users 1/2");
    assert!(
        screen.contains("carol@example.com"),
        "carol is focused:\n{screen}"
    );

    // Quit: exit status 0 and the normal screen back.
    pane.type_text("q");
    assert_eq!(pane.wait_exit(), 0);
    assert_terminal_restored(&pane);

    let listed = cli(&pane.path("store.db"), &["user", "list"], "");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("carol"));
}

/// A store whose administrator is this OS account (so the console offers the peer sign-in).
fn demo_store(dir: &Path, users: &str) -> PathBuf {
    let store = dir.join("store.db");
    let out = cli(&store, &["demo", "--users", users], "");
    assert!(
        out.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    store
}

/// Starts the console over a demo store and signs in as the peer operator.
fn signed_in(users: &str, width: u16, height: u16) -> Pane {
    let dir = tempfile::tempdir().unwrap();
    demo_store(dir.path(), users);
    let pane = Pane::start_in(dir, "", width, height);
    pane.wait_for("Sign in");
    pane.press(&["Enter"]);
    pane.wait_for("1 Users");
    pane
}

#[test]
fn a_small_terminal_shows_one_line_and_recovers() {
    let pane = signed_in("20", 100, 30);
    pane.tmux(&["resize-window", "-t", "main", "-x", "30", "-y", "8"]);
    let screen = pane.wait_for("terminal too small");
    assert_eq!(
        screen.trim(),
        "terminal too small",
        "one line and nothing else:\n{screen}"
    );
    pane.tmux(&["resize-window", "-t", "main", "-x", "100", "-y", "30"]);
    pane.wait_for("1 Users");
}

#[test]
fn a_hang_up_restores_the_terminal_and_keeps_the_store() {
    let pane = signed_in("20", 100, 30);
    let before = cli(&pane.path("store.db"), &["user", "list", "--json"], "");
    // Half-way through a form when the line drops.
    pane.type_text("n");
    pane.wait_for("Invite a user");
    pane.type_text("dropped");
    let pid = pane.pid();
    let killed = Command::new("kill").args(["-HUP", &pid]).status().unwrap();
    assert!(killed.success());
    assert_eq!(pane.wait_exit(), 0, "a hang-up is an orderly exit");
    assert_terminal_restored(&pane);

    let verify = cli(&pane.path("store.db"), &["audit", "verify"], "");
    assert!(
        verify.status.success(),
        "the audit chain holds: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let after = cli(&pane.path("store.db"), &["user", "list", "--json"], "");
    assert_eq!(before.stdout, after.stdout, "nothing half-saved");
}

#[test]
fn a_hostile_display_name_is_shown_escaped() {
    let pane = signed_in("20", 120, 40);
    pane.type_text("/screen wiped");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("screen wiped");
    assert!(
        screen.contains("\\x1b[2J\\x1b[H screen wiped"),
        "escaped, visibly:\n{screen}"
    );
    // Had the sequence reached the terminal, the header would be gone.
    assert!(
        screen.contains("1 Users"),
        "the screen was not cleared:\n{screen}"
    );
}

#[test]
fn an_idle_console_writes_nothing() {
    let pane = signed_in("20", 100, 30);
    // Let the sign-in's frames land, then count from here.
    std::thread::sleep(Duration::from_millis(500));
    let before = pane.output().len();
    // One keystroke shows the pipe works and what a step costs.
    pane.type_text("j");
    let start = Instant::now();
    while pane.output().len() == before {
        assert!(start.elapsed() < PATIENCE, "no output after a keystroke");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let settled = pane.output().len();
    let step = settled - before;
    assert!(step <= 2048, "one step down wrote {step} bytes");
    std::thread::sleep(Duration::from_secs(5));
    let idle = pane.output().len() - settled;
    assert_eq!(idle, 0, "five idle seconds wrote {idle} bytes");
}

#[test]
fn the_bulk_flow_marks_filters_assigns_confirms_and_reports() {
    let pane = signed_in("200", 120, 40);
    // Filter to end users, mark three, narrow the filter so the first one is hidden.
    pane.type_text("/kind:end_user");
    pane.press(&["Enter"]);
    pane.wait_for("kind:end_user");
    pane.press(&["Space", "Space", "Space"]);
    pane.wait_for("3 marked");
    let first = {
        let listed = cli(
            &pane.path("store.db"),
            &["user", "list", "--kind", "end_user", "--json"],
            "",
        );
        let text = String::from_utf8(listed.stdout).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("\"username\""))
            .unwrap()
            .to_string();
        let value: serde_json::Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
        value["username"].as_str().unwrap().to_string()
    };
    pane.type_text("/");
    pane.type_text(&format!(" !{first}"));
    pane.press(&["Enter"]);
    pane.wait_for("3 marked (1 hidden by filter)");
    // Assign the first end-user role the picker offers.
    pane.type_text("r");
    pane.wait_for("Assign roles to 3 marked users");
    pane.type_text("end_user");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("for 3 users (1 hidden by filter)");
    assert!(screen.contains("Cancel"), "{screen}");
    pane.press(&["Tab", "Tab", "Enter"]);
    let screen = pane.wait_for("audit record #");
    assert!(
        screen.contains("done") || screen.contains("skipped"),
        "a per-user report:\n{screen}"
    );
    // Closing the report: the marks are gone (cleared on success).
    pane.type_text("q");
    pane.wait("the report closed", |s| !s.contains("audit record #"));
    assert!(!pane.screen().contains("marked"), "{}", pane.screen());
    let audit = cli(
        &pane.path("store.db"),
        &["audit", "list", "--limit", "1", "--json"],
        "",
    );
    let newest = String::from_utf8(audit.stdout).unwrap();
    assert!(newest.contains("\"action\":\"assign\""), "{newest}");
}

#[test]
fn suspend_and_resume_give_the_console_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), "20");
    let store = store.display().to_string();
    let pane = Pane::shell(dir, &[("WARDEN_STORE", &store)], 100, 30);
    pane.type_text(WARDEN);
    pane.press(&["Enter"]);
    pane.wait_for("Sign in");
    pane.press(&["Enter"]);
    pane.wait_for("1 Users");
    // ctrl-z gives the shell back; fg the console, redrawn whole and taking keys again.
    pane.press(&["C-z"]);
    pane.wait_for("Stopped");
    pane.type_text("fg");
    pane.press(&["Enter"]);
    pane.wait_for("1 Users");
    pane.type_text("2");
    pane.wait_for("Groups 3/3");
    pane.type_text("q");
    // Back in the shell: the job's exit status (what fg returns) is 0.
    pane.wait("the shell after fg", |s| {
        !s.contains("1 Users")
            && s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.trim_end().ends_with('#') || l.trim_end().ends_with('$'))
    });
    pane.type_text("echo STATUS=$?");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("STATUS=");
    assert!(screen.contains("STATUS=0"), "{screen}");
    assert!(!screen.contains("cursor position"), "{screen}");
}

/// At a terminal, a command whose change needs the count typed (here: someone gains a User
/// management permission) previews it and asks; a wrong answer changes nothing (exit 3).
/// A script, without a terminal, is not asked.
#[test]
fn the_command_line_asks_for_the_count_at_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), "20");
    let out = cli(&store, &["user", "add", "carol", "--active"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roles = |store: &Path| {
        let out = cli(store, &["user", "show", "carol", "--json"], "");
        String::from_utf8_lossy(&out.stdout).contains("\"administrators\"")
    };
    let shown = store.display().to_string();
    let pane = Pane::shell(dir, &[("WARDEN_STORE", &shown)], 120, 30);
    pane.type_text(&format!(
        "{WARDEN} assign administrators carol; echo STATUS=$?"
    ));
    pane.press(&["Enter"]);
    let asked = pane.wait_for("type 1,");
    assert!(asked.contains("(User management)"), "{asked}");
    assert!(asked.contains("carol"), "the preview names her: {asked}");
    pane.type_text("2");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("STATUS=");
    assert!(
        screen.contains("cancelled: nothing was changed"),
        "{screen}"
    );
    assert!(screen.contains("STATUS=3"), "{screen}");
    assert!(!roles(&store));

    pane.type_text(&format!(
        "clear; {WARDEN} assign administrators carol; echo DONE=$?"
    ));
    pane.press(&["Enter"]);
    pane.wait_for("type 1,");
    pane.type_text("1");
    pane.press(&["Enter"]);
    let screen = pane.wait_for("DONE=");
    assert!(screen.contains("DONE=0"), "{screen}");
    assert!(roles(&store));

    // No terminal on standard input: a script is never asked.
    let out = cli(&store, &["unassign", "administrators", "carol"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&store, &["assign", "administrators", "carol"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(roles(&store));
}

/// A fresh store set up entirely in the console — an app, its permission, an end-user role
/// granting it at QA, a group, a member, an assignment — then checked from the command line.
#[test]
fn a_fresh_store_is_set_up_entirely_in_the_console() {
    let pane = Pane::start("", 120, 40);
    pane.wait_for("create the store");
    pane.press(&["Tab"]);
    pane.type_text(PASSWORD);
    pane.press(&["Tab"]);
    pane.type_text(PASSWORD);
    pane.press(&["Enter"]);
    pane.wait_for("Users 1/1");

    // An app, and a permission of it (the app is the only choice; the key starts with it).
    pane.type_text("6n");
    pane.wait_for("Register an app");
    pane.type_text("shop");
    pane.press(&["Tab"]);
    pane.type_text("Shop");
    pane.press(&["C-s"]);
    pane.wait_for("Apps 1/1");
    pane.type_text("4n");
    pane.wait_for("Define an app permission");
    pane.press(&["Tab"]);
    pane.type_text("orders.ship");
    pane.press(&["Tab"]);
    pane.type_text("Ship orders");
    pane.press(&["C-s"]);
    pane.wait_for("done: add permission shop.orders.ship");

    // An end-user role of shop, granting it at QA (Tab: every stage → Development → QA).
    pane.type_text("3n");
    pane.wait_for("Create a role");
    pane.type_text("shipper");
    pane.press(&["Tab"]);
    pane.type_text("Shipper");
    pane.press(&["Tab", "Right", "Tab", "Right", "C-s"]);
    pane.wait_for("Grant shipper its permissions");
    pane.type_text("ship");
    pane.press(&["Tab", "Tab"]);
    pane.wait_for("at: stage QA");
    pane.press(&["Enter"]);
    pane.wait_for("done: add role shipper");

    // An active end user, a group in QA with her in it, and the role assigned to her.
    pane.type_text("1n");
    pane.wait_for("Invite a user");
    pane.type_text("carol");
    pane.press(&["Tab", "Tab", "Tab", "Tab", "Tab", "Right", "C-s"]);
    pane.wait_for("done: add end_user carol");
    pane.type_text("2n");
    pane.wait_for("Create a group");
    pane.type_text("ops");
    pane.press(&["Tab", "Right", "C-s"]);
    pane.wait_for("done: add group ops");
    pane.type_text("m");
    pane.wait_for("Add members to ops (QA)");
    pane.type_text("carol");
    pane.press(&["Enter"]);
    pane.wait_for("done: add carol to group ops");
    pane.type_text("1");
    pane.wait_for("carol · end_user");
    pane.type_text("r");
    pane.wait_for("Assign roles to carol");
    pane.type_text("shipper");
    pane.press(&["Enter"]);
    // Her access changes: previewed and confirmed.
    let preview = pane.wait_for("+ shop.orders.ship");
    assert!(preview.contains("Cancel"), "{preview}");
    pane.press(&["Tab", "Tab", "Enter"]);
    pane.wait_for("shop.orders.ship@QA ← role shipper");
    pane.type_text("q");
    assert_eq!(pane.wait_exit(), 0);

    let store = pane.path("store.db");
    let holds = cli(
        &store,
        &["check", "carol", "shop.orders.ship", "--stage", "QA"],
        "",
    );
    assert!(
        holds.status.success(),
        "{}{}",
        String::from_utf8_lossy(&holds.stdout),
        String::from_utf8_lossy(&holds.stderr)
    );
    let not_in_production = cli(
        &store,
        &[
            "check",
            "carol",
            "shop.orders.ship",
            "--stage",
            "Production",
        ],
        "",
    );
    assert_eq!(not_in_production.status.code(), Some(1));
    let members = cli(&store, &["group", "show", "ops"], "");
    assert!(String::from_utf8_lossy(&members.stdout).contains("carol"));
}
