//! The whole store, table by table, the same on every backend: every row of every table in a
//! stable order (for `warden copy` and for comparing two stores), and writing rows back with
//! their ids (a copy keeps ids, so the audit chain and every reference stay as they were).

use super::Tx;
use super::error::StoreError;
use super::sql::{Param, Row, Value};

/// The store's tables, in an order where a table comes after every table it refers to: the
/// order a copy inserts them in.
pub const TABLES: [&str; 20] = [
    "meta",
    "settings",
    "tenants",
    "stages",
    "apps",
    "users",
    "peer_operators",
    "permissions",
    "implications",
    "roles",
    "role_grants",
    "role_includes",
    "groups",
    "group_members",
    "group_roles",
    "assignments",
    "audit",
    "password_history",
    "sign_ins",
    "api_tokens",
];

/// The tables whose `id` the database numbers (a copy must leave their numbering ahead of
/// the ids it wrote).
pub const NUMBERED: [&str; 10] = [
    "tenants",
    "stages",
    "apps",
    "users",
    "permissions",
    "roles",
    "groups",
    "audit",
    "password_history",
    "sign_ins",
];

impl Tx<'_> {
    /// The columns of `table`, in their defined order.
    pub fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        self.conn().columns(table)
    }

    /// Every row of `table`, ordered by all its columns (so two stores holding the same rows
    /// list them alike), handed to `each` one at a time.
    pub fn each_row(
        &mut self,
        table: &str,
        columns: &[String],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let list = columns.join(", ");
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let sql = format!("SELECT {list} FROM {table} ORDER BY {}", order.join(", "));
        self.conn().query_each(&sql, &[], each)
    }

    /// Inserts rows into `table` exactly as given, ids included.
    pub fn insert_rows(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Row],
    ) -> Result<(), StoreError> {
        let placeholders = vec!["?"; columns.len()].join(", ");
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({placeholders})",
            columns.join(", ")
        );
        for row in rows {
            let params: Vec<Param<'_>> = row
                .0
                .iter()
                .map(|v| match v {
                    Value::Null => Param::Null,
                    Value::Int(i) => Param::Int(*i),
                    Value::Text(t) => Param::Text(t),
                })
                .collect();
            self.conn().execute(&sql, &params)?;
        }
        Ok(())
    }

    /// After ids were written as they are: the database's numbering goes on after them.
    pub fn renumber_after_copy(&mut self) -> Result<(), StoreError> {
        for table in NUMBERED {
            self.conn().advance_numbering(table)?;
        }
        Ok(())
    }
}
