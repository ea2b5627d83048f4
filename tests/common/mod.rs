//! Helpers shared by the integration tests: a temporary store, running the real `warden`
//! binary against it, and a logical dump of every table to prove "nothing changed".
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const WARDEN: &str = env!("CARGO_BIN_EXE_warden");

/// A temporary directory with a store path inside it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Env {
    /// A directory with no store yet.
    pub fn empty() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("warden.db");
        Env { dir, store }
    }

    /// A store created by `warden init`.
    pub fn init() -> Env {
        let env = Env::empty();
        env.ok(&["init"]);
        env
    }

    /// The command line for `warden ARGS --store STORE`, with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(WARDEN);
        cmd.args(args)
            .arg("--store")
            .arg(&self.store)
            .env_remove("WARDEN_STORE")
            .env_remove("WARDEN_TENANT")
            .env("WARDEN_BUSY_TIMEOUT_MS", "2000")
            .env("NO_COLOR", "1");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }

    /// Runs with `input` on standard input (a password, never an argument).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        Run::from(output_with_stdin(self.command(args), input))
    }

    /// Sets a user's password through the CLI (as the peer operator), asserting success.
    pub fn set_password(&self, user: &str, password: &str) {
        let run = self.run_with_stdin(&["user", "set-password", user], &format!("{password}\n"));
        assert_eq!(run.code, 0, "set-password {user}: {run:?}");
    }

    /// Runs `args`, expects exit `code`, and checks the store did not change; returns stderr.
    pub fn unchanged(&self, args: &[&str], code: i32) -> String {
        let before = self.dump();
        let run = self.run(args);
        assert_eq!(run.code, code, "{args:?}: {run:?}");
        assert_eq!(self.dump(), before, "{args:?} changed the store");
        run.stderr
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "warden {args:?} failed: {run:?}");
        run.stdout
    }

    /// Runs a script of commands, each a whitespace-separated line, all of which must succeed.
    pub fn script(&self, lines: &str) {
        for line in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let args = shell_words(line);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            self.ok(&refs);
        }
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    pub fn sqlite(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.store).unwrap()
    }

    /// Every row of every table, in a stable order: equal dumps mean equal stores.
    pub fn dump(&self) -> String {
        dump(&self.store)
    }

    pub fn audit_count(&self) -> i64 {
        self.sqlite()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap()
    }
}

pub fn dump(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("== {table}\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1, 2"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// Splits a line on blanks, keeping "double quoted" words together.
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(current);
    }
    words
}
pub mod console;

/// Every row of every table, ids included, without what records history rather than state:
/// the audit trail, sign-ins, and the time and version stamps edits move forward. Two stores
/// hold the same users, groups, roles and grants exactly when these are equal.
pub fn store_state(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT IN ('audit', 'sign_ins', 'schema_version') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1, 2"))
            .unwrap();
        let names: Vec<String> = stmt.column_names().map(|n| n.to_string()).collect();
        out.push_str(&format!("== {table}\n"));
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| !matches!(n.as_str(), "created_at" | "updated_at" | "version"))
                .map(|(i, n)| format!("{n}={:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// A store in a temporary directory opened in this process, its first Administrator (`admin`,
/// peer-mapped to the OS account `tester`) as the operator, and a clock the test moves.
pub struct InProcess {
    pub dir: tempfile::TempDir,
    pub store: warden::store::Store,
    pub operator: warden::service::Operator,
    pub clock: warden::model::ManualClock,
}

pub fn in_process() -> InProcess {
    use warden::model::{ManualClock, Timestamp};
    use warden::service::init::{InitRequest, create_store};
    use warden::store::{Location, StoreOptions};
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let (store, _, operator) = create_store(
        &Location::Sqlite(dir.path().join("s.db")),
        StoreOptions::default(),
        &InitRequest {
            admin: "admin".into(),
            email: None,
            os_account: "tester".into(),
        },
        &clock,
    )
    .unwrap();
    InProcess {
        dir,
        store,
        operator,
        clock,
    }
}

/// Runs `command` to completion with `input` on its standard input.
pub fn output_with_stdin(mut command: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
