//! The whole store, table by table, the same on every backend: every row of every table in a
//! stable order (for `warden copy` and for comparing two stores), and writing rows back with
//! their ids (a copy keeps ids, so the audit chain and every reference stay as they were).

use super::Tx;
use super::error::StoreError;
use super::sql::{Param, Row, Value};

/// The store's tables, in an order where a table comes after every table it refers to: the
/// order a copy inserts them in.
pub const TABLES: [&str; 21] = [
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
    "undo_changes",
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

    /// Every row of `table`, ordered by all its columns (NULLs first, as SQLite puts them;
    /// text in each backend's own collation), handed to `each` one at a time.
    pub fn each_row(
        &mut self,
        table: &str,
        columns: &[String],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let list = columns.join(", ");
        let order: Vec<String> = (1..=columns.len())
            .map(|i| format!("{i} NULLS FIRST"))
            .collect();
        let sql = format!("SELECT {list} FROM {table} ORDER BY {}", order.join(", "));
        self.conn().query_each(&sql, &[], each)
    }

    /// Inserts rows into `table` exactly as given, ids included, many to a statement.
    pub fn insert_rows(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Row],
    ) -> Result<(), StoreError> {
        // Well under both backends' limits on parameters per statement.
        let per_statement = (30_000 / columns.len().max(1)).clamp(1, 1_000);
        let row_placeholders = format!("({})", vec!["?"; columns.len()].join(", "));
        for chunk in rows.chunks(per_statement) {
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {}",
                columns.join(", "),
                vec![row_placeholders.as_str(); chunk.len()].join(", ")
            );
            let params: Vec<Param<'_>> = chunk
                .iter()
                .flat_map(|row| row.0.iter())
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

    /// Removes every row of `table` (a copy's target, before the source's rows go in).
    pub fn delete_all(&mut self, table: &str) -> Result<(), StoreError> {
        self.conn().execute(&format!("DELETE FROM {table}"), &[])?;
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
