//! `warden import`: export documents (JSON) and CSV files of users, memberships and role
//! assignments, loaded through the same commands and rules as the verbs, as one transaction
//! with one audit record. Each row (a CSV line, a document entry) is compared with the store
//! first: absent → created, equal → unchanged, different → a conflict the policy decides
//! (fail the import, skip the row, or overwrite the stored values). A dry run goes through the
//! very same path and keeps nothing; its report lists every row that would fail, with its row
//! number, column and reason.

use std::collections::HashMap;

use serde::Serialize;

use super::apply::{Effect, Item, Keep, Origin};
use super::compare::{Comparer, Difference, Index};
use super::csv_file::{self, Row};
use super::document::{Document, FORMAT, Parts, VERSION};
use super::read::{Reading, read_document};
use crate::model::validate::fold;
use crate::service::plan::FreeText;
use crate::service::{Command, Error, Operator, Service};

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
}

/// A row before it is applied: what it would do, and the items that do it.
struct Planned {
    origin: Origin,
    subject: String,
    outcome: RowOutcome,
    reason: Option<String>,
    column: Option<String>,
    items: Vec<usize>,
}

/// Rows and their items, built from the files against the store's current contents.
struct Plan {
    /// The tenant CSV rows belong to.
    tenant: String,
    rows: Vec<Planned>,
    items: Vec<Item>,
    /// Where the text of the file being planned comes from.
    free_text: FreeText,
    /// Each item's phase (see [`Difference`]): items run in phase order, rows are reported in
    /// file order.
    phases: Vec<u8>,
}

impl Plan {
    /// Adds a row whose differences are `diffs` under the conflict policy. `edge_row`: the
    /// row is itself a membership or assignment (creating it is "created").
    fn row(
        &mut self,
        origin: Origin,
        subject: String,
        diffs: Vec<Difference>,
        on_conflict: OnConflict,
        edge_row: bool,
    ) {
        let conflict: Vec<&Difference> = diffs
            .iter()
            .filter(|d| d.effect == Effect::Update)
            .collect();
        let outcome = match diffs.first() {
            None => RowOutcome::Unchanged,
            Some(_) if !conflict.is_empty() => RowOutcome::Updated,
            Some(first)
                if first.effect == Effect::Create && (edge_row || creates_entity(&diffs)) =>
            {
                RowOutcome::Created
            }
            Some(_) => RowOutcome::Updated,
        };
        let mut planned = Planned {
            origin,
            subject,
            outcome,
            reason: None,
            column: None,
            items: Vec::new(),
        };
        if !conflict.is_empty() && on_conflict != OnConflict::Overwrite {
            let what = conflict
                .iter()
                .map(|d| format!("{} ({})", d.subject, d.details.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            if on_conflict == OnConflict::Skip {
                planned.outcome = RowOutcome::Skipped;
                planned.reason = Some(format!("exists with other values, kept: {what}"));
            } else {
                planned.outcome = RowOutcome::Failed;
                planned.reason = Some(format!(
                    "conflict: exists with other values: {what}; --on-conflict overwrite \
                     replaces them, skip keeps them"
                ));
            }
            self.rows.push(planned);
            return;
        }
        for d in diffs {
            // A group's new members go in as one command (one batched lookup and insert):
            // they are one row, reported together either way.
            if let Some(&last) = planned.items.last() {
                if merge_members(&mut self.items[last], &d) {
                    continue;
                }
            }
            planned.items.push(self.items.len());
            self.phases.push(d.phase);
            self.items.push(d.into_item(self.free_text));
        }
        self.rows.push(planned);
    }

    fn problem(&mut self, origin: Origin, subject: String, column: Option<String>, reason: String) {
        self.rows.push(Planned {
            origin,
            subject,
            outcome: RowOutcome::Failed,
            reason: Some(reason),
            column,
            items: Vec::new(),
        });
    }
}

/// Adds the member `next` adds to `item` when both add members to the same group.
fn merge_members(item: &mut Item, next: &Difference) -> bool {
    let (
        [Command::AddMembers { group, users }],
        [
            Command::AddMembers {
                group: next_group,
                users: next_users,
            },
        ],
    ) = (item.commands.as_mut_slice(), next.commands.as_slice())
    else {
        return false;
    };
    if group != next_group {
        return false;
    }
    users.extend(next_users.iter().cloned());
    true
}

/// Whether the first difference creates the entity itself (`user alice`, `group ops (QA)`),
/// not only an edge of one that exists.
fn creates_entity(diffs: &[Difference]) -> bool {
    let first = &diffs[0];
    !diffs.iter().any(|d| d.phase < first.phase) && first.phase < 10
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

fn plan_document(
    plan: &mut Plan,
    comparer: &mut Comparer<'_>,
    name: &str,
    doc: &Document,
    on: OnConflict,
) {
    let entry = || Origin::entry(Some(name));
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut once = |plan: &mut Plan, key: String, subject: &str| -> bool {
        if seen.insert(key, ()).is_some() {
            plan.problem(
                entry(),
                subject.to_string(),
                None,
                "appears twice in the document".into(),
            );
            false
        } else {
            true
        }
    };
    if doc.users.is_some() || doc.groups.is_some() {
        for t in &doc.tenants {
            let diffs: Vec<Difference> = comparer.tenant(t).into_iter().collect();
            plan.row(entry(), format!("tenant {t}"), diffs, on, false);
        }
    }
    if let Some(stages) = &doc.stages {
        for d in comparer.stages(stages) {
            let subject = d.subject.clone();
            plan.row(entry(), subject, vec![d], on, false);
        }
    }
    for app in doc.apps.iter().flatten() {
        let subject = format!("app {}", app.key);
        if once(plan, subject.clone(), &subject) {
            plan.row(
                entry(),
                subject,
                comparer.app(app).into_iter().collect(),
                on,
                false,
            );
        }
    }
    for p in doc.permissions.iter().flatten() {
        let subject = format!("permission {}", p.key);
        if once(plan, subject.clone(), &subject) {
            plan.row(entry(), subject, comparer.permission(p), on, false);
        }
    }
    for r in doc.roles.iter().flatten() {
        let subject = format!("role {}", r.key);
        if once(plan, subject.clone(), &subject) {
            plan.row(entry(), subject, comparer.role(r), on, false);
        }
    }
    for u in doc.users.iter().flatten() {
        let subject = format!("user {}", u.username);
        if once(
            plan,
            format!("user {} {}", u.tenant, fold(&u.username)),
            &subject,
        ) {
            let diffs: Vec<Difference> = comparer.user(u, false).into_iter().collect();
            plan.row(entry(), subject, diffs, on, false);
        }
    }
    for g in doc.groups.iter().flatten() {
        let subject = format!("group {} ({})", g.name, g.stage);
        let key = format!("group {} {} {}", g.tenant, fold(&g.name), fold(&g.stage));
        if once(plan, key, &subject) {
            plan.row(entry(), subject, comparer.group(g), on, false);
        }
    }
    for a in doc.assignments.iter().flatten() {
        let subject = format!("assignment of {} to {}", a.role, a.username);
        plan.row(
            entry(),
            subject,
            comparer.assignment(a).into_iter().collect(),
            on,
            true,
        );
    }
    if let Some(policy) = &doc.policy {
        for d in comparer.policy(policy) {
            let subject = d.subject.clone();
            plan.row(entry(), subject, vec![d], on, false);
        }
    }
}

fn plan_csv(
    plan: &mut Plan,
    comparer: &mut Comparer<'_>,
    rows: Vec<(Origin, Row)>,
    on: OnConflict,
) {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (origin, row) in rows {
        let n = origin.row.unwrap_or(0);
        let (key, subject, column) = match &row {
            Row::User { user, .. } => (
                format!("user {}", fold(&user.username)),
                format!("user {}", user.username),
                "username",
            ),
            Row::Member {
                group,
                stage,
                username,
            } => (
                format!("member {} {} {}", fold(group), fold(stage), fold(username)),
                format!("member {username} of group {group} ({stage})"),
                "username",
            ),
            Row::Assignment(a) => (
                format!(
                    "assignment {} {} {:?} {:?}",
                    a.role,
                    fold(&a.username),
                    a.stage,
                    a.app
                ),
                format!("assignment of {} to {}", a.role, a.username),
                "username",
            ),
        };
        let scoped_key = format!("{}:{key}", origin.file.clone().unwrap_or_default());
        if let Some(first) = first_seen.get(&scoped_key) {
            plan.problem(
                origin,
                subject,
                Some(column.into()),
                format!("repeats row {first}"),
            );
            continue;
        }
        first_seen.insert(scoped_key, n);
        let diffs: Vec<Difference> = match &row {
            Row::User { user, no_status } => comparer.user(user, *no_status).into_iter().collect(),
            Row::Member {
                group,
                stage,
                username,
            } => comparer
                .member(&plan.tenant, group, stage, username)
                .into_iter()
                .collect(),
            Row::Assignment(a) => comparer.assignment(a).into_iter().collect(),
        };
        let diffs = diffs
            .into_iter()
            .map(|mut d| {
                d.origin = origin.clone();
                d
            })
            .collect();
        let edge_row = !matches!(row, Row::User { .. });
        plan.row(origin, subject, diffs, on, edge_row);
    }
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
