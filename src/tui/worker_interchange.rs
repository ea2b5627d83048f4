//! The store worker's side of `:import` and `:export`: files are read and written here, off
//! the screen's thread, through the same service calls as `warden import` and `warden export`.

use std::path::Path;

use super::import::ImportReview;
use super::intent::Intent;
use super::worker::{Backend, Done, Refused, Reply, read_only_refusal};
use crate::service::interchange::read::Reading;
use crate::service::interchange::{OnConflict, Parts, Source};

impl Backend {
    /// Writes the whole store (every tenant, no secrets) to `path`, whole or not at all.
    pub(super) fn export_to(&mut self, path: &Path) -> Vec<Reply> {
        let Some(mut service) = self.service() else {
            return vec![Reply::Exported(Err("the store is not open".into()))];
        };
        let reading = Reading {
            tenant: None,
            with_secrets: false,
        };
        let written = crate::files::write_whole(path, |out| {
            service.export(&Parts::all(), &reading, None, false, out)
        });
        vec![Reply::Exported(match written {
            Ok(counts) => {
                let users = counts
                    .parts
                    .iter()
                    .find(|(part, _)| part == "users")
                    .map_or(0, |(_, n)| *n);
                Ok(format!(
                    "exported the store ({users} users) to {}",
                    path.display()
                ))
            }
            Err(e) => Err(format!("nothing exported to {}: {e}", path.display())),
        })]
    }

    /// Rehearses importing `path`: the report and what it does to access, nothing kept.
    pub(super) fn rehearse_import(&mut self, path: &Path, on_conflict: OnConflict) -> Vec<Reply> {
        let Some(operator) = self.operator.clone() else {
            return vec![Reply::ImportRehearsed(Err(
                "read-only: sign in to import".into()
            ))];
        };
        let bytes = match crate::files::read_bounded(path, crate::files::READ_MAX_BYTES) {
            Ok(bytes) => bytes,
            Err(e) => return vec![Reply::ImportRehearsed(Err(e))],
        };
        let sources = vec![Source {
            name: path.display().to_string(),
            bytes,
        }];
        let Some(mut service) = self.service() else {
            return vec![Reply::ImportRehearsed(Err("the store is not open".into()))];
        };
        let reviewed = service
            .import(&operator, &sources, on_conflict, true)
            .and_then(|report| {
                let preview = service.preview_changes(&report.changes)?;
                Ok((report, preview))
            });
        vec![Reply::ImportRehearsed(match reviewed {
            Ok((report, preview)) => Ok(Box::new(ImportReview {
                path: path.to_path_buf(),
                on_conflict,
                sources,
                report,
                headline: preview.headline(),
                consent: preview.consent,
                typed: String::new(),
                scroll: 0,
            })),
            Err(e) => Err(e.to_string()),
        })]
    }

    /// Imports the reviewed files for good.
    pub(super) fn import(&mut self, sources: &[Source], on_conflict: OnConflict) -> Vec<Reply> {
        let Some(operator) = self.operator.clone() else {
            return vec![read_only_refusal(Intent::Apply)];
        };
        let Some(mut service) = self.service() else {
            return vec![Reply::Failed("the store is not open".into())];
        };
        let result = match service.import(&operator, sources, on_conflict, false) {
            Ok(report) if report.committed => {
                let c = &report.counts;
                Ok(Done {
                    summary: format!(
                        "imported: {} created, {} updated, {} unchanged, {} skipped",
                        c.created, c.updated, c.unchanged, c.skipped
                    ),
                    notes: Vec::new(),
                    changes: report.changes,
                    audit: report.audit_id.map(crate::model::AuditId),
                })
            }
            Ok(report) => Err(Refused {
                field: None,
                message: format!(
                    "nothing was imported: {} rows failed (the store changed since the review?)",
                    report.counts.failed
                ),
                conflict: true,
            }),
            Err(e) => Err(Refused {
                field: None,
                message: e.to_string(),
                conflict: false,
            }),
        };
        let committed = result.is_ok();
        let mut replies = vec![Reply::Executed {
            intent: Intent::Apply,
            result,
        }];
        if committed {
            replies.push(self.load());
        }
        replies
    }
}
