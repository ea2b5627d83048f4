//! Damaged, cyclic and refused stores through the real binary, found by a probe: a cycle
//! written behind warden's back, damaged pages, a deep inclusion chain, an empty file where a
//! store was being created, the audit trail's tail, refused stores, a read-only file system
//! and a full disk.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{Env, WARDEN};

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

// ── 2. cycles written behind warden's back ──────────────────────────────────────────────────

/// A store with roles ra (grants users.view) and rb (grants users.edit, includes ra), and the
/// edge `ra includes rb` written straight into the file: the cycle `ra → rb → ra`.
fn role_cycle() -> Env {
    let env = Env::init();
    env.script(
        "
        role add ra --name RA --grant users.view
        role add rb --name RB --grant users.edit --include ra
        ",
    );
    env.sqlite()
        .execute(
            "INSERT INTO role_includes SELECT a.id, b.id FROM roles a, roles b
             WHERE a.key = 'ra' AND b.key = 'rb'",
            [],
        )
        .unwrap();
    env
}

#[test]
fn a_role_cycle_refuses_other_writes_by_name_and_lets_its_repair_through() {
    let env = role_cycle();
    let msg = env.unchanged(&["user", "add", "zed"], 3);
    assert!(
        msg.contains("refused by rule no-cycles")
            && msg.contains("role ra includes rb includes ra"),
        "{msg}"
    );
    env.unchanged(&["role", "grant", "ra", "users.invite"], 3);
    // Removing an edge of the cycle repairs the store.
    env.ok(&["role", "exclude", "ra", "rb"]);
    let check = env.run(&["store", "check"]);
    assert_eq!(check.code, 0, "{check:?}");
    env.ok(&["user", "add", "zed"]);
}

#[test]
fn deleting_a_role_of_the_cycle_repairs_the_store() {
    let env = role_cycle();
    env.ok(&["role", "delete", "rb"]);
    env.ok(&["user", "add", "zed"]);
    assert_eq!(env.run(&["store", "check"]).code, 0);
}

#[test]
fn an_implication_cycle_is_repaired_by_unimplying() {
    let env = Env::init();
    env.script(
        "
        app add shop --name Shop
        perm add shop.a --name A --app shop
        perm add shop.b --name B --app shop
        perm imply shop.a shop.b
        ",
    );
    env.sqlite()
        .execute(
            "INSERT INTO implications SELECT b.id, a.id FROM permissions a, permissions b
             WHERE a.key = 'shop.a' AND b.key = 'shop.b'",
            [],
        )
        .unwrap();
    let msg = env.unchanged(&["app", "add", "crm", "--name", "CRM"], 3);
    assert!(msg.contains("permission shop."), "{msg}");
    let check = env.run(&["store", "check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(check.stdout.contains("implies"), "{check:?}");
    env.ok(&["perm", "unimply", "shop.b", "shop.a"]);
    env.ok(&["app", "add", "crm", "--name", "CRM"]);
}

// ── 3. a damaged file is refused for writing ────────────────────────────────────────────────

/// Overwrites 8 bytes inside the cells of the `roles` key index: pages that still parse, an
/// index that no longer matches its table.
fn damage_roles_index(env: &Env) {
    let db = env.sqlite();
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let (page, size): (i64, i64) = db
        .query_row(
            "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_roles_1'),
                    (SELECT page_size FROM pragma_page_size)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(db);
    let mut bytes = std::fs::read(&env.store).unwrap();
    let at = usize::try_from((page - 1) * size + size - 26).unwrap();
    bytes[at..at + 8].copy_from_slice(b"ZZZZZZZZ");
    std::fs::write(&env.store, bytes).unwrap();
}

#[test]
fn a_damaged_store_is_refused_for_writing_before_anything_is_written() {
    let env = Env::empty();
    env.ok(&["init", "--admin", "admin"]);
    env.set_password("admin", "Blue-Harbour-2026");
    damage_roles_index(&env);
    let before = sha(&env.store);
    let run = env.run(&["user", "add", "zed"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("damaged") && run.stderr.contains("store check"),
        "{run:?}"
    );
    let run = env.run_with_stdin(&["verify", "admin"], "Blue-Harbour-2026\n");
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(sha(&env.store), before, "the file is unchanged");
    // Reading is still possible (to rescue what it holds); the check names the damage.
    env.ok(&["user", "list"]);
    let check = env.run(&["store", "check", "--json"]);
    assert_eq!(check.code, 1, "{check:?}");
    let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(
        report["checks"][0]["problems"][0]
            .as_str()
            .unwrap()
            .contains("sqlite_autoindex_roles_1")
    );
    assert_eq!(sha(&env.store), before, "checking changes nothing either");
}

#[test]
fn store_check_reports_broken_references_and_a_broken_audit_chain() {
    let env = Env::init();
    env.ok(&["user", "add", "zed"]);
    let db = env.sqlite();
    db.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO group_members (group_id, user_id) VALUES (999, 998);
         UPDATE audit SET summary = 'nothing happened' WHERE id = 1;",
    )
    .unwrap();
    drop(db);
    let check = env.run(&["store", "check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check.stdout.contains("references  2 problems"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("the chain breaks at record 1"),
        "{}",
        check.stdout
    );
}

// ── 4. a deep inclusion chain ───────────────────────────────────────────────────────────────

#[test]
fn the_empty_role_rule_holds_through_a_deep_chain_and_names_roles_briefly() {
    let env = Env::init();
    env.ok(&[
        "role",
        "add",
        "chain-0",
        "--name",
        "chain-0",
        "--grant",
        "users.view",
    ]);
    let db = env.sqlite();
    db.execute_batch("BEGIN").unwrap();
    for i in 1..1000 {
        db.execute(
            "INSERT INTO roles (key, name, name_key, kind, builtin, created_at, updated_at)
             VALUES (?1, ?1, ?1, 'organization', 0, 0, 0)",
            [format!("chain-{i}")],
        )
        .unwrap();
        db.execute(
            "INSERT INTO role_includes SELECT a.id, b.id FROM roles a, roles b
             WHERE a.key = ?1 AND b.key = ?2",
            [format!("chain-{i}"), format!("chain-{}", i - 1)],
        )
        .unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    drop(db);
    // Every one of the 1,000 roles holds users.view only through the bottom one.
    let msg = env.unchanged(&["role", "revoke", "chain-0", "users.view"], 3);
    assert!(
        msg.contains("refused by rule role-needs-permission"),
        "{msg}"
    );
    assert!(
        msg.contains("and 995 more"),
        "1,000 roles are not all listed: {msg}"
    );
    env.ok(&[
        "role",
        "add",
        "top",
        "--name",
        "Top",
        "--include",
        "chain-999",
    ]);
    env.ok(&["user", "add", "zed"]);
}

// ── 6. an empty file left where a store was being created ───────────────────────────────────

#[test]
fn an_empty_file_at_the_store_path_is_no_store_and_init_replaces_it() {
    let env = Env::empty();
    std::fs::write(&env.store, b"").unwrap();
    env.ok(&["init"]);
    env.ok(&["user", "list"]);
    let leftovers: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".new-"))
        .collect();
    assert!(leftovers.is_empty(), "no draft is left: {leftovers:?}");
}

// ── 10. the smaller ones ────────────────────────────────────────────────────────────────────

#[test]
fn an_audit_column_of_the_wrong_type_is_named_with_its_record() {
    let env = Env::init();
    env.ok(&["user", "add", "zed"]);
    env.sqlite()
        .execute("UPDATE audit SET at = 'yesterday' WHERE id = 2", [])
        .unwrap();
    let run = env.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("broken at record 2")
            && run.stdout.contains("its at column holds text"),
        "{run:?}"
    );
}

#[test]
fn a_truncated_audit_tail_is_found_against_a_head_kept_elsewhere() {
    let env = Env::init();
    env.ok(&["user", "add", "zed"]);
    let verified = env.json(&["audit", "verify"]);
    let head = verified["head"].as_str().unwrap().to_string();
    env.ok(&["audit", "verify", "--head", &head]);
    env.ok(&["user", "add", "amy"]);
    env.ok(&["audit", "verify", "--head", &head]);
    // Remove the newest records: what is left still chains.
    // (The change kept for undo refers to the newest record: it goes first.)
    env.sqlite()
        .execute_batch("DELETE FROM undo_changes; DELETE FROM audit WHERE id >= 2;")
        .unwrap();
    env.ok(&["audit", "verify"]);
    let run = env.run(&["audit", "verify", "--head", &head]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("records were removed from the end"),
        "{run:?}"
    );
}

#[test]
fn refused_stores_are_left_exactly_as_they_were() {
    let env = Env::init();
    env.sqlite()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let foreign = env.dir.path().join("other.db");
    let db = rusqlite::Connection::open(&foreign).unwrap();
    db.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE x (a);")
        .unwrap();
    drop(db);
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = files();
    let run = env.run(&["user", "list"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("newer warden"), "{run:?}");
    let run = Command::new(WARDEN)
        .args(["user", "list", "--store"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(4));
    assert_eq!(files(), before, "no -wal or -shm file was left beside them");
}

/// Runs `script` as root of a private user and mount namespace (where a test can mount a
/// small or read-only file system), with `$WARDEN` the binary and `$DIR` a fresh directory.
fn in_private_mount(dir: &Path, script: &str) -> std::process::Output {
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-euc", script])
        .env("WARDEN", WARDEN)
        .env("DIR", dir)
        .env("NO_COLOR", "1")
        .env_remove("WARDEN_STORE")
        .output()
        .expect("unshare (util-linux) runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("unshare:"),
        "a private mount namespace is needed for this test: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn read_only_opens_a_store_on_a_read_only_file_system() {
    let source = Env::init();
    source.ok(&["user", "add", "zed"]);
    let mount = tempfile::tempdir().unwrap();
    let out = in_private_mount(
        mount.path(),
        &format!(
            "mount -t tmpfs -o size=4m tmpfs \"$DIR\"
             cp '{}' \"$DIR/s.db\"
             mount -o remount,ro \"$DIR\"
             \"$WARDEN\" --read-only --store \"$DIR/s.db\" user list",
            source.store.display()
        ),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("zed"),
        "{out:?} {stdout}"
    );
}

#[test]
fn a_full_disk_is_called_a_full_disk() {
    let mount = tempfile::tempdir().unwrap();
    let out = in_private_mount(
        mount.path(),
        "mount -t tmpfs -o size=1m tmpfs \"$DIR\"
         \"$WARDEN\" --store \"$DIR/s.db\" init --admin admin >/dev/null
         dd if=/dev/zero of=\"$DIR/fill\" bs=4k 2>/dev/null || true
         code=0; \"$WARDEN\" --store \"$DIR/s.db\" user add zed || code=$?
         echo \"exit $code\"
         rm \"$DIR/fill\"
         \"$WARDEN\" --store \"$DIR/s.db\" store check >/dev/null
         \"$WARDEN\" --store \"$DIR/s.db\" user show zed >/dev/null 2>&1 && echo 'zed exists' || true",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit 4"), "{stdout} {stderr}");
    assert!(stderr.contains("is full"), "{stderr}");
    assert!(!stderr.contains("disk I/O error"), "{stderr}");
    assert!(
        out.status.success() && !stdout.contains("zed exists"),
        "the store checks clean and nothing was half-added: {stdout} {stderr}"
    );
}
