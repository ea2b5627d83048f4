//! Reading the audit trail, and which records a question is about: a time window, the operator
//! who acted, the user a change touched, the kind of action. One predicate serves the command
//! line (`warden audit list --since ... --user ...`, over the whole trail) and the console's
//! Audit tab terms (`op:root user:alice since:2026-11-01`).

use serde::Serialize;
use serde_json::Value;

use super::{Error, Service};
use crate::model::validate::fold;
use crate::model::{AuditId, AuditRecord, Timestamp};
use crate::store::Tx;
use crate::store::audit::AuditCheck;

/// One audit record as shown: its detail parsed (by names; never ids or secrets).
#[derive(Clone, Debug, Serialize)]
pub struct AuditView {
    pub id: i64,
    pub at: Timestamp,
    pub tenant: String,
    pub operator: String,
    pub action: String,
    pub summary: String,
    pub detail: serde_json::Value,
    pub hash: String,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        AuditView {
            id: r.id.0,
            at: r.at,
            tenant: r.tenant,
            operator: r.operator,
            action: r.action,
            summary: r.summary,
            // A record that is not JSON (edited behind our back) is shown as text.
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail)),
            hash: r.hash,
        }
    }
}

/// The newest `limit` records older than `before`.
pub(crate) fn audit_in(
    tx: &mut Tx<'_>,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<AuditView>, Error> {
    Ok(tx
        .audit_records(limit, before.map(AuditId))?
        .into_iter()
        .map(AuditView::from)
        .collect())
}

impl Service<'_> {
    /// Audit records newest first.
    pub fn audit(&mut self, limit: i64, before: Option<i64>) -> Result<Vec<AuditView>, Error> {
        self.store.read(|tx| audit_in(tx, limit, before))
    }

    /// The newest `limit` records (older than `before`) that answer `query`, newest first:
    /// read a page at a time, stopping at the first record older than `query.since`.
    pub fn audit_matching(
        &mut self,
        query: &AuditQuery,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<AuditView>, Error> {
        const PAGE: i64 = 500;
        let mut found = Vec::new();
        let mut before = before;
        loop {
            let page = self.store.read(|tx| audit_in(tx, PAGE, before))?;
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            let exhausted =
                (page.len() as i64) < PAGE || query.since.is_some_and(|since| last.at < since);
            for record in page {
                if query.admits(&record) && (found.len() as i64) < limit {
                    found.push(record);
                }
            }
            if exhausted || found.len() as i64 >= limit {
                break;
            }
        }
        Ok(found)
    }

    pub fn audit_record(&mut self, id: i64) -> Result<AuditView, Error> {
        self.store.read(|tx| {
            tx.audit_record(AuditId(id))?
                .map(AuditView::from)
                .ok_or_else(|| Error::NotFound(format!("no audit record {id}")))
        })
    }

    /// Recomputes the audit chain; with `expected_head`, also checks that the record with
    /// that hash (noted elsewhere earlier) is still in it.
    pub fn verify_audit(&mut self, expected_head: Option<&str>) -> Result<AuditCheck, Error> {
        self.store.read(|tx| Ok(tx.verify_audit(expected_head)?))
    }
}

/// The filters of an audit question; empty ones admit everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// At or after this instant.
    pub since: Option<Timestamp>,
    /// Before this instant.
    pub until: Option<Timestamp>,
    /// Made by this operator (username, case-insensitive).
    pub operator: Option<String>,
    /// Touching this user (a change names them as its user).
    pub user: Option<String>,
    /// This action (`user.add`), or every action of a noun (`user`).
    pub action: Option<String>,
}

/// `2026-11-01` (midnight UTC) or an RFC 3339 instant (`2026-11-01T09:30:00Z`).
pub fn parse_time(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp(at.timestamp_millis()));
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(midnight) = day.and_hms_opt(0, 0, 0) {
            return Ok(Timestamp(midnight.and_utc().timestamp_millis()));
        }
    }
    Err(format!(
        "{text:?} is not a date (2026-11-01) or an instant (2026-11-01T09:30:00Z)"
    ))
}

/// Whether a change (as JSON) names `user` as the user it is about.
fn names_user(value: &Value, user: &str) -> bool {
    match value {
        Value::Object(fields) => fields.iter().any(|(key, v)| {
            let about_user = matches!(key.as_str(), "user" | "username" | "users");
            (about_user && value_is(v, user)) || names_user(v, user)
        }),
        Value::Array(items) => items.iter().any(|v| names_user(v, user)),
        _ => false,
    }
}

fn value_is(value: &Value, user: &str) -> bool {
    match value {
        Value::String(s) => fold(s) == user,
        Value::Array(items) => items.iter().any(|v| value_is(v, user)),
        _ => false,
    }
}

impl AuditQuery {
    pub fn is_empty(&self) -> bool {
        *self == AuditQuery::default()
    }

    /// Whether the record answers the question.
    pub fn admits(&self, record: &AuditView) -> bool {
        if self.since.is_some_and(|t| record.at < t) || self.until.is_some_and(|t| record.at >= t) {
            return false;
        }
        if let Some(operator) = &self.operator {
            // Recorded as `root (peer: root)`, `alice (password)`, `svc (token ...)`.
            let name = record.operator.split(" (").next().unwrap_or_default();
            if fold(name) != fold(operator) {
                return false;
            }
        }
        if let Some(action) = &self.action {
            let noun = format!("{action}.");
            if record.action != *action && !record.action.starts_with(&noun) {
                return false;
            }
        }
        if let Some(user) = &self.user {
            if !names_user(&record.detail, &fold(user)) {
                return false;
            }
        }
        true
    }
}
