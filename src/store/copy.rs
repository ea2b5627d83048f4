//! `warden copy`: a whole store moved to another location, any backend to any backend, every
//! tenant, every row with its id, the audit chain as it is (so it verifies, and ends at the
//! same head hash, on the other side). The target is created whole or not at all, like any
//! new store; the source is read in one snapshot and never written.

use serde::Serialize;

use super::error::StoreError;
use super::sql::Row;
use super::whole::TABLES;
use super::{Location, Store, StoreOptions};

/// What a copy moved.
#[derive(Clone, Debug, Serialize)]
pub struct CopyReport {
    pub from: String,
    pub to: String,
    /// `(table, rows)` for every table, in copy order.
    pub tables: Vec<(String, u64)>,
    pub rows: u64,
}

/// How many rows are read from the source before they are written to the target.
const BATCH: usize = 5_000;

/// Copies the store at `from` to a new store at `to`.
pub fn copy(
    from: &Location,
    to: &Location,
    options: StoreOptions,
) -> Result<CopyReport, StoreError> {
    let mut source = Store::open(
        from,
        StoreOptions {
            read_only: true,
            ..options
        },
    )?;
    let mut target = Store::create_draft(to, options)?;
    let copied = fill(&mut source, &mut target);
    let tables = match copied {
        Ok(tables) => tables,
        Err(e) => {
            target.discard_new();
            return Err(e);
        }
    };
    target.publish()?;
    let rows = tables.iter().map(|(_, n)| n).sum();
    Ok(CopyReport {
        from: from.describe(),
        to: to.describe(),
        tables,
        rows,
    })
}

/// Every table of `source`, read in one snapshot, written to the draft in one transaction
/// (replacing the schema-only rows the draft was born with).
fn fill(source: &mut Store, target: &mut Store) -> Result<Vec<(String, u64)>, StoreError> {
    source.read(|from| {
        target.write(|to| {
            let mut counts = Vec::with_capacity(TABLES.len());
            for table in TABLES {
                let columns = from.columns(table)?;
                if columns != to.columns(table)? {
                    return Err(StoreError::Backend(format!(
                        "the table {table} has other columns on the two sides: copy needs both at the same schema version"
                    )));
                }
                // The draft's own rows (its schema version) give way to the source's.
                to.delete_all(table)?;
                let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
                let mut count = 0u64;
                let mut failed = None;
                from.each_row(table, &columns, &mut |row| {
                    batch.push(row.clone());
                    count += 1;
                    if batch.len() == BATCH {
                        if let Err(e) = to.insert_rows(table, &columns, &batch) {
                            failed = Some(e);
                            return Err(StoreError::Backend("stopped".into()));
                        }
                        batch.clear();
                    }
                    Ok(())
                })
                .map_err(|e| failed.take().unwrap_or(e))?;
                to.insert_rows(table, &columns, &batch)?;
                counts.push((table.to_string(), count));
            }
            to.renumber_after_copy()?;
            Ok(counts)
        })
    })
}
