//! Printing what a write did (or, rehearsed, would do): its summary, its changes, the per-user
//! report of a bulk command, and the access preview with the consent it needs.

use super::output::Output;
use crate::service::Outcome;
use crate::service::access::PreviewView;

/// How many changes a human report lists before summarising the rest.
const CHANGES_SHOWN: usize = 25;

/// How many users a human preview lists before summarising.
const PREVIEW_USERS_SHOWN: usize = 20;

pub(crate) fn print_outcome(
    out: &mut Output,
    outcome: &Outcome,
    preview: Option<&PreviewView>,
    report: Option<&[crate::service::report::UserReport]>,
) -> std::io::Result<()> {
    if out.json() {
        let mut value = serde_json::json!({
            "summary": outcome.summary,
            "committed": outcome.committed,
            "audit_id": outcome.audit.map(|a| a.0),
            "changes": outcome.changes,
            "skipped": outcome.notes,
        });
        if let Some(preview) = preview {
            value["preview"] = serde_json::to_value(preview).map_err(std::io::Error::other)?;
        }
        if let Some(report) = report {
            value["report"] = serde_json::to_value(report).map_err(std::io::Error::other)?;
        }
        return out.value(&value);
    }
    if outcome.changes.is_empty() {
        out.line("nothing to change")?;
    } else {
        let prefix = if outcome.committed { "" } else { "would " };
        out.line(&format!("{prefix}{}", outcome.summary))?;
        // One change says no more than the summary; list changes only when there are several.
        let listed = if outcome.changes.len() > 1 {
            &outcome.changes[..]
        } else {
            &[]
        };
        for change in listed.iter().take(CHANGES_SHOWN) {
            out.line(&format!("  {}{}", prefix, change.describe()))?;
        }
        if listed.len() > CHANGES_SHOWN {
            out.line(&format!(
                "  ... and {} more changes",
                outcome.changes.len() - CHANGES_SHOWN
            ))?;
        }
    }
    match report {
        Some(report) => {
            let prefix = if outcome.committed { "" } else { "would be " };
            out.line(&format!(
                "per user ({prefix}{}):",
                crate::service::report::totals(report)
            ))?;
            for user in report {
                out.line(&format!("  {}", crate::service::report::line(user)))?;
            }
        }
        None => {
            for note in &outcome.notes {
                out.line(&format!("skipped {}: {}", note.subject, note.reason))?;
            }
        }
    }
    if let Some(preview) = preview {
        print_preview(out, preview)?;
    }
    if !outcome.changes.is_empty() {
        if !outcome.committed {
            out.line("dry run: nothing was saved")?;
        } else if outcome.changes_access() {
            out.line("Signed-in users see access changes at their next sign-in.")?;
        }
    }
    Ok(())
}

pub(crate) fn print_preview(out: &mut Output, preview: &PreviewView) -> std::io::Result<()> {
    out.line(&format!("access: {}", preview.headline()))?;
    if let (Some(n), Some(why)) = (preview.consent.typed_count(), preview.consent.reason()) {
        out.line(&format!(
            "consent: {why}, so a terminal asks for {n} to be typed before applying (--yes does not ask)"
        ))?;
    }
    let label = |a: &crate::service::access::AtomView| match (&a.stage, &a.app) {
        (None, None) => a.permission.clone(),
        (Some(s), None) => format!("{}@{s}", a.permission),
        (None, Some(p)) => format!("{}@{p}", a.permission),
        (Some(s), Some(p)) => format!("{}@{s}/{p}", a.permission),
    };
    for user in preview.users.iter().take(PREVIEW_USERS_SHOWN) {
        let mut parts: Vec<String> = user
            .gained
            .iter()
            .map(|a| format!("+{}", label(a)))
            .collect();
        parts.extend(user.lost.iter().map(|a| format!("-{}", label(a))));
        out.line(&format!("  {}  {}", user.username, parts.join(" ")))?;
    }
    if preview.users.len() > PREVIEW_USERS_SHOWN {
        out.line(&format!(
            "  ... and {} more users (--json lists them all)",
            preview.users.len() - PREVIEW_USERS_SHOWN
        ))?;
    }
    Ok(())
}
