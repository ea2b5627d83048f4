//! `warden audit ...`: read and verify the audit trail.

use clap::Subcommand;

use super::output::Table;
use super::{Context, exit};
use crate::model::Timestamp;
use crate::service::audit_query::{AuditQuery, parse_time};
use crate::store::audit::AuditCheck;

#[derive(Subcommand, Debug)]
pub enum AuditVerb {
    /// List audit records, newest first
    List {
        /// How many records
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Only records older than this id (to page back)
        #[arg(long, value_name = "ID")]
        before: Option<i64>,
        /// Only records at or after this date (2026-11-01, midnight UTC) or instant
        /// (2026-11-01T09:30:00Z)
        #[arg(long, value_name = "WHEN", value_parser = parse_time)]
        since: Option<Timestamp>,
        /// Only records before this date or instant
        #[arg(long, value_name = "WHEN", value_parser = parse_time)]
        until: Option<Timestamp>,
        /// Only records made by this operator (username)
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
        /// Only records whose changes touch this user (username)
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Only this action (user.add), or every action of a noun (user)
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,
        /// Print CSV (id, at, tenant, operator, action, summary) instead of a table
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Show one record with its before/after detail
    Show { id: i64 },
    /// Recompute the hash chain; exit 1 if any record was edited or removed
    Verify {
        /// A head hash printed by an earlier verify and kept elsewhere: exit 1 unless that
        /// record is still in the chain (records removed from the end are found this way)
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
}

pub fn run(cx: &mut Context, verb: AuditVerb) -> anyhow::Result<i32> {
    match verb {
        AuditVerb::List {
            limit,
            before,
            since,
            until,
            operator,
            user,
            action,
            csv,
        } => {
            let query = AuditQuery {
                since,
                until,
                operator,
                user,
                action,
            };
            let records = cx.read(|s| s.audit_matching(&query, limit.max(1), before))?;
            if cx.out.json() {
                cx.out.list(&records)?;
            } else if csv {
                let for_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
                let shown = |v: &str| {
                    if for_terminal {
                        crate::text::terminal_safe(v).to_string()
                    } else {
                        v.to_string()
                    }
                };
                let mut text = Vec::new();
                {
                    let mut w = csv::Writer::from_writer(&mut text);
                    w.write_record(["id", "at", "tenant", "operator", "action", "summary"])?;
                    for r in &records {
                        w.write_record([
                            r.id.to_string(),
                            r.at.rfc3339(),
                            shown(&r.tenant),
                            shown(&r.operator),
                            shown(&r.action),
                            shown(&r.summary),
                        ])?;
                    }
                    w.flush()?;
                }
                cx.out.raw(&text)?;
            } else {
                let mut table = Table::new(&["ID", "AT", "OPERATOR", "ACTION", "SUMMARY"]);
                for r in records {
                    table.row(vec![
                        r.id.to_string(),
                        r.at.short(),
                        r.operator,
                        r.action,
                        r.summary,
                    ]);
                }
                cx.out.table(&table)?;
            }
            Ok(exit::OK)
        }
        AuditVerb::Show { id } => {
            let r = cx.read(|s| s.audit_record(id))?;
            if cx.out.json() {
                cx.out.value(&r)?;
            } else {
                cx.out.fields(&[
                    ("id", r.id.to_string()),
                    ("at", r.at.rfc3339()),
                    ("tenant", r.tenant.clone()),
                    ("operator", r.operator.clone()),
                    ("action", r.action.clone()),
                    ("summary", r.summary.clone()),
                    ("hash", r.hash.clone()),
                ])?;
                let pretty = serde_json::to_string_pretty(&r.detail)?;
                for line in pretty.lines() {
                    cx.out.line(line)?;
                }
            }
            Ok(exit::OK)
        }
        AuditVerb::Verify { head } => {
            let check = cx.read(|s| s.verify_audit(head.as_deref()))?;
            print_audit_check(cx, &check)?;
            Ok(match check {
                AuditCheck::Intact { .. } => exit::OK,
                AuditCheck::Broken { .. } | AuditCheck::Truncated { .. } => exit::CHECK_FAILED,
            })
        }
    }
}

fn print_audit_check(cx: &mut Context, check: &AuditCheck) -> std::io::Result<()> {
    match check {
        AuditCheck::Intact { records, head } => {
            if cx.out.json() {
                cx.out.value(&serde_json::json!({
                    "intact": true, "records": records, "head": head
                }))
            } else {
                cx.out.line(&format!(
                    "audit trail intact: {records} records; head {head} (keep this hash elsewhere: `warden audit verify --head HASH` then finds records removed from the end)"
                ))
            }
        }
        AuditCheck::Broken { id, reason } => {
            if cx.out.json() {
                cx.out.value(&serde_json::json!({
                    "intact": false, "record": id.0, "reason": reason
                }))
            } else {
                cx.out
                    .line(&format!("audit trail broken at record {}: {reason}", id.0))
            }
        }
        AuditCheck::Truncated {
            records,
            head,
            expected,
        } => {
            let reason = format!(
                "no record has the head hash {expected}: records were removed from the end (the trail now ends at head {head})"
            );
            if cx.out.json() {
                cx.out.value(&serde_json::json!({
                    "intact": false, "records": records, "head": head, "reason": reason
                }))
            } else {
                cx.out.line(&format!(
                    "audit trail truncated: {records} records; {reason}"
                ))
            }
        }
    }
}
