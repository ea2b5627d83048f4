//! The narrow interface between the store's SQL (written once, in `read/`, `apply.rs`,
//! `audit.rs`) and a database driver. A driver runs statements with positional `?` parameters
//! and returns rows of three value types; integers cover ids, counts, flags and timestamps.
//!
//! The contract every driver honours, and the store relies on:
//! - a read transaction sees one consistent snapshot;
//! - **writers are serialized**: a write transaction holds, from its start to its end, a lock
//!   no other write transaction on the same store can hold (SQLite: `BEGIN IMMEDIATE`;
//!   PostgreSQL: a transaction-scoped advisory lock per schema). The audit chain appends
//!   read-then-insert, lockout admission counts, and the post-conditions compare before and
//!   after, all assuming it; waiting for the lock is bounded, and running out of patience is
//!   [`StoreError::Locked`];
//! - a failed statement leaves the transaction for the caller to roll back, with nothing kept;
//! - every driver error arrives as a [`StoreError`] (never a driver type), naming the store by
//!   its description and never a password.

use super::error::StoreError;

/// A statement parameter, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Int(i64::from(v))
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

/// A column value read back.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// One result row. Accessors report a type mismatch as a damaged store rather than panicking:
/// the file may have been edited by something other than warden.
#[derive(Clone, Debug, Default)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Backend(format!("row has no column {i}")))
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.get(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(mismatch(i, "an integer", other)),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            other => Err(mismatch(i, "an integer or null", other)),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        Ok(self.int(i)? != 0)
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.get(i)? {
            Value::Text(v) => Ok(v.clone()),
            other => Err(mismatch(i, "text", other)),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            other => Err(mismatch(i, "text or null", other)),
        }
    }
}

fn mismatch(i: usize, wanted: &str, got: &Value) -> StoreError {
    StoreError::Corrupt(format!(
        "column {i} holds {got:?} where {wanted} was expected"
    ))
}

/// How a transaction begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxMode {
    /// A consistent snapshot for several reads.
    Read,
    /// Exclusive among writers from the first statement (SQLite `BEGIN IMMEDIATE`).
    Write,
}

/// How thoroughly [`Connection::damaged_pages`] looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckDepth {
    /// Once per process before its first write: every page's structure, and every index of
    /// the tables that do not grow with the users against its rows (about 0.1 s for 100,000
    /// users).
    BeforeWriting,
    /// Every page and every index (about 0.35 s for 100,000 users): `warden store check`, and
    /// the console, which runs it beside the sign-in.
    Full,
}

/// A database connection that can run the store's SQL.
pub trait Connection: Send {
    /// Runs one or more statements without parameters (migrations, pragmas).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs one statement; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError>;
    /// Runs one query and returns every row.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut rows = Vec::new();
        self.query_each(sql, params, &mut |row| {
            rows.push(row.clone());
            Ok(())
        })?;
        Ok(rows)
    }
    /// Runs one query and hands each row to `each`; for large result sets.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    fn begin(&mut self, mode: TxMode) -> Result<(), StoreError>;
    fn commit(&mut self) -> Result<(), StoreError>;
    fn rollback(&mut self) -> Result<(), StoreError>;
    /// Sets the connection up for writing; called once, before the first write transaction
    /// (and only once the store's pages were found sound).
    fn prepare_for_writing(&mut self) -> Result<(), StoreError>;
    /// Damage to the database's own storage (pages, indexes), one line per problem (the
    /// first few); empty when sound. Run outside any transaction.
    fn damaged_pages(&mut self, depth: CheckDepth) -> Result<Vec<String>, StoreError>;
    /// Rows that refer to a row that is not there, one line each; empty when none.
    fn broken_references(&mut self) -> Result<Vec<String>, StoreError>;
    /// The tables of the store's namespace (the file, or the schema), by name.
    fn tables(&mut self) -> Result<Vec<String>, StoreError>;
    /// The columns of a table of the store, in their defined order.
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError>;
    /// Makes the database number new rows of `table` after the largest `id` it holds (after
    /// rows were written with their ids).
    fn advance_numbering(&mut self, table: &str) -> Result<(), StoreError>;
    /// Inserts one row into `table` (whose `id` column the database numbers) and returns its
    /// id: `id` when given (undo re-creating a deleted row with its old id; the numbering
    /// must then stay ahead of it), else the next one.
    fn insert_returning_id(
        &mut self,
        table: &str,
        columns: &[&str],
        params: &[Param<'_>],
        id: Option<i64>,
    ) -> Result<i64, StoreError>;
}

/// `INSERT INTO table ([id,] columns) VALUES (...) RETURNING id`, the part every backend
/// shares of [`Connection::insert_returning_id`].
pub fn insert_row(
    conn: &mut dyn Connection,
    table: &str,
    columns: &[&str],
    params: &[Param<'_>],
    id: Option<i64>,
) -> Result<i64, StoreError> {
    let mut names: Vec<&str> = Vec::with_capacity(columns.len() + 1);
    let mut values: Vec<Param<'_>> = Vec::with_capacity(params.len() + 1);
    if let Some(id) = id {
        names.push("id");
        values.push(Param::Int(id));
    }
    names.extend_from_slice(columns);
    values.extend_from_slice(params);
    let placeholders = vec!["?"; names.len()].join(", ");
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({placeholders}) RETURNING id",
        names.join(", ")
    );
    conn.query(&sql, &values)?
        .first()
        .ok_or_else(|| StoreError::Backend(format!("inserting into {table} returned no id")))?
        .int(0)
}
