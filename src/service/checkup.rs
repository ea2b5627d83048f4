//! `warden store check`: what can be wrong with a store, found and reported (never repaired
//! behind the operator's back): damaged pages or indexes, rows referring to rows that are not
//! there, a broken audit chain, and inclusion or implication cycles written outside warden.

use serde::Serialize;

use super::Service;
use super::error::Error;
use crate::access::Engine;
use crate::store::StoreError;
use crate::store::audit::AuditCheck;

/// One aspect of the store and what was found wrong with it.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// `pages`, `references`, `audit` or `cycles`.
    pub check: &'static str,
    pub ok: bool,
    pub problems: Vec<String>,
}

/// Every finding; `ok` when none has a problem.
#[derive(Clone, Debug, Serialize)]
pub struct StoreCheck {
    pub ok: bool,
    pub checks: Vec<Finding>,
}

/// A problem found while looking is a finding too: a damaged store fails its reads.
fn found(check: &'static str, problems: Result<Vec<String>, Error>) -> Result<Finding, Error> {
    let problems = match problems {
        Ok(problems) => problems,
        Err(Error::Store(StoreError::Corrupt(e))) => vec![e],
        Err(e) => return Err(e),
    };
    Ok(Finding {
        check,
        ok: problems.is_empty(),
        problems,
    })
}

impl Service<'_> {
    /// Checks the whole store (every tenant): its pages and indexes, its references, its
    /// audit chain and its graph.
    pub fn check_store(&mut self) -> Result<StoreCheck, Error> {
        let pages = found("pages", self.store.damaged_pages().map_err(Error::from))?;
        let references = found(
            "references",
            self.store.broken_references().map_err(Error::from),
        )?;
        let audit = found(
            "audit",
            self.store
                .read(|tx| Ok::<_, Error>(tx.verify_audit(None)?))
                .map(|check| match check {
                    AuditCheck::Intact { .. } => Vec::new(),
                    AuditCheck::Broken { id, reason } => {
                        vec![format!("the chain breaks at record {}: {reason}", id.0)]
                    }
                    AuditCheck::Truncated { expected, .. } => {
                        vec![format!("no record has the head hash {expected}")]
                    }
                }),
        )?;
        let cycles = found(
            "cycles",
            self.store
                .read(|tx| Ok::<_, Error>(tx.snapshot()?))
                .map(|snapshot| match Engine::build_allowing_cycles(&snapshot) {
                    Ok(engine) => engine
                        .cycles()
                        .iter()
                        .map(|c| format!("{} (remove one of its edges)", c.description))
                        .collect(),
                    Err(e) => vec![format!("the role and permission graph cannot be read: {e}")],
                }),
        )?;
        let checks = vec![pages, references, audit, cycles];
        Ok(StoreCheck {
            ok: checks.iter().all(|c| c.ok),
            checks,
        })
    }
}
