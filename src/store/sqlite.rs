//! The SQLite driver: file checks and creation (mode 0600), connection setup (WAL, foreign keys,
//! busy timeout), statement caching, and the one mapping from SQLite error codes to
//! [`StoreError`].

use std::fs::{DirBuilder, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ErrorCode, OpenFlags};

use super::error::StoreError;
use super::sql::{Connection, Param, Row, TxMode, Value};

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

pub struct SqliteConnection {
    conn: rusqlite::Connection,
    path: PathBuf,
    busy_timeout: Duration,
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Param::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

/// Checks that `path` exists and starts like a SQLite database, without opening it.
pub fn check_file(path: &Path) -> Result<(), StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(StoreError::Unavailable(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "it is a directory".into(),
        });
    }
    let mut header = [0u8; 16];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => {
                return Err(StoreError::Unavailable(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        }
    }
    if filled < header.len() || &header != SQLITE_HEADER {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: if filled == 0 {
                "the file is empty".into()
            } else {
                "not a SQLite database".into()
            },
        });
    }
    Ok(())
}

/// Creates an empty file readable and writable by its owner only, creating missing parent
/// directories (mode 0700). Refuses if anything is already at `path`.
pub fn create_file(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            let mut builder = DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(parent).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(StoreError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(StoreError::Unavailable(format!(
                "cannot create {}: {e}",
                path.display()
            )));
        }
    }
    // The umask can only remove bits; set the mode explicitly anyway so it is exactly 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            StoreError::Unavailable(format!("cannot set the mode of {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

impl SqliteConnection {
    /// Opens an existing database. Read-only connections never write to the file, which is what
    /// lets warden inspect a store it must refuse (newer schema) without changing a byte.
    pub fn open(path: &Path, read_only: bool, busy_timeout: Duration) -> Result<Self, StoreError> {
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = rusqlite::Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        let mut this = SqliteConnection {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
        };
        this.conn
            .busy_timeout(busy_timeout)
            .map_err(|e| this.map_err(e))?;
        this.conn.set_prepared_statement_cache_capacity(256);
        // A page cache that holds a 100,000-user store (about 40 MiB; memory is taken only as
        // pages are read), so a console load that walks the users twice reads them from disk
        // once. (Not mmap: an I/O error on a mapped file is a SIGBUS, not an error message.)
        this.batch("PRAGMA cache_size = -65536;")?;
        Ok(this)
    }

    /// Connection settings for a writable store. Called after the version check, because
    /// switching to WAL rewrites the file header.
    pub fn configure_for_writing(&mut self) -> Result<(), StoreError> {
        self.batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| self.map_err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "{} could not be switched to WAL mode (it is in {mode} mode)",
                self.path.display()
            )));
        }
        Ok(())
    }

    fn map_err(&self, e: rusqlite::Error) -> StoreError {
        let rusqlite::Error::SqliteFailure(failure, message) = &e else {
            return StoreError::Backend(e.to_string());
        };
        let detail = message.clone().unwrap_or_else(|| failure.to_string());
        match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked {
                waited_ms: u64::try_from(self.busy_timeout.as_millis()).unwrap_or(u64::MAX),
            },
            ErrorCode::NotADatabase => StoreError::NotAStore {
                path: self.path.clone(),
                reason: "not a SQLite database".into(),
            },
            ErrorCode::DatabaseCorrupt => StoreError::Corrupt(format!(
                "{} is damaged ({detail}); restore it from a backup",
                self.path.display()
            )),
            ErrorCode::ReadOnly => StoreError::Unavailable(format!(
                "{} cannot be written ({detail}); check the file's owner and mode",
                self.path.display()
            )),
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::SystemIoFailure => {
                StoreError::Unavailable(format!("{}: {detail}", self.path.display()))
            }
            ErrorCode::DiskFull => {
                StoreError::Unavailable(format!("the disk holding {} is full", self.path.display()))
            }
            ErrorCode::ConstraintViolation => StoreError::Conflict(detail),
            _ => StoreError::Backend(detail),
        }
    }
}

/// Copies a row into `out`, reusing the text buffers of the previous row: a walk over 100,000
/// users then allocates per column once, not once per row.
fn read_row(row: &rusqlite::Row<'_>, columns: usize, out: &mut Row) -> rusqlite::Result<()> {
    out.0.truncate(columns);
    out.0.resize_with(columns, || Value::Null);
    for (i, slot) in out.0.iter_mut().enumerate() {
        match row.get_ref(i)? {
            ValueRef::Null => *slot = Value::Null,
            ValueRef::Integer(v) => *slot = Value::Int(v),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                match slot {
                    Value::Text(kept) => {
                        kept.clear();
                        kept.push_str(&text);
                    }
                    other => *other = Value::Text(text.into_owned()),
                }
            }
            ValueRef::Real(v) => *slot = Value::Text(v.to_string()),
        }
    }
    Ok(())
}

impl Connection for SqliteConnection {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| self.map_err(e))
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let result = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(params.iter())));
        match result {
            Ok(n) => Ok(n as u64),
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut rows = Vec::new();
        self.query_each(sql, params, &mut |row| {
            rows.push(row.clone());
            Ok(())
        })?;
        Ok(rows)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut callback_error = None;
        let result = (|| -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            let mut buffer = Row(Vec::with_capacity(columns));
            while let Some(row) = rows.next()? {
                read_row(row, columns, &mut buffer)?;
                if let Err(e) = each(&buffer) {
                    callback_error = Some(e);
                    break;
                }
            }
            Ok(())
        })();
        if let Some(e) = callback_error {
            return Err(e);
        }
        result.map_err(|e| self.map_err(e))
    }

    fn begin(&mut self, mode: TxMode) -> Result<(), StoreError> {
        self.batch(match mode {
            TxMode::Read => "BEGIN DEFERRED",
            TxMode::Write => "BEGIN IMMEDIATE",
        })
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.batch("ROLLBACK")
    }
}
