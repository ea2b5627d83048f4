//! Live refresh, the console's side: what the store worker does when the store's watcher
//! (`store::watch`) says someone committed, lost the server, or reached it again. It compares
//! the store's change marker with the one its data was loaded at; when others changed only
//! users it catches up (their rows, the engine brought up to date) instead of reloading the
//! tenant, and the console patches its data in place.

use std::collections::HashSet;
use std::sync::Arc;

use super::state::{AUDIT_KEPT, Data};
use super::worker::{Backend, Reply};
use crate::access::Engine;
use crate::model::{Timestamp, UserId};
use crate::service::catch_up::{CatchUp, Delta};
use crate::service::query::UserView;
use crate::store::watch::StoreEvent;

impl Backend {
    /// Whether anyone changed the store since the last load.
    fn changed_elsewhere(&mut self) -> bool {
        let Some(loaded) = self.marker else {
            return false;
        };
        let Some(store) = self.store.as_mut() else {
            return false;
        };
        match store.read(|tx| tx.change_marker()) {
            Ok(now) => now != loaded,
            // Unreachable for now: the watcher says so, and this is asked again.
            Err(_) => false,
        }
    }

    /// Fresh data after others' changes: only the users they touched when that is all they
    /// did, else everything.
    fn catch_up(&mut self) -> Reply {
        let (Some(marker), Some(engine)) = (self.marker, self.engine.clone()) else {
            return self.load();
        };
        let now = self.clock.now();
        let Some(mut service) = self.service() else {
            return self.load();
        };
        let delta = match service.catch_up(marker, &engine) {
            Ok(CatchUp::Delta(delta)) => delta,
            Ok(CatchUp::Reload) | Err(_) => return self.load(),
        };
        let mut updated = (*engine).clone();
        if updated.apply_all(&delta.engine_changes).is_err() {
            return self.load();
        }
        let updated = Arc::new(updated);
        self.marker = Some(delta.marker);
        self.engine = Some(Arc::clone(&updated));
        Reply::CaughtUp {
            delta: Box::new(delta),
            engine: updated,
            at: now,
        }
    }

    /// What the console hears of the watcher's news: stale data reloaded, a lost connection,
    /// a connection back (and everything reloaded, since what happened meanwhile is unknown).
    pub fn on_store_event(&mut self, event: StoreEvent) -> Vec<Reply> {
        let watching = self.operator.is_some() || self.options.read_only;
        if !watching || self.store.is_none() {
            return Vec::new();
        }
        match event {
            StoreEvent::Changed if self.changed_elsewhere() => {
                vec![Reply::ChangedElsewhere, self.catch_up()]
            }
            StoreEvent::Changed => Vec::new(),
            StoreEvent::Lost(message) => vec![Reply::ConnectionLost(message)],
            StoreEvent::Reconnected => vec![Reply::Reconnected, self.load()],
        }
    }
}

impl Data {
    /// Brings the data up to date with other clients' changes to users (see
    /// `Service::catch_up`): their rows replaced, added in username order or removed, the
    /// group and role lists and the engine swapped, the new audit records on top. Call
    /// [`Data::index`] after.
    pub fn catch_up(&mut self, delta: Delta, engine: Arc<Engine>, now: Timestamp) {
        let key = |u: &UserView| crate::model::validate::fold(&u.username);
        let gone: HashSet<UserId> = delta
            .removed
            .iter()
            .copied()
            .chain(delta.users.iter().map(|u| u.id))
            .collect();
        self.users.retain(|u| !gone.contains(&u.id));
        for user in delta.users {
            let at = self.users.partition_point(|other| key(other) < key(&user));
            self.users.insert(at, user);
        }
        self.groups = delta.groups;
        self.roles = delta.roles;
        let mut audit = delta.audit;
        audit.extend(std::mem::take(&mut self.audit));
        audit.truncate(AUDIT_KEPT);
        self.audit = audit;
        self.engine = engine;
        self.loaded_at = now;
    }
}
