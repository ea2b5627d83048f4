//! The store: where users, groups, roles and permissions live. [`Store`] opens or creates a
//! database (SQLite now; the SQL is written once over [`sql::Connection`] so a second backend
//! plugs in the same code), checks and migrates its schema, and runs closures inside read or
//! write transactions. A [`Tx`] offers the reads (`read/`), applies [`Change`]s (`apply.rs`) and
//! appends the hash-chained audit record (`audit.rs`), all inside that one transaction.
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

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use audit::AuditDraft;
pub use error::StoreError;
use sql::{Connection, TxMode};

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
        sqlite::check_file(path)?;
        // Inspect through a read-only connection first: nothing may write to a store we refuse.
        let version = {
            let mut probe = sqlite::SqliteConnection::open(path, true, options.busy_timeout)?;
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
        let mut conn =
            sqlite::SqliteConnection::open(path, options.read_only, options.busy_timeout)?;
        if version < known {
            if options.read_only {
                return Err(StoreError::Unavailable(format!(
                    "{} has schema version {version} and needs upgrading to {known}; open it once without --read-only",
                    path.display()
                )));
            }
            conn.configure_for_writing()?;
            migrate::migrate(&mut conn, migrate::SQLITE, version)?;
        } else if !options.read_only {
            conn.configure_for_writing()?;
        }
        Ok(Store {
            conn: Box::new(conn),
            location: location.clone(),
            options,
        })
    }

    /// Creates a new, empty store with the current schema (no tenants, catalog or users: the
    /// service's `init` fills those in one audited transaction). Refuses an existing path.
    pub fn create(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        let Location::Sqlite(path) = location else {
            return Err(postgres_unsupported(location));
        };
        sqlite::create_file(path)?;
        let created = (|| {
            let mut conn = sqlite::SqliteConnection::open(path, false, options.busy_timeout)?;
            conn.configure_for_writing()?;
            migrate::migrate(&mut conn, migrate::SQLITE, 0)?;
            Ok(conn)
        })();
        match created {
            Ok(conn) => Ok(Store {
                conn: Box::new(conn),
                location: location.clone(),
                options,
            }),
            Err(e) => {
                // Leave nothing half-made behind.
                let _ = std::fs::remove_file(path);
                Err(e)
            }
        }
    }

    /// Closes a store this process just created and removes its files: used when filling a new
    /// store fails, so no half-made store is left behind.
    pub fn discard_new(self) {
        let location = self.location.clone();
        drop(self);
        if let Location::Sqlite(path) = location {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
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
