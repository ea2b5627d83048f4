//! `warden import`: export documents (JSON) and CSV files of users, memberships and role
//! assignments, loaded through the same commands and rules as the verbs, as one transaction
//! with one audit record. Each row (a CSV line, a document entry) is compared with the store
//! first: absent → created, equal → unchanged, different → a conflict the policy decides
//! (fail the import, skip the row, or overwrite the stored values). A dry run goes through the
//! very same path and keeps nothing; its report lists every row that would fail, with its row
//! number, column and reason.

use serde::Serialize;

use super::apply::{Item, Keep, Origin};
use super::compare::{Comparer, Index};
use super::csv_file;
use super::document::{Document, FORMAT, Parts, VERSION};
use super::import_plan::{Plan, plan_csv, plan_document};
use super::read::{Reading, read_document};
use crate::service::plan::FreeText;
use crate::service::{Error, Operator, Service};

/// What to do with a row whose item exists with other values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnConflict {
    /// The import fails; nothing is written.
    Fail,
    /// The stored values are kept; the row is reported skipped (and so are rows that fail).
    Skip,
    /// The row's values replace the stored ones.
    Overwrite,
}

impl OnConflict {
    pub fn parse(text: &str) -> Result<OnConflict, String> {
        match text {
            "fail" => Ok(OnConflict::Fail),
            "skip" => Ok(OnConflict::Skip),
            "overwrite" => Ok(OnConflict::Overwrite),
            other => Err(format!(
                "--on-conflict takes fail, skip or overwrite, not {other:?}"
            )),
        }
    }
}

/// One file to import: its name (for the report) and its bytes.
pub struct Source {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What became of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
    Skipped,
    Failed,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowReport {
    #[serde(flatten)]
    pub origin: Origin,
    pub subject: String,
    pub outcome: RowOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub failed: usize,
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub counts: Counts,
    pub rows: Vec<RowReport>,
    pub committed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<i64>,
    /// The changes made (or that would be), for the access preview.
    #[serde(skip)]
    pub changes: Vec<crate::model::Change>,
    /// Rows that failed, or were skipped because they failed (not because their stored
    /// values were kept).
    #[serde(skip)]
    pub faulty: usize,
}

impl ImportReport {
    /// Whether every row applied, was unchanged, or kept its stored values by the policy.
    pub fn every_row_applied(&self) -> bool {
        self.faulty == 0
    }
}

/// Reads a document file (any version this build knows).
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Document, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| {
        Error::Usage(format!(
            "{name} is not a warden export: line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if doc.format != FORMAT {
        return Err(Error::Usage(format!(
            "{name} is not a warden export (format {:?}, expected {FORMAT:?})",
            doc.format
        )));
    }
    if doc.version > VERSION {
        return Err(Error::Usage(format!(
            "{name} was written by a newer warden (document version {}; this warden reads up \
             to {VERSION}); upgrade warden",
            doc.version
        )));
    }
    Ok(doc)
}

/// Whether a file is a document (JSON) rather than a CSV: its first non-blank byte.
fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// The order items run in: by phase, file order within a phase.
fn order(phases: &[u8]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..phases.len()).collect();
    order.sort_by_key(|i| phases[*i]);
    order
}

/// The column an error is about, when it names one.
fn column_of(error: &Error) -> Option<String> {
    use crate::service::Rule;
    let column = match error {
        Error::Invalid(field) => match field.field {
            "display name" => "display_name",
            "external id" => "external_id",
            other => other,
        },
        Error::Refused { rule, .. } => match rule {
            Rule::UniqueUsername => "username",
            Rule::UniqueEmail => "email",
            Rule::UniqueExternalId => "external_id",
            Rule::NoCycles => "includes",
            _ => return None,
        },
        Error::NotFound(what) | Error::Ambiguous(what) => {
            let what = what.to_lowercase();
            ["role", "group", "stage", "app", "permission", "user"]
                .into_iter()
                .find(|w| what.contains(&format!("no {w}")) || what.starts_with(w))
                .map(|w| if w == "user" { "username" } else { w })?
        }
        _ => return None,
    };
    Some(column.to_string())
}

impl Service<'_> {
    /// Imports the files as one transaction (`dry_run`: rehearsed, nothing kept).
    pub fn import(
        &mut self,
        operator: &Operator,
        sources: &[Source],
        on_conflict: OnConflict,
        dry_run: bool,
    ) -> Result<ImportReport, Error> {
        let tenant = self.tenant.clone();
        let reading = Reading {
            tenant: None,
            with_secrets: true,
        };
        let stored = self
            .store
            .read(|tx| read_document(tx, &Parts::all(), &reading))?;
        let index = Index::of(stored);
        let mut comparer = Comparer::new(&index);
        let mut plan = Plan {
            tenant: tenant.clone(),
            rows: Vec::new(),
            items: Vec::new(),
            free_text: FreeText::Typed,
            phases: Vec::new(),
        };
        for source in sources {
            if is_json(&source.bytes) {
                let doc = parse_document(&source.name, &source.bytes)?;
                // An export holds what a warden store held: its text is moved as it was.
                plan.free_text = FreeText::AsStored;
                plan_document(&mut plan, &mut comparer, &source.name, &doc, on_conflict);
            } else {
                plan.free_text = FreeText::Typed;
                let (rows, problems) = csv_file::read(&source.name, &source.bytes, &tenant);
                for p in problems {
                    let subject = match p.origin.row {
                        Some(1) => "header".to_string(),
                        _ => String::new(),
                    };
                    plan.problem(p.origin, subject, p.column, p.reason);
                }
                plan_csv(&mut plan, &mut comparer, rows, on_conflict);
            }
        }
        let keep = if on_conflict == OnConflict::Skip {
            Keep::GoodOnly
        } else {
            Keep::AllOrNothing
        };
        let refused_already = plan.rows.iter().any(|r| r.outcome == RowOutcome::Failed);
        let order = order(&plan.phases);
        let ordered: Vec<Item> = order.iter().map(|i| plan.items[*i].clone()).collect();
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        let applied = self.apply_items(
            operator,
            "import",
            &format!("import {}", names.join(", ")),
            &ordered,
            keep,
            !(dry_run || keep == Keep::AllOrNothing && refused_already),
        )?;
        // Back from run order to the items' own order.
        let mut results: Vec<Option<Result<(), Error>>> = (0..order.len()).map(|_| None).collect();
        for (position, result) in order.iter().zip(applied.results) {
            results[*position] = Some(result);
        }
        let mut report = ImportReport {
            counts: Counts::default(),
            rows: Vec::with_capacity(plan.rows.len()),
            committed: applied.committed,
            audit_id: applied.audit.map(|a| a.0),
            changes: applied.changes,
            faulty: 0,
        };
        // Reported in the order of the files and their rows.
        let file_order = |origin: &Origin| {
            let file = sources
                .iter()
                .position(|s| Some(&s.name) == origin.file.as_ref());
            (file, origin.row)
        };
        let mut rows = plan.rows;
        rows.sort_by_key(|r| file_order(&r.origin));
        for row in rows {
            let failure = row
                .items
                .iter()
                .find_map(|i| results[*i].as_ref().and_then(|r| r.as_ref().err()));
            let (outcome, reason, column) = match failure {
                Some(e) => {
                    let outcome = if on_conflict == OnConflict::Skip {
                        RowOutcome::Skipped
                    } else {
                        RowOutcome::Failed
                    };
                    (outcome, Some(e.to_string()), column_of(e))
                }
                // With --on-conflict skip, a row that cannot be read is skipped like one a
                // rule refuses.
                None if row.outcome == RowOutcome::Failed && on_conflict == OnConflict::Skip => {
                    (RowOutcome::Skipped, row.reason, row.column)
                }
                None => (row.outcome, row.reason, row.column),
            };
            if failure.is_some() || row.outcome == RowOutcome::Failed {
                report.faulty += 1;
            }
            let counts = &mut report.counts;
            match outcome {
                RowOutcome::Created => counts.created += 1,
                RowOutcome::Updated => counts.updated += 1,
                RowOutcome::Unchanged => counts.unchanged += 1,
                RowOutcome::Skipped => counts.skipped += 1,
                RowOutcome::Failed => counts.failed += 1,
            }
            report.rows.push(RowReport {
                origin: row.origin,
                subject: row.subject,
                outcome,
                column,
                reason,
            });
        }
        Ok(report)
    }
}
