//! `warden diff` and `warden sync`: two stores (any pair of backends) compared by natural keys,
//! and the second made to match the first. Beside the data differences, the access diff: for
//! each user, the permissions they would gain and lose if the second store were made like the
//! first, computed by each store's own engine so it agrees with `warden access` on both sides.

use std::collections::BTreeSet;

use foldhash::HashMap;

use serde::Serialize;

use super::apply::Keep;
use super::compare::{Difference, Direction, Index, compare};
use super::document::{Document, Parts};
use super::index::Renames;
use super::read::{Reading, read_document};
use crate::access::Engine;
use crate::model::validate::fold;
use crate::service::plan::FreeText;
use crate::service::{Error, Operator, Service};
use crate::store::Store;

/// One user's access, were the target made like the source.
#[derive(Clone, Debug, Serialize)]
pub struct AccessChange {
    pub tenant: String,
    pub username: String,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
}

/// Everything that differs between two stores.
#[derive(Debug, Serialize)]
pub struct StoreDiff {
    pub differences: Vec<Difference>,
    pub access: Vec<AccessChange>,
}

/// Each user's id, tenant and username.
pub type UserNames = Vec<(crate::model::UserId, String, String)>;

/// A store's document, its engine and its users, read in one snapshot.
pub type StoreRead = (Document, Engine, UserNames);

/// Reads one store's document and engine in one snapshot.
pub fn read_store(store: &mut Store, parts: &Parts, reading: &Reading) -> Result<StoreRead, Error> {
    store.read(|tx| {
        let doc = read_document(tx, parts, reading)?;
        let engine = Engine::build_allowing_cycles(&tx.snapshot()?)
            .map_err(|e| Error::Store(crate::store::StoreError::Corrupt(e.to_string())))?;
        let tenants: HashMap<crate::model::TenantId, String> =
            tx.tenants()?.into_iter().map(|t| (t.id, t.name)).collect();
        let users = tx
            .user_names()?
            .into_iter()
            .filter_map(|(id, tenant, name)| {
                let tenant = tenants.get(&tenant)?.clone();
                let covered = reading.tenant.as_ref().is_none_or(|t| *t == tenant);
                covered.then_some((id, tenant, name))
            })
            .collect();
        Ok((doc, engine, users))
    })
}

/// An effective permission by the names it is known by in every store.
type NamedAtom<'e> = (&'e str, Option<&'e str>, Option<&'e str>);

/// Each user's effective permissions by name, keyed by tenant and folded username.
fn access_of<'e>(
    engine: &'e Engine,
    users: &[(crate::model::UserId, String, String)],
) -> HashMap<(String, String), (String, Vec<NamedAtom<'e>>)> {
    users
        .iter()
        .map(|(id, tenant, name)| {
            let mut atoms: Vec<NamedAtom<'e>> = engine
                .effective(*id)
                .map(|set| {
                    engine
                        .atoms(&set)
                        .into_iter()
                        .map(|a| {
                            (
                                engine.permission_key(a.permission).unwrap_or("?"),
                                a.scope.stage.and_then(|s| engine.stage_name(s)),
                                a.scope.app.and_then(|p| engine.app_key(p)),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            atoms.sort_unstable();
            ((tenant.clone(), fold(name)), (name.clone(), atoms))
        })
        .collect()
}

/// `users.view`, `monitoring.view@QA`, `shop.read@QA/shop`, as `warden access` words them.
fn label((key, stage, app): &NamedAtom<'_>) -> String {
    match (stage, app) {
        (None, None) => key.to_string(),
        (Some(s), None) => format!("{key}@{s}"),
        (None, Some(a)) => format!("{key}@{a}"),
        (Some(s), Some(a)) => format!("{key}@{s}/{a}"),
    }
}

/// The access diff of two engines, per user matched by tenant and username (or by external
/// id, through `renamed`).
pub fn access_diff(
    source: (&Engine, &[(crate::model::UserId, String, String)]),
    target: (&Engine, &[(crate::model::UserId, String, String)]),
    renamed: &Renames,
    prune: bool,
) -> Vec<AccessChange> {
    let wanted = access_of(source.0, source.1);
    let stored: HashMap<(String, String), (String, Vec<NamedAtom<'_>>)> =
        access_of(target.0, target.1)
            .into_iter()
            .map(|(key, value)| match renamed.get(&key) {
                Some(new) => (new.clone(), value),
                None => (key, value),
            })
            .collect();
    let mut out = Vec::new();
    let mut keys: Vec<&(String, String)> = wanted.keys().chain(stored.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let nothing = Vec::new();
    for key in keys {
        let (name, after) = match (wanted.get(key), stored.get(key)) {
            (Some((name, atoms)), _) => (name, atoms),
            // A user only the target has keeps their access unless pruned.
            (None, Some((name, _))) if prune => (name, &nothing),
            _ => continue,
        };
        let before = stored.get(key).map(|(_, a)| a).unwrap_or(&nothing);
        if before == after {
            continue;
        }
        let before_set: BTreeSet<&NamedAtom<'_>> = before.iter().collect();
        let after_set: BTreeSet<&NamedAtom<'_>> = after.iter().collect();
        out.push(AccessChange {
            tenant: key.0.clone(),
            username: name.clone(),
            gained: after_set
                .difference(&before_set)
                .map(|a| label(a))
                .collect(),
            lost: before_set
                .difference(&after_set)
                .map(|a| label(a))
                .collect(),
        });
    }
    out
}

/// Compares two stores: what would make `target` like `source`, and what it does to access.
pub fn diff_stores(
    source: &mut Store,
    target: &mut Store,
    parts: &Parts,
    reading: &Reading,
    prune: bool,
) -> Result<StoreDiff, Error> {
    let (source_doc, source_engine, source_users) = read_store(source, parts, reading)?;
    let (target_doc, target_engine, target_users) = read_store(target, parts, reading)?;
    let target_index = Index::of(target_doc);
    let renamed = target_index.renames(&source_doc);
    let differences = compare(source_doc, &target_index, Direction::Sync { prune });
    let access = access_diff(
        (&source_engine, &source_users),
        (&target_engine, &target_users),
        &renamed,
        prune,
    );
    Ok(StoreDiff {
        differences,
        access,
    })
}

/// What to sync, and how.
#[derive(Clone, Copy)]
pub struct SyncRequest<'a> {
    pub parts: &'a Parts,
    pub reading: &'a Reading,
    /// Delete what only the target has.
    pub prune: bool,
    pub dry_run: bool,
    /// The source, as named to the user (for the audit summary).
    pub from: &'a str,
}

/// What a sync did (or, rehearsed, would do).
#[derive(Debug, Serialize)]
pub struct SyncReport {
    pub differences: Vec<Difference>,
    /// Differences the rules refused, with why (nothing is kept when there are any).
    pub refused: Vec<(String, String)>,
    pub committed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<i64>,
}

impl Service<'_> {
    /// Makes this service's store match `source_doc` (read from the other store) as one
    /// transaction with one audit record; `dry_run` keeps nothing.
    pub fn sync_from(
        &mut self,
        operator: &Operator,
        source_doc: &Document,
        request: &SyncRequest<'_>,
    ) -> Result<SyncReport, Error> {
        let SyncRequest {
            parts,
            reading,
            prune,
            dry_run,
            from,
        } = *request;
        let target_doc = self.store.read(|tx| read_document(tx, parts, reading))?;
        let differences = compare(
            source_doc.clone(),
            &Index::of(target_doc),
            Direction::Sync { prune },
        );
        let items: Vec<_> = differences
            .iter()
            .cloned()
            .map(|d| d.into_item(FreeText::AsStored))
            .collect();
        let applied = self.apply_items(
            operator,
            "sync",
            &format!("sync from {from}: {} differences", differences.len()),
            &items,
            Keep::AllOrNothing,
            !dry_run,
        )?;
        let refused = differences
            .iter()
            .zip(&applied.results)
            .filter_map(|(d, r)| r.as_ref().err().map(|e| (d.subject.clone(), e.to_string())))
            .collect();
        Ok(SyncReport {
            differences,
            refused,
            committed: applied.committed,
            audit_id: applied.audit.map(|a| a.0),
        })
    }
}
