//! What differs between the backends when a store is opened or created, and nothing else:
//! connecting, a read-only first look, which migrations apply, how a new store is built so it
//! appears whole (a draft file moved into place; a schema marked complete last), and how an
//! abandoned one is cleared. Everything else (version checks, migrating, the write gate,
//! transactions) is written once, over [`Connection`], in `mod.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use super::error::StoreError;
use super::migrate::{self, Found, Migration};
use super::postgres::{PgConnection, quote_ident};
use super::postgres_target::PgTarget;
use super::sql::{Connection, Param};
use super::{Location, StoreOptions, sqlite, sqlite_file};

/// A store's backend and where it is.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(Arc<PgTarget>),
}

/// A new store being built, until it is published or discarded.
#[derive(Debug)]
pub enum Draft {
    /// A hidden file beside the target.
    Sqlite(sqlite_file::Draft),
    /// Tables in the target schema, not yet marked complete; `created_schema` when this
    /// creation made the schema itself (discarding then drops it).
    Postgres { created_schema: bool },
}

/// The first key of the session lock one creation holds on a schema (the second is the
/// schema's): a second creation waits for none and is refused, and the lock of a creation
/// whose process died went with its session, so its leftovers may be cleared.
const CREATE_LOCK_CLASS: i64 = 0x5743_5254; // "WCRT"

impl Backend {
    pub fn new(location: &Location) -> Result<Backend, StoreError> {
        Ok(match location {
            Location::Sqlite(path) => Backend::Sqlite(path.clone()),
            Location::Postgres { conninfo, schema } => {
                Backend::Postgres(Arc::new(PgTarget::parse(conninfo, schema.as_deref())?))
            }
        })
    }

    /// How the store is named in messages: a path, or a URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Backend::Sqlite(path) => path.display().to_string(),
            Backend::Postgres(target) => target.describe(),
        }
    }

    pub fn migrations(&self) -> &'static [Migration] {
        match self {
            Backend::Sqlite(_) => migrate::SQLITE,
            Backend::Postgres(_) => migrate::POSTGRES,
        }
    }

    /// Whether finished stores carry the [`migrate::COMPLETE`] mark (where a store cannot be
    /// built elsewhere and moved into place).
    pub fn marks_completion(&self) -> bool {
        matches!(self, Backend::Postgres(_))
    }

    /// A first look that changes nothing, and what it finds.
    pub fn probe(&self, options: &StoreOptions) -> Result<Found, StoreError> {
        let mut conn: Box<dyn Connection> = match self {
            Backend::Sqlite(path) => {
                sqlite_file::check_file(path)?;
                Box::new(sqlite::SqliteConnection::probe(path, options.busy_timeout)?)
            }
            Backend::Postgres(target) => Box::new(PgConnection::connect(
                Arc::clone(target),
                options.busy_timeout,
            )?),
        };
        migrate::found(conn.as_mut(), self.marks_completion())
    }

    /// The connection a store works through.
    pub fn connect(&self, options: &StoreOptions) -> Result<Box<dyn Connection>, StoreError> {
        Ok(match self {
            Backend::Sqlite(path) if options.read_only => Box::new(
                sqlite::SqliteConnection::open_for_reading(path, options.busy_timeout)?,
            ),
            Backend::Sqlite(path) => Box::new(sqlite::SqliteConnection::open(
                path,
                false,
                options.busy_timeout,
            )?),
            Backend::Postgres(target) => Box::new(PgConnection::connect(
                Arc::clone(target),
                options.busy_timeout,
            )?),
        })
    }

    /// What an empty location means: a SQLite file that exists is some other database; an
    /// empty schema is simply no store yet.
    pub fn nothing_here(&self) -> StoreError {
        match self {
            Backend::Sqlite(path) => StoreError::NotAStore {
                location: path.display().to_string(),
                reason: "a SQLite database without a warden schema".into(),
            },
            Backend::Postgres(_) => StoreError::Missing {
                location: self.describe(),
            },
        }
    }

    /// Starts a new store: a connection to build it through (no schema yet) and the draft.
    /// Refuses where a store already is, or where tables warden did not create are.
    pub fn start_draft(
        &self,
        options: &StoreOptions,
    ) -> Result<(Box<dyn Connection>, Draft), StoreError> {
        match self {
            Backend::Sqlite(path) => {
                let draft = sqlite_file::Draft::start(path)?;
                let opened =
                    sqlite::SqliteConnection::open(&draft.path, false, options.busy_timeout)
                        .and_then(|mut conn| {
                            conn.configure_for_building()?;
                            Ok(conn)
                        });
                match opened {
                    Ok(conn) => Ok((Box::new(conn), Draft::Sqlite(draft))),
                    Err(e) => {
                        draft.discard();
                        Err(e)
                    }
                }
            }
            Backend::Postgres(target) => {
                let mut conn = PgConnection::connect(Arc::clone(target), options.busy_timeout)?;
                let schema = target.schema.clone();
                let locked = conn.query(
                    "SELECT pg_try_advisory_lock(?, hashtext(?))",
                    &[Param::Int(CREATE_LOCK_CLASS), Param::Text(&schema)],
                )?;
                if locked.first().map(|r| r.bool(0)).transpose()? != Some(true) {
                    return Err(StoreError::Unavailable(format!(
                        "another warden is creating a store at {} right now; try again when it has finished",
                        self.describe()
                    )));
                }
                let exists = conn.query(
                    "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = ?",
                    &[Param::Text(&schema)],
                )?;
                let created_schema = exists.first().map(|r| r.int(0)).transpose()? == Some(0);
                if created_schema {
                    conn.batch(&format!("CREATE SCHEMA {}", quote_ident(&schema)))?;
                }
                match migrate::found(&mut conn, true)? {
                    Found::Nothing => {}
                    // A creation that never finished (its process died): warden's tables,
                    // no mark. Clear them and start again.
                    Found::Incomplete => drop_tables(&mut conn)?,
                    Found::Version(_) => {
                        return Err(StoreError::AlreadyExists {
                            location: self.describe(),
                        });
                    }
                    Found::Foreign(tables) => return Err(self.foreign(&tables)),
                }
                Ok((Box::new(conn), Draft::Postgres { created_schema }))
            }
        }
    }

    /// Puts a finished draft in place (never over another store). `conn` is the draft's
    /// connection: closed first for a file; for a schema, the mark was already committed
    /// through it and it goes on serving the store.
    pub fn publish(
        &self,
        draft: Draft,
        conn: Box<dyn Connection>,
        options: &StoreOptions,
    ) -> Result<Box<dyn Connection>, StoreError> {
        match (self, draft) {
            (Backend::Sqlite(path), Draft::Sqlite(draft)) => {
                drop(conn);
                if let Err(e) = draft.publish() {
                    draft.discard();
                    return Err(e);
                }
                let mut conn = sqlite::SqliteConnection::open(path, false, options.busy_timeout)?;
                conn.configure_for_writing()?;
                Ok(Box::new(conn))
            }
            (Backend::Postgres(target), Draft::Postgres { .. }) => {
                // The creation's session lock is released by a fresh connection: the one that
                // built the store keeps nothing of the creation.
                drop(conn);
                Ok(Box::new(PgConnection::connect(
                    Arc::clone(target),
                    options.busy_timeout,
                )?))
            }
            _ => Err(StoreError::Backend(
                "a draft published to another backend".into(),
            )),
        }
    }

    /// Removes what a draft built.
    pub fn discard(&self, draft: Draft, mut conn: Box<dyn Connection>) {
        match draft {
            Draft::Sqlite(draft) => {
                drop(conn);
                draft.discard();
            }
            Draft::Postgres { created_schema } => {
                let _ = conn.rollback();
                if created_schema {
                    if let Backend::Postgres(target) = self {
                        let _ = conn.batch(&format!(
                            "DROP SCHEMA {} CASCADE",
                            quote_ident(&target.schema)
                        ));
                    }
                } else {
                    let _ = drop_tables(conn.as_mut());
                }
            }
        }
    }
}

/// Drops every table (and the view) of the store's schema: only ever called on one holding
/// nothing but an unfinished warden store.
fn drop_tables(conn: &mut dyn Connection) -> Result<(), StoreError> {
    let tables = conn.tables()?;
    conn.batch("DROP VIEW IF EXISTS effective_permissions")?;
    if !tables.is_empty() {
        let names: Vec<String> = tables.iter().map(|t| quote_ident(t)).collect();
        conn.batch(&format!(
            "DROP TABLE IF EXISTS {} CASCADE",
            names.join(", ")
        ))?;
    }
    Ok(())
}

impl Backend {
    /// The refusal for a location holding tables warden did not create.
    pub fn foreign(&self, tables: &[String]) -> StoreError {
        let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
        let more = tables.len().saturating_sub(shown.len());
        let listed = format!(
            "{}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        StoreError::NotAStore {
            location: self.describe(),
            reason: match self {
                Backend::Sqlite(_) => {
                    format!("a SQLite database without a warden schema; it holds {listed}")
                }
                Backend::Postgres(target) => format!(
                    "its schema {} holds tables warden did not create: {listed}; a store needs a schema of its own (name another with --schema NAME)",
                    target.schema
                ),
            },
        }
    }
}
