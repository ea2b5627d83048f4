//! Planning an import: each row of each file (a CSV line, a document entry) compared with the
//! store and turned into items under the conflict policy — created, updated, unchanged, or a
//! conflict that fails or is skipped — with the phase each item runs in. A group's new members
//! from one document entry are one item.

use std::collections::HashMap;

use super::apply::{Effect, Item, Origin};
use super::compare::{Comparer, Difference};
use super::csv_file::Row;
use super::document::Document;
use super::import::{OnConflict, RowOutcome};
use crate::model::validate::fold;
use crate::service::Command;
use crate::service::plan::FreeText;

/// A row before it is applied: what it would do, and the items that do it.
pub(super) struct Planned {
    pub(super) origin: Origin,
    pub(super) subject: String,
    pub(super) outcome: RowOutcome,
    pub(super) reason: Option<String>,
    pub(super) column: Option<String>,
    pub(super) items: Vec<usize>,
}

/// Rows and their items, built from the files against the store's current contents.
pub(super) struct Plan {
    /// The tenant CSV rows belong to.
    pub(super) tenant: String,
    pub(super) rows: Vec<Planned>,
    pub(super) items: Vec<Item>,
    /// Where the text of the file being planned comes from.
    pub(super) free_text: FreeText,
    /// Each item's phase (see [`Difference`]): items run in phase order, rows are reported in
    /// file order.
    pub(super) phases: Vec<u8>,
}

impl Plan {
    /// Adds a row whose differences are `diffs` under the conflict policy. `edge_row`: the
    /// row is itself a membership or assignment (creating it is "created").
    pub(super) fn row(
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
                    "conflict: exists with other values: {what}; import with the overwrite \
                     policy to replace them, or skip to keep them"
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

    pub(super) fn problem(
        &mut self,
        origin: Origin,
        subject: String,
        column: Option<String>,
        reason: String,
    ) {
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

pub(super) fn plan_document(
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

pub(super) fn plan_csv(
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
