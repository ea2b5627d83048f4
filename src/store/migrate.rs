//! Schema versions. Each migration is a SQL file under `assets/migrations/<backend>/` (the same
//! numbers and the same rules for every backend), applied in its own transaction together with
//! the new version number in `meta`. What is found at a location ([`Found`]) decides, for every
//! backend alike, whether it is no store, someone else's, an interrupted creation, or a store
//! of some version; one higher than the newest migration was written by a newer warden and is
//! refused before anything is written to it.

use super::error::StoreError;
use super::sql::{Connection, Param, TxMode};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The SQLite migrations, oldest first.
pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../../assets/migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "effective_permissions view",
        sql: include_str!("../../assets/migrations/sqlite/0002_effective_permissions.sql"),
    },
    Migration {
        version: 3,
        name: "credentials",
        sql: include_str!("../../assets/migrations/sqlite/0003_credentials.sql"),
    },
    Migration {
        version: 4,
        name: "index of members without a password",
        sql: include_str!("../../assets/migrations/sqlite/0004_stranded_members_index.sql"),
    },
    Migration {
        version: 5,
        name: "the newest change kept for undo",
        sql: include_str!("../../assets/migrations/sqlite/0005_undo.sql"),
    },
    Migration {
        version: 6,
        name: "index of groups by name",
        sql: include_str!("../../assets/migrations/sqlite/0006_groups_by_name.sql"),
    },
];

/// The PostgreSQL migrations, oldest first: the same versions as [`SQLITE`].
pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../../assets/migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "effective_permissions view",
        sql: include_str!("../../assets/migrations/postgres/0002_effective_permissions.sql"),
    },
    Migration {
        version: 3,
        name: "credentials",
        sql: include_str!("../../assets/migrations/postgres/0003_credentials.sql"),
    },
    Migration {
        version: 4,
        name: "index of members without a password",
        sql: include_str!("../../assets/migrations/postgres/0004_stranded_members_index.sql"),
    },
    Migration {
        version: 5,
        name: "the newest change kept for undo",
        sql: include_str!("../../assets/migrations/postgres/0005_undo.sql"),
    },
    Migration {
        version: 6,
        name: "index of groups by name",
        sql: include_str!("../../assets/migrations/postgres/0006_groups_by_name.sql"),
    },
];

/// The `meta` key a finished store carries: a store is created whole, and where it cannot be
/// built elsewhere and moved into place (a database schema), one without this mark is an
/// interrupted creation.
pub const COMPLETE: &str = "store_complete";

/// What a location holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// No tables at all.
    Nothing,
    /// Tables, but not warden's: their names.
    Foreign(Vec<String>),
    /// A warden schema whose creation never finished.
    Incomplete,
    /// A warden store at this schema version.
    Version(i64),
}

/// What `conn` holds. `marked` says whether this backend marks finished stores (see
/// [`COMPLETE`]); where it does not, every warden schema counts as finished.
pub fn found(conn: &mut dyn Connection, marked: bool) -> Result<Found, StoreError> {
    let tables = conn.tables()?;
    if tables.is_empty() {
        return Ok(Found::Nothing);
    }
    if !tables.iter().any(|t| t == "meta") {
        return Ok(Found::Foreign(tables));
    }
    let Some(version) = recorded_version(conn)? else {
        return Ok(Found::Foreign(tables));
    };
    if marked {
        let rows = conn.query(
            "SELECT value FROM meta WHERE key = ?",
            &[Param::Text(COMPLETE)],
        )?;
        if rows.is_empty() {
            return Ok(Found::Incomplete);
        }
    }
    Ok(Found::Version(version))
}

/// The newest schema version this build knows.
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// The version recorded in a store's `meta` table, if any.
fn recorded_version(conn: &mut dyn Connection) -> Result<Option<i64>, StoreError> {
    let rows = conn.query("SELECT value FROM meta WHERE key = 'schema_version'", &[])?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let text = row.text(0)?;
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("schema version {text:?} is not a number")))
}

/// Applies every migration newer than `from`, each in its own transaction.
pub fn migrate(
    conn: &mut dyn Connection,
    migrations: &[Migration],
    from: i64,
) -> Result<(), StoreError> {
    for migration in migrations.iter().filter(|m| m.version > from) {
        conn.begin(TxMode::Write)?;
        let result = apply_one(conn, migration);
        match result {
            Ok(()) => conn.commit()?,
            Err(e) => {
                let _ = conn.rollback();
                return Err(e);
            }
        }
    }
    Ok(())
}

fn apply_one(conn: &mut dyn Connection, migration: &Migration) -> Result<(), StoreError> {
    conn.batch(migration.sql).map_err(|e| {
        StoreError::Backend(format!(
            "migration {} ({}) failed: {e}",
            migration.version, migration.name
        ))
    })?;
    let version = migration.version.to_string();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[Param::Text(&version)],
    )?;
    Ok(())
}
