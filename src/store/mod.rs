//! The store: where users, groups, roles and permissions live. [`Store`] opens or creates a
//! database (SQLite now; the SQL is written once over [`sql::Connection`] so a second backend
//! plugs in the same code), checks and migrates its schema, and runs closures inside read or
//! write transactions. A [`Tx`] offers the reads (`read/`), applies [`Change`]s (`apply.rs`) and
//! appends the hash-chained audit record (`audit.rs`), all inside that one transaction.
//!
//! Nothing is written to a store that is refused: a newer or foreign schema is seen through a
//! read-only probe, and the database's pages are checked once, before a process's first write
//! (`WriteGate`), so a damaged file is refused for writing before a byte of it changes. A new
//! store is built as a draft beside its location and appears there whole, or not at all.
//!
//! [`Change`]: crate::model::Change

mod apply;
pub mod audit;
pub mod credentials;
pub mod error;
pub mod migrate;
pub mod read;
pub mod sql;
pub mod sqlite;
mod sqlite_file;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use audit::AuditDraft;
pub use error::StoreError;
use sql::{CheckDepth, Connection, TxMode};

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://` and `postgresql://` URLs name a PostgreSQL database; anything else is a
    /// path to a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// `warden.db` in the platform data directory (XDG on Linux:
    /// `$XDG_DATA_HOME/warden/warden.db`, by default `~/.local/share/warden/warden.db`).
    pub fn default_location() -> Result<Location, StoreError> {
        let dirs = directories::ProjectDirs::from("", "", "warden").ok_or_else(|| {
            StoreError::Unavailable(
                "cannot find a home directory for the default store; pass --store PATH".into(),
            )
        })?;
        Ok(Location::Sqlite(dirs.data_dir().join("warden.db")))
    }

    /// For messages: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => redact_url(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    if tail.is_empty() && !rest.contains('/') {
        format!("{scheme}://{authority}")
    } else {
        format!(
            "{scheme}://{authority}/{}",
            tail.split('?').next().unwrap_or("")
        )
    }
}

/// How to open a store.
#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    pub read_only: bool,
    /// How long one attempt waits for another writer's lock.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            read_only: false,
            busy_timeout: Duration::from_millis(2000),
        }
    }
}

impl StoreOptions {
    /// Defaults, with the busy timeout taken from `WARDEN_BUSY_TIMEOUT_MS` when set.
    pub fn from_env() -> Self {
        let mut options = StoreOptions::default();
        if let Some(ms) = std::env::var("WARDEN_BUSY_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            options.busy_timeout = Duration::from_millis(ms);
        }
        options
    }
}

/// Attempts at taking the write lock before giving up; each waits up to the busy timeout.
const WRITE_ATTEMPTS: u32 = 3;

pub struct Store {
    conn: Box<dyn Connection>,
    location: Location,
    options: StoreOptions,
    gate: WriteGate,
    /// Set while the store is a draft being built beside its location.
    draft: Option<sqlite_file::Draft>,
}

/// Whether this process has checked the store's pages, which it does once before its first
/// write: reading a damaged store is allowed (to rescue what it holds), writing to it is not.
enum WriteGate {
    /// Not checked yet.
    Unchecked,
    /// Being checked on a thread of its own, started when the store was opened.
    Checking(std::thread::JoinHandle<Result<Vec<String>, StoreError>>),
    /// Checked and sound, and the connection set up for writing.
    Open,
    /// Checked and damaged: every write is refused with this.
    Refused(String),
}

impl Store {
    /// Opens an existing store, refusing (and not touching) anything that is not a warden store
    /// or was written by a newer warden, and migrating an older schema forward.
    pub fn open(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        match location {
            Location::Sqlite(path) => Self::open_sqlite(path, location, options),
            Location::Postgres(_) => Err(postgres_unsupported(location)),
        }
    }

    fn open_sqlite(
        path: &Path,
        location: &Location,
        options: StoreOptions,
    ) -> Result<Store, StoreError> {
        sqlite_file::check_file(path)?;
        // Inspect through a read-only probe first: nothing may write to a store we refuse.
        let version = {
            let mut probe = sqlite::SqliteConnection::probe(path, options.busy_timeout)?;
            migrate::recorded_version(&mut probe)?
        };
        let known = migrate::latest(migrate::SQLITE);
        let version = match version {
            None => {
                return Err(StoreError::NotAStore {
                    path: path.to_path_buf(),
                    reason: "a SQLite database without a warden schema".into(),
                });
            }
            Some(v) if v > known => {
                return Err(StoreError::TooNew {
                    path: path.to_path_buf(),
                    found: v,
                    known,
                });
            }
            Some(v) => v,
        };
        let conn = if options.read_only {
            sqlite::SqliteConnection::open_for_reading(path, options.busy_timeout)?
        } else {
            sqlite::SqliteConnection::open(path, false, options.busy_timeout)?
        };
        let mut store = Store {
            conn: Box::new(conn),
            location: location.clone(),
            options,
            gate: WriteGate::Unchecked,
            draft: None,
        };
        if version < known {
            if options.read_only {
                return Err(StoreError::Unavailable(format!(
                    "{} has schema version {version} and needs upgrading to {known}; open it once without --read-only",
                    path.display()
                )));
            }
            store.pass_write_gate()?;
            migrate::migrate(store.conn.as_mut(), migrate::SQLITE, version)?;
        }
        Ok(store)
    }

    /// Creates a new store at `location` with the current schema and nothing in it (no
    /// tenants, catalog or users). Refuses an existing store.
    pub fn create(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        Store::create_draft(location, options)?.publish()
    }

    /// Starts a new store with the current schema, built beside `location` and not there until
    /// [`Store::publish`]: a process that dies while filling it leaves no store behind, only
    /// a draft the next creation removes. Refuses an existing store.
    pub fn create_draft(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        let Location::Sqlite(path) = location else {
            return Err(postgres_unsupported(location));
        };
        let draft = sqlite_file::Draft::start(path)?;
        let built = (|| {
            let mut conn =
                sqlite::SqliteConnection::open(&draft.path, false, options.busy_timeout)?;
            conn.configure_for_building()?;
            migrate::migrate(&mut conn, migrate::SQLITE, 0)?;
            Ok(conn)
        })();
        match built {
            Ok(conn) => Ok(Store {
                conn: Box::new(conn),
                location: location.clone(),
                options,
                gate: WriteGate::Open,
                draft: Some(draft),
            }),
            Err(e) => {
                draft.discard();
                Err(e)
            }
        }
    }

    /// Puts a finished draft in place (never over another store) and opens it there.
    pub fn publish(self) -> Result<Store, StoreError> {
        let Store {
            conn,
            location,
            options,
            draft,
            ..
        } = self;
        // The draft's connection is closed first, so its content is all in the file.
        drop(conn);
        let (Some(draft), Location::Sqlite(path)) = (draft, &location) else {
            return Err(StoreError::Backend("only a draft can be published".into()));
        };
        if let Err(e) = draft.publish() {
            draft.discard();
            return Err(e);
        }
        let mut conn = sqlite::SqliteConnection::open(path, false, options.busy_timeout)?;
        conn.configure_for_writing()?;
        Ok(Store {
            conn: Box::new(conn),
            location,
            options,
            gate: WriteGate::Open,
            draft: None,
        })
    }

    /// Abandons a draft: used when filling a new store fails, so nothing half-made is left.
    pub fn discard_new(self) {
        let Store { conn, draft, .. } = self;
        drop(conn);
        if let Some(draft) = draft {
            draft.discard();
        }
    }

    /// Starts checking the store's pages on a thread of its own, fully (every index against
    /// its rows), so the first write (which waits for the verdict) does not pay for it: the
    /// console calls this as it opens a store.
    pub fn check_pages_in_background(&mut self) {
        if self.options.read_only || !matches!(self.gate, WriteGate::Unchecked) {
            return;
        }
        let Location::Sqlite(path) = &self.location else {
            return;
        };
        let (path, busy) = (path.clone(), self.options.busy_timeout);
        self.gate = WriteGate::Checking(std::thread::spawn(move || {
            sqlite::SqliteConnection::open(&path, true, busy)?.damaged_pages(CheckDepth::Full)
        }));
    }

    /// Lets the first write through only when the store's pages are sound, and sets the
    /// connection up for writing then.
    fn pass_write_gate(&mut self) -> Result<(), StoreError> {
        let problems = match std::mem::replace(&mut self.gate, WriteGate::Unchecked) {
            WriteGate::Open => {
                self.gate = WriteGate::Open;
                return Ok(());
            }
            WriteGate::Refused(message) => {
                self.gate = WriteGate::Refused(message.clone());
                return Err(StoreError::Corrupt(message));
            }
            WriteGate::Checking(check) => check.join().unwrap_or_else(|_| {
                Err(StoreError::Backend(
                    "the check of the store's pages stopped".into(),
                ))
            })?,
            WriteGate::Unchecked => self.conn.damaged_pages(CheckDepth::BeforeWriting)?,
        };
        if !problems.is_empty() {
            let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
            let message = format!(
                "{}: {}; nothing was written — restore it from a backup (`warden store check` lists every problem)",
                self.location.describe(),
                shown.join("; ")
            );
            self.gate = WriteGate::Refused(message.clone());
            return Err(StoreError::Corrupt(message));
        }
        self.conn.prepare_for_writing()?;
        self.gate = WriteGate::Open;
        Ok(())
    }

    /// Every damaged page or index of the store (the first few), checked fully; empty when
    /// sound.
    pub fn damaged_pages(&mut self) -> Result<Vec<String>, StoreError> {
        self.conn.damaged_pages(CheckDepth::Full)
    }

    /// Rows that refer to a row that is not there; empty when none.
    pub fn broken_references(&mut self) -> Result<Vec<String>, StoreError> {
        self.conn.broken_references()
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn is_read_only(&self) -> bool {
        self.options.read_only
    }

    /// Runs `body` in a read transaction (one consistent snapshot).
    pub fn read<T, E: From<StoreError>>(
        &mut self,
        body: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn.begin(TxMode::Read)?;
        let mut tx = Tx {
            conn: self.conn.as_mut(),
        };
        let result = body(&mut tx);
        // A read transaction has nothing to keep; ending it with ROLLBACK is always safe.
        let end = self.conn.rollback();
        let value = result?;
        end?;
        Ok(value)
    }

    /// Runs `body` in a write transaction and commits when it succeeds; any error rolls
    /// everything back. Waits for other writers up to the busy timeout, a few times over.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        body: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact(true, body)
    }

    /// Like [`Store::write`] but always rolls back: runs every check and change exactly as a
    /// real write would, and keeps none of it (dry runs, previews).
    pub fn rehearse<T, E: From<StoreError>>(
        &mut self,
        body: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact(false, body)
    }

    fn transact<T, E: From<StoreError>>(
        &mut self,
        commit: bool,
        body: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.options.read_only {
            return Err(StoreError::ReadOnly.into());
        }
        self.begin_write()?;
        let mut tx = Tx {
            conn: self.conn.as_mut(),
        };
        match body(&mut tx) {
            Ok(value) if commit => match self.conn.commit() {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.conn.rollback();
                    Err(e.into())
                }
            },
            Ok(value) => {
                self.conn.rollback()?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.rollback();
                Err(e)
            }
        }
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.pass_write_gate()?;
        let mut attempt = 1;
        loop {
            match self.conn.begin(TxMode::Write) {
                Ok(()) => return Ok(()),
                Err(e) if e.is_busy() && attempt < WRITE_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(25 * u64::from(attempt)));
                }
                Err(e) if e.is_busy() => {
                    let per_attempt =
                        u64::try_from(self.options.busy_timeout.as_millis()).unwrap_or(u64::MAX);
                    return Err(StoreError::Locked {
                        waited_ms: per_attempt.saturating_mul(u64::from(WRITE_ATTEMPTS)),
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn postgres_unsupported(location: &Location) -> StoreError {
    StoreError::Unavailable(format!(
        "{}: this warden build stores data in SQLite files only; pass --store PATH to a .db file",
        location.describe()
    ))
}

/// One open transaction: reads, changes and the audit record all go through it.
pub struct Tx<'c> {
    conn: &'c mut dyn Connection,
}

impl Tx<'_> {
    /// The underlying connection, for the store's own modules.
    pub(crate) fn conn(&mut self) -> &mut dyn Connection {
        self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_told_apart_from_paths() {
        assert!(matches!(
            Location::parse("postgres://u@h/db"),
            Location::Postgres(_)
        ));
        assert!(matches!(Location::parse("./x.db"), Location::Sqlite(_)));
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://ann:s3cret@db.example:5432/warden?sslmode=require"),
            "postgres://ann@db.example:5432/warden"
        );
        assert_eq!(redact_url("postgresql://h/db"), "postgresql://h/db");
        assert_eq!(redact_url("postgres://ann:pw@h"), "postgres://ann@h");
    }
}
