//! Helpers shared by the integration tests: a temporary store on either backend, running the
//! real `warden` binary against it, and a logical dump of every table to prove "nothing
//! changed". Suites that define a backend run on both through [`on_both_backends!`].
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use warden::store::{Location, Store, StoreOptions};

pub const WARDEN: &str = env!("CARGO_BIN_EXE_warden");

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Instantiates each listed test function (taking a [`Backend`]) once per backend, in the
/// modules `sqlite` and `postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::common::Backend::Sqlite);
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if $crate::common::pg::cluster().is_some() {
                        super::$name($crate::common::Backend::Postgres);
                    }
                }
            )+
        }
    };
}

/// A temporary directory and a store location: a file in it, or a fresh database on the test
/// cluster (reached as the unprivileged application role, its password in `PGPASSWORD`).
pub struct Env {
    pub dir: tempfile::TempDir,
    /// The SQLite file (SQLite only).
    pub store: PathBuf,
    /// What `--store` is given.
    pub target: String,
    pub backend: Backend,
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

/// `warden ARGS --store TARGET` with `password` in `PGPASSWORD`, and nothing of this machine's
/// own PostgreSQL settings (no home directory: no password file, no root certificate).
pub fn run_with_password(target: &str, password: &str, args: &[&str]) -> Run {
    let out = Command::new(WARDEN)
        .args(args)
        .arg("--store")
        .arg(target)
        .env_remove("WARDEN_STORE")
        .env_remove("WARDEN_SCHEMA")
        .env_remove("PGSSLROOTCERT")
        .env_remove("PGPASSFILE")
        .env("HOME", "/nonexistent")
        .env("PGPASSWORD", password)
        .env("WARDEN_BUSY_TIMEOUT_MS", "2000")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run::from(out)
}

/// A location for a new store on `backend`; the directory keeps a SQLite file alive.
pub fn new_location(backend: Backend, dir: &Path) -> Location {
    match backend {
        Backend::Sqlite => Location::Sqlite(dir.join("warden.db")),
        Backend::Postgres => {
            let cluster = pg::cluster().expect("the PostgreSQL test cluster");
            let db = cluster.database();
            Location::Postgres {
                conninfo: format!("{}&password={}", cluster.app_url(&db), pg::APP_PASSWORD),
                schema: None,
            }
        }
    }
}

impl Env {
    /// A directory with no store yet (SQLite).
    pub fn empty() -> Env {
        Env::empty_on(Backend::Sqlite)
    }

    /// No store yet on `backend`.
    pub fn empty_on(backend: Backend) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("warden.db");
        let target = match backend {
            Backend::Sqlite => store.display().to_string(),
            Backend::Postgres => {
                let cluster = pg::cluster().expect("the PostgreSQL test cluster");
                cluster.app_url(&cluster.database())
            }
        };
        Env {
            dir,
            store,
            target,
            backend,
        }
    }

    /// A store created by `warden init` (SQLite).
    pub fn init() -> Env {
        let env = Env::empty();
        env.ok(&["init"]);
        env
    }

    /// The store's location, as the library takes it.
    pub fn location(&self) -> Location {
        match self.backend {
            Backend::Sqlite => Location::Sqlite(self.store.clone()),
            Backend::Postgres => Location::Postgres {
                conninfo: format!("{}&password={}", self.target, pg::APP_PASSWORD),
                schema: None,
            },
        }
    }

    /// The command line for `warden ARGS --store STORE`, with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(WARDEN);
        cmd.args(args)
            .arg("--store")
            .arg(&self.target)
            .env_remove("WARDEN_STORE")
            .env_remove("WARDEN_TENANT")
            .env_remove("WARDEN_SCHEMA")
            .env("WARDEN_BUSY_TIMEOUT_MS", "2000")
            .env("NO_COLOR", "1");
        if self.backend == Backend::Postgres {
            cmd.env("PGPASSWORD", pg::APP_PASSWORD);
        }
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
        dump_location(&self.location())
    }

    pub fn audit_count(&self) -> i64 {
        let mut store = open_read_only(&self.location());
        store.read(|tx| tx.audit_count()).unwrap()
    }
}

fn open_read_only(location: &Location) -> Store {
    Store::open(
        location,
        StoreOptions {
            read_only: true,
            ..StoreOptions::default()
        },
    )
    .unwrap()
}

/// Every row of every table of the SQLite file at `path`, read with SQLite itself (so a store
/// of any schema version can be dumped, before and after a migration).
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

/// Every row of every table of a store on either backend, through warden's own whole-store
/// reads, in a stable order.
pub fn dump_location(location: &Location) -> String {
    dump_filtered(location, &[], &[])
}

/// [`dump_location`] without the tables named.
pub fn dump_without(location: &Location, skip_tables: &[&str]) -> String {
    dump_filtered(location, skip_tables, &[])
}

fn dump_filtered(location: &Location, skip_tables: &[&str], skip_columns: &[&str]) -> String {
    use warden::store::whole::TABLES;
    let mut store = open_read_only(location);
    store
        .read(|tx| {
            let mut out = String::new();
            for table in TABLES.iter().filter(|t| !skip_tables.contains(t)) {
                let columns = tx.columns(table)?;
                out.push_str(&format!("== {table}\n"));
                let mut lines = Vec::new();
                tx.each_row(table, &columns, &mut |row| {
                    let cells: Vec<String> = columns
                        .iter()
                        .zip(&row.0)
                        .filter(|(name, _)| !skip_columns.contains(&name.as_str()))
                        .map(|(name, value)| format!("{name}={value:?}"))
                        .collect();
                    lines.push(cells.join("|"));
                    Ok(())
                })?;
                // Sorted here: the backends order NULLs and text differently.
                lines.sort();
                for line in lines {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            Ok::<_, warden::store::StoreError>(out)
        })
        .unwrap()
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
pub mod pg;
pub mod tmux;

/// Every row of every table, ids included, without what records history rather than state:
/// the audit trail, sign-ins, and the time and version stamps edits move forward. Two stores
/// hold the same users, groups, roles and grants exactly when these are equal.
pub fn store_state(path: &Path) -> String {
    store_state_at(&Location::Sqlite(path.to_path_buf()))
}

/// [`store_state`] of a store on either backend.
pub fn store_state_at(location: &Location) -> String {
    dump_filtered(
        location,
        &["audit", "undo_changes", "sign_ins"],
        &["created_at", "updated_at", "version"],
    )
}

/// A store opened in this process (a file in a temporary directory, or a database on the
/// test cluster), its first Administrator (`admin`, peer-mapped to the OS account `tester`) as
/// the operator, and a clock the test moves.
pub struct InProcess {
    pub dir: tempfile::TempDir,
    pub location: Location,
    pub store: warden::store::Store,
    pub operator: warden::service::Operator,
    pub clock: warden::model::ManualClock,
}

/// [`in_process_on`] SQLite.
pub fn in_process() -> InProcess {
    in_process_on(Backend::Sqlite)
}

pub fn in_process_on(backend: Backend) -> InProcess {
    use warden::model::{ManualClock, Timestamp};
    use warden::service::init::{InitRequest, create_store};
    let dir = tempfile::tempdir().unwrap();
    let location = new_location(backend, dir.path());
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let (store, _, operator) = create_store(
        &location,
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
        location,
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
