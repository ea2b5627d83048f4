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
mod apply_batch;
pub mod audit;
mod backend;
pub mod copy;
pub mod credentials;
pub mod error;
mod location;
pub mod migrate;
pub mod postgres;
mod postgres_conninfo;
mod postgres_error;
pub mod postgres_target;
mod postgres_tls;
pub mod read;
pub mod sql;
pub mod sqlite;
mod sqlite_file;
pub mod watch;
pub mod whole;

use std::time::Duration;

pub use audit::AuditDraft;
pub use error::StoreError;
pub use location::Location;
use sql::{CheckDepth, Connection, TxMode};

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
    backend: backend::Backend,
    options: StoreOptions,
    gate: WriteGate,
    /// Set while the store is a draft being built.
    draft: Option<backend::Draft>,
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
        let backend = backend::Backend::new(location)?;
        let migrations = backend.migrations();
        let known = migrate::latest(migrations);
        // A first look that writes nothing: nothing may be written to a store we refuse.
        let version = match backend.probe(&options)? {
            migrate::Found::Nothing => return Err(backend.nothing_here()),
            migrate::Found::Incomplete => {
                return Err(StoreError::Missing {
                    location: backend.describe(),
                });
            }
            migrate::Found::Foreign(tables) => {
                return Err(backend.foreign(&tables));
            }
            migrate::Found::Version(v) if v > known => {
                return Err(StoreError::TooNew {
                    location: backend.describe(),
                    found: v,
                    known,
                });
            }
            migrate::Found::Version(v) => v,
        };
        let conn = backend.connect(&options)?;
        let mut store = Store {
            conn,
            location: location.clone(),
            backend,
            options,
            gate: WriteGate::Unchecked,
            draft: None,
        };
        if version < known {
            if options.read_only {
                return Err(StoreError::Unavailable(format!(
                    "{} has schema version {version} and needs upgrading to {known}; open it once without --read-only",
                    store.backend.describe()
                )));
            }
            store.pass_write_gate()?;
            migrate::migrate(store.conn.as_mut(), migrations, version)?;
        }
        Ok(store)
    }

    /// Creates a new store at `location` with the current schema and nothing in it (no
    /// tenants, catalog or users). Refuses an existing store.
    pub fn create(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        Store::create_draft(location, options)?.publish()
    }

    /// Starts a new store with the current schema, not at `location` (or not marked
    /// complete there) until [`Store::publish`]: a process that dies while filling it leaves
    /// no store behind, only a draft the next creation clears. Refuses an existing store.
    pub fn create_draft(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        let backend = backend::Backend::new(location)?;
        let (mut conn, draft) = backend.start_draft(&options)?;
        if let Err(e) = migrate::migrate(conn.as_mut(), backend.migrations(), 0) {
            backend.discard(draft, conn);
            return Err(e);
        }
        Ok(Store {
            conn,
            location: location.clone(),
            backend,
            options,
            gate: WriteGate::Open,
            draft: Some(draft),
        })
    }

    /// Marks a finished draft complete and puts it in place (never over another store).
    pub fn publish(mut self) -> Result<Store, StoreError> {
        let marked = self.write(|tx| {
            let now = chrono::Utc::now().to_rfc3339();
            tx.set_meta(migrate::COMPLETE, &now)
        });
        let Store {
            conn,
            location,
            backend,
            options,
            draft,
            ..
        } = self;
        let Some(draft) = draft else {
            return Err(StoreError::Backend("only a draft can be published".into()));
        };
        if let Err(e) = marked {
            backend.discard(draft, conn);
            return Err(e);
        }
        let conn = backend.publish(draft, conn, &options)?;
        Ok(Store {
            conn,
            location,
            backend,
            options,
            gate: WriteGate::Open,
            draft: None,
        })
    }

    /// Abandons a draft: used when filling a new store fails, so nothing half-made is left.
    pub fn discard_new(self) {
        let Store {
            conn,
            backend,
            draft,
            ..
        } = self;
        if let Some(draft) = draft {
            backend.discard(draft, conn);
        }
    }

    /// Starts checking the store's pages on a thread of its own, fully (every index against
    /// its rows), so the first write (which waits for the verdict) does not pay for it: the
    /// console calls this as it opens a store.
    pub fn check_pages_in_background(&mut self) {
        if self.options.read_only || !matches!(self.gate, WriteGate::Unchecked) {
            return;
        }
        let backend::Backend::Sqlite(path) = &self.backend else {
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
                self.backend.describe(),
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

    /// Like [`Store::write`], but `body` decides whether to keep its work: it is committed
    /// when `body` returns `(value, true)` and rolled back on `(value, false)`.
    pub fn write_if<T, E: From<StoreError>>(
        &mut self,
        body: impl FnOnce(&mut Tx<'_>) -> Result<(T, bool), E>,
    ) -> Result<T, E> {
        if self.options.read_only {
            return Err(StoreError::ReadOnly.into());
        }
        self.begin_write()?;
        let mut tx = Tx {
            conn: self.conn.as_mut(),
        };
        match body(&mut tx) {
            Ok((value, true)) => match self.conn.commit() {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.conn.rollback();
                    Err(e.into())
                }
            },
            Ok((value, false)) => {
                self.conn.rollback()?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.rollback();
                Err(e)
            }
        }
    }

    fn transact<T, E: From<StoreError>>(
        &mut self,
        commit: bool,
        body: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_if(|tx| body(tx).map(|value| (value, commit)))
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

/// One open transaction: reads, changes and the audit record all go through it.
pub struct Tx<'c> {
    conn: &'c mut dyn Connection,
}

impl Tx<'_> {
    /// The underlying connection, for the store's own modules.
    pub(crate) fn conn(&mut self) -> &mut dyn Connection {
        self.conn
    }

    /// Marks a point inside the transaction that [`Tx::roll_back_to_mark`] returns to: one
    /// row of an import can fail and leave the rows before it as they were. Marks do not
    /// nest; each replaces the last.
    pub fn mark(&mut self) -> Result<(), StoreError> {
        self.conn.batch("SAVEPOINT warden_item")
    }

    /// Keeps everything since the last [`Tx::mark`] (still inside the transaction).
    pub fn keep_since_mark(&mut self) -> Result<(), StoreError> {
        self.conn.batch("RELEASE SAVEPOINT warden_item")
    }

    /// Undoes everything since the last [`Tx::mark`], and the mark with it.
    pub fn roll_back_to_mark(&mut self) -> Result<(), StoreError> {
        self.conn
            .batch("ROLLBACK TO SAVEPOINT warden_item; RELEASE SAVEPOINT warden_item")
    }
}
