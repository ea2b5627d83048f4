//! Reads inside a transaction, one file per part of the domain. Each entity has one column list
//! and one row mapper, so every query that returns it agrees on its shape.

mod graph;
mod groups;
mod org;
mod permissions;
mod roles;
mod users;
mod whole;

use super::Tx;
use super::error::StoreError;
use super::sql::{Param, Row};
use crate::model::{Timestamp, Vocabulary};

pub use groups::GroupSummary;
pub use org::Usage;
pub use roles::RoleSummary;
pub(crate) use users::{USER_COLUMNS, user as user_row};

/// `WHERE`-clause fragment matching a nullable scope column against a nullable parameter,
/// written so both SQLite and PostgreSQL accept it and the COALESCE unique indexes apply.
pub(crate) const SAME_STAGE: &str = "COALESCE(stage_id, 0) = COALESCE(CAST(? AS BIGINT), 0)";
pub(crate) const SAME_APP: &str = "COALESCE(app_id, 0) = COALESCE(CAST(? AS BIGINT), 0)";

pub(crate) fn vocab<V: Vocabulary>(row: &Row, i: usize) -> Result<V, StoreError> {
    V::parse(&row.text(i)?).map_err(StoreError::Corrupt)
}

fn time(row: &Row, i: usize) -> Result<Timestamp, StoreError> {
    row.int(i).map(Timestamp)
}

fn opt_time(row: &Row, i: usize) -> Result<Option<Timestamp>, StoreError> {
    Ok(row.opt_int(i)?.map(Timestamp))
}

impl Tx<'_> {
    /// Runs a query and maps every row.
    pub(crate) fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        map: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        self.conn().query_each(sql, params, &mut |row| {
            out.push(map(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs a query expected to return at most one row.
    pub(crate) fn row<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        map: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.rows(sql, params, map)?.into_iter().next())
    }

    /// Runs a `SELECT count(*)`-shaped query.
    pub(crate) fn count(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        Ok(self.row(sql, params, |r| r.int(0))?.unwrap_or(0))
    }

    /// Moves whenever anyone commits a change (an audit record) or a sign-in attempt (the
    /// lockout timeline): what a console compares to know its data is stale.
    pub fn change_marker(&mut self) -> Result<(i64, i64), StoreError> {
        Ok(self
            .row(
                "SELECT (SELECT COALESCE(max(id), 0) FROM audit),
                        (SELECT COALESCE(max(id), 0) FROM sign_ins)",
                &[],
                |r| Ok((r.int(0)?, r.int(1)?)),
            )?
            .unwrap_or((0, 0)))
    }

    /// A value from the `meta` table.
    pub fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.row("SELECT value FROM meta WHERE key = ?", &[key.into()], |r| {
            r.text(0)
        })
    }

    /// Sets a value in the `meta` table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), value.into()],
        )?;
        Ok(())
    }
}
