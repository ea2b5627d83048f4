//! Per-user reports of bulk commands: for each user asked for, what was done, or why nothing
//! was (the planner's skip reasons), or that nothing concerned them. The console and the
//! command line print the same report.

use std::collections::HashMap;

use serde::Serialize;

use super::plan::Note;
use crate::model::Change;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Done,
    Skipped,
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserReport {
    pub user: String,
    pub result: Verdict,
    /// The changes made for the user, or the reasons they were skipped.
    pub detail: Vec<String>,
}

/// One line per user in `users` (sorted, each once), from the changes and skip notes of a
/// write or a rehearsal.
pub fn per_user(users: &[String], changes: &[Change], notes: &[Note]) -> Vec<UserReport> {
    let mut changed: HashMap<&str, Vec<String>> = HashMap::new();
    for change in changes {
        if let Some(user) = change.user_name() {
            changed.entry(user).or_default().push(change.describe());
        }
    }
    let mut skipped: HashMap<&str, Vec<String>> = HashMap::new();
    for note in notes {
        skipped
            .entry(note.subject.as_str())
            .or_default()
            .push(note.reason.clone());
    }
    let mut users: Vec<&String> = users.iter().collect();
    users.sort();
    users.dedup();
    users
        .into_iter()
        .map(|user| {
            let (result, detail) = if let Some(done) = changed.get(user.as_str()) {
                (Verdict::Done, done.clone())
            } else if let Some(why) = skipped.get(user.as_str()) {
                (Verdict::Skipped, why.clone())
            } else {
                (Verdict::Unchanged, Vec::new())
            };
            UserReport {
                user: user.clone(),
                result,
                detail,
            }
        })
        .collect()
}

/// `3 done, 1 skipped, 0 unchanged`.
pub fn totals(report: &[UserReport]) -> String {
    let count = |r: Verdict| report.iter().filter(|u| u.result == r).count();
    format!(
        "{} done, {} skipped, {} unchanged",
        count(Verdict::Done),
        count(Verdict::Skipped),
        count(Verdict::Unchanged)
    )
}

/// `done       alice: assign role x to alice at any`.
pub fn line(report: &UserReport) -> String {
    let word = match report.result {
        Verdict::Done => "done",
        Verdict::Skipped => "skipped",
        Verdict::Unchanged => "unchanged",
    };
    if report.detail.is_empty() {
        format!("{word:<10} {}", report.user)
    } else {
        format!("{word:<10} {}: {}", report.user, report.detail.join("; "))
    }
}
