//! Noticing other clients' changes as they commit, for the console's live refresh: on
//! PostgreSQL a second connection of its own `LISTEN`s for the notification every write sends
//! at commit (and, since notifications sent while it was away are lost, says so when it comes
//! back after a lost connection); on SQLite a connection of its own reads `PRAGMA
//! data_version`, which moves whenever another connection commits. Either way a thread of its
//! own calls back, and stops when the callback says so.

use std::sync::Arc;
use std::time::Duration;

use super::backend::Backend;
use super::postgres::{CHANGES_CHANNEL, client};
use super::postgres_target::PgTarget;
use super::sql::Connection;
use super::sqlite::SqliteConnection;
use super::{Location, StoreError, StoreOptions};

/// What the watcher saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// Something may have been committed by another client.
    Changed,
    /// The connection to the server went (the server's reason); the watcher is reconnecting.
    Lost(String),
    /// Back after a lost connection: changes made meanwhile were not announced.
    Reconnected,
}

/// How often a SQLite store is looked at.
const SQLITE_LOOK: Duration = Duration::from_millis(250);
/// How long a PostgreSQL listener waits for a notification before checking that the server
/// is still there (which is how a lost connection is noticed without a query to fail).
const PG_WAIT: Duration = Duration::from_millis(1000);
/// The longest wait between reconnection attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Starts watching the store at `location`; `on_event` returns `false` to stop.
pub fn watch(
    location: &Location,
    options: StoreOptions,
    mut on_event: impl FnMut(StoreEvent) -> bool + Send + 'static,
) -> Result<(), StoreError> {
    match Backend::new(location)? {
        Backend::Sqlite(path) => {
            let mut conn = SqliteConnection::open(&path, true, options.busy_timeout)?;
            let mut seen = data_version(&mut conn)?;
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(SQLITE_LOOK);
                    // A look that fails (the file is busy or gone) is retried at the next one.
                    let Ok(now) = data_version(&mut conn) else {
                        continue;
                    };
                    if now != seen {
                        seen = now;
                        if !on_event(StoreEvent::Changed) {
                            return;
                        }
                    }
                }
            });
        }
        Backend::Postgres(target) => {
            let listener = listen(&target, options.busy_timeout)?;
            std::thread::spawn(move || listen_loop(target, options, listener, on_event));
        }
    }
    Ok(())
}

/// The server's own words for a lost connection, short: the console shows them on one line.
fn why(e: &postgres::Error) -> String {
    use std::error::Error as _;
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e
            .source()
            .map_or_else(|| e.to_string(), |source| source.to_string()),
    }
}

fn data_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    conn.query("PRAGMA data_version", &[])?
        .first()
        .ok_or_else(|| StoreError::Backend("PRAGMA data_version returned nothing".into()))?
        .int(0)
}

fn listen(target: &PgTarget, busy_timeout: Duration) -> Result<postgres::Client, StoreError> {
    let mut client = client(target, busy_timeout)?;
    client
        .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
        .map_err(|e| super::postgres_error::map_error(target, &e))?;
    Ok(client)
}

fn listen_loop(
    target: Arc<PgTarget>,
    options: StoreOptions,
    mut client: postgres::Client,
    mut on_event: impl FnMut(StoreEvent) -> bool,
) {
    use postgres::fallible_iterator::FallibleIterator;
    loop {
        let next = client.notifications().timeout_iter(PG_WAIT).next();
        let lost = match next {
            Ok(Some(notification)) => {
                if notification.payload() == target.schema && !on_event(StoreEvent::Changed) {
                    return;
                }
                continue;
            }
            // Nothing within the wait, or the server hung up: a round trip tells which.
            Ok(None) => match client.is_valid(PG_WAIT) {
                Ok(()) => continue,
                Err(e) => why(&e),
            },
            Err(e) => why(&e),
        };
        if !on_event(StoreEvent::Lost(lost)) {
            return;
        }
        let mut wait = Duration::from_millis(250);
        client = loop {
            std::thread::sleep(wait);
            match listen(&target, options.busy_timeout) {
                Ok(client) => break client,
                Err(_) => wait = (wait * 2).min(BACKOFF_MAX),
            }
        };
        if !on_event(StoreEvent::Reconnected) {
            return;
        }
    }
}
