//! The audit trail: one record per committed change set, written in the same transaction, each
//! chained to the one before by a SHA-256 hash so that editing or removing a record in the
//! middle is detected by [`Tx::verify_audit`]. Removing records from the end leaves a shorter
//! chain that still links: only a head hash kept elsewhere reveals it, which is why verifying
//! prints the head and takes one to verify against.

use sha2::{Digest, Sha256};

use super::Tx;
use super::error::StoreError;
use super::sql::{Row, Value};
use crate::model::{AuditId, AuditRecord, Timestamp};

/// The hash the first record chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the service hands the store to record.
#[derive(Clone, Debug)]
pub struct AuditDraft {
    pub at: Timestamp,
    pub tenant: String,
    pub operator: String,
    pub action: String,
    pub summary: String,
    /// JSON text with names only, never ids or secrets.
    pub detail: String,
}

/// The chain hash of a record: SHA-256 over an unambiguous JSON array of its fields.
pub fn chain_hash(prev_hash: &str, draft: &AuditDraft) -> String {
    let canonical = serde_json::json!([
        prev_hash,
        draft.at.0,
        draft.tenant,
        draft.operator,
        draft.action,
        draft.summary,
        draft.detail
    ])
    .to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

const AUDIT_COLUMNS: &str = "id, at, tenant, operator, action, summary, detail, prev_hash, hash";

fn record(row: &Row) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: AuditId(row.int(0)?),
        at: Timestamp(row.int(1)?),
        tenant: row.text(2)?,
        operator: row.text(3)?,
        action: row.text(4)?,
        summary: row.text(5)?,
        detail: row.text(6)?,
        prev_hash: row.text(7)?,
        hash: row.text(8)?,
    })
}

/// The fields of a record, in [`AUDIT_COLUMNS`] order, and whether each holds an integer.
const AUDIT_FIELDS: [(&str, bool); 9] = [
    ("id", true),
    ("at", true),
    ("tenant", false),
    ("operator", false),
    ("action", false),
    ("summary", false),
    ("detail", false),
    ("prev_hash", false),
    ("hash", false),
];

/// Why a row could not be read as a record: the first column of the wrong type, named.
fn wrong_type(row: &Row) -> String {
    for (i, (name, integer)) in AUDIT_FIELDS.iter().enumerate() {
        let found = match row.0.get(i) {
            Some(Value::Int(_)) if *integer => continue,
            Some(Value::Text(_)) if !*integer => continue,
            Some(Value::Int(v)) => format!("the integer {v}"),
            Some(Value::Text(_)) => "text".to_string(),
            Some(Value::Null) | None => "NULL".to_string(),
        };
        let wanted = if *integer { "an integer" } else { "text" };
        return format!("its {name} column holds {found} where {wanted} belongs (it was edited)");
    }
    "it cannot be read (it was edited)".into()
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every record chains; `head` is the newest hash (note it elsewhere to detect truncation).
    Intact { records: i64, head: String },
    /// The first record that does not chain, and why.
    Broken { id: AuditId, reason: String },
    /// Every record chains, but the head hash recorded elsewhere is not among them: records
    /// were removed from the end.
    Truncated {
        records: i64,
        head: String,
        expected: String,
    },
}

impl Tx<'_> {
    /// Appends a record chained to the newest one.
    pub fn append_audit(&mut self, draft: &AuditDraft) -> Result<AuditId, StoreError> {
        let prev = self
            .row(
                "SELECT hash FROM audit ORDER BY id DESC LIMIT 1",
                &[],
                |r| r.text(0),
            )?
            .unwrap_or_else(|| GENESIS.to_string());
        let hash = chain_hash(&prev, draft);
        let rows = self.conn().query(
            "INSERT INTO audit (at, tenant, operator, action, summary, detail, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                draft.at.0.into(),
                draft.tenant.as_str().into(),
                draft.operator.as_str().into(),
                draft.action.as_str().into(),
                draft.summary.as_str().into(),
                draft.detail.as_str().into(),
                prev.as_str().into(),
                hash.as_str().into(),
            ],
        )?;
        let id = rows
            .first()
            .ok_or_else(|| StoreError::Backend("audit insert returned no id".into()))?
            .int(0)?;
        Ok(AuditId(id))
    }

    /// Keeps `changes` (encoded with their ids) as those of record `audit`, the newest: the
    /// change kept before it goes, since only the newest change can be undone.
    pub fn keep_for_undo(&mut self, audit: AuditId, changes: &str) -> Result<(), StoreError> {
        self.conn().query("DELETE FROM undo_changes", &[])?;
        self.conn().query(
            "INSERT INTO undo_changes (audit_id, changes) VALUES (?, ?)",
            &[audit.0.into(), changes.into()],
        )?;
        Ok(())
    }

    /// The change kept for undo, and the record it belongs to (`None` when none is kept: a
    /// store written by an older warden, or one with no change yet).
    pub fn kept_for_undo(&mut self) -> Result<Option<(AuditId, String)>, StoreError> {
        self.row(
            "SELECT audit_id, changes FROM undo_changes ORDER BY audit_id DESC LIMIT 1",
            &[],
            |r| Ok((AuditId(r.int(0)?), r.text(1)?)),
        )
    }

    /// Records newest first, at most `limit`, older than `before` when given.
    pub fn audit_records(
        &mut self,
        limit: i64,
        before: Option<AuditId>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sql =
            format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?");
        self.rows(
            &sql,
            &[before.map_or(i64::MAX, |b| b.0).into(), limit.into()],
            record,
        )
    }

    /// Records newer than `after`, oldest first, at most `limit`.
    pub fn audit_records_after(
        &mut self,
        after: AuditId,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE id > ? ORDER BY id LIMIT ?");
        self.rows(&sql, &[after.0.into(), limit.into()], record)
    }

    pub fn audit_record(&mut self, id: AuditId) -> Result<Option<AuditRecord>, StoreError> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE id = ?");
        self.row(&sql, &[id.0.into()], record)
    }

    /// The newest record whose changes name `name` as their `field` (`user`, `group`,
    /// `role`): who last changed it, and when.
    pub fn latest_audit_naming(
        &mut self,
        field: &str,
        name: &str,
    ) -> Result<Option<AuditRecord>, StoreError> {
        // The detail is JSON: the name appears as `"user":"alice"`, JSON-escaped; LIKE's own
        // wildcards in it are escaped in turn.
        let quoted = serde_json::to_string(name)
            .map_err(|e| StoreError::Backend(format!("audit search: {e}")))?;
        let needle = format!("\"{field}\":{quoted}")
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE detail LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT 1"
        );
        self.row(&sql, &[format!("%{needle}%").as_str().into()], record)
    }

    pub fn audit_count(&mut self) -> Result<i64, StoreError> {
        self.count("SELECT count(*) FROM audit", &[])
    }

    /// Recomputes the whole chain, oldest first. With `expected_head` (a head hash noted
    /// earlier), also checks that the record it names is still in the chain.
    pub fn verify_audit(&mut self, expected_head: Option<&str>) -> Result<AuditCheck, StoreError> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY id");
        let mut expected_prev = GENESIS.to_string();
        let mut records = 0i64;
        let mut broken: Option<(AuditId, String)> = None;
        let expected_head = expected_head.map(|h| h.trim().to_ascii_lowercase());
        let mut head_seen = expected_head.as_deref() == Some(GENESIS);
        self.conn().query_each(&sql, &[], &mut |row| {
            if broken.is_some() {
                return Ok(());
            }
            let Ok(r) = record(row) else {
                // The id is the table's integer primary key: always readable.
                broken = Some((AuditId(row.int(0).unwrap_or(0)), wrong_type(row)));
                return Ok(());
            };
            records += 1;
            if r.prev_hash != expected_prev {
                broken = Some((
                    r.id,
                    "it does not follow the record before it (a record was removed or reordered)"
                        .into(),
                ));
                return Ok(());
            }
            let draft = AuditDraft {
                at: r.at,
                tenant: r.tenant,
                operator: r.operator,
                action: r.action,
                summary: r.summary,
                detail: r.detail,
            };
            if chain_hash(&r.prev_hash, &draft) != r.hash {
                broken = Some((
                    r.id,
                    "its content does not match its hash (it was edited)".into(),
                ));
                return Ok(());
            }
            head_seen |= expected_head.as_deref() == Some(r.hash.as_str());
            expected_prev = r.hash;
            Ok(())
        })?;
        Ok(match (broken, expected_head) {
            (Some((id, reason)), _) => AuditCheck::Broken { id, reason },
            (None, Some(expected)) if !head_seen => AuditCheck::Truncated {
                records,
                head: expected_prev,
                expected,
            },
            (None, _) => AuditCheck::Intact {
                records,
                head: expected_prev,
            },
        })
    }
}
