//! The one mapping from PostgreSQL's errors to [`StoreError`]: what a person can act on, with
//! the store named by host and database and never the password; and which errors mean the
//! connection itself is gone (so the next transaction starts on a new one).

use std::error::Error as _;

use super::error::StoreError;
use super::postgres_target::PgTarget;

/// Whether an error means the connection itself is gone (closed, cut, or ended by the server
/// shutting down), rather than a statement failing on a live one.
pub fn connection_gone(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.as_db_error() {
        Some(db) => matches!(db.code().code(), "57P01" | "57P02" | "57P03"),
        // Not from the server: the socket (reset, broken pipe, end of stream).
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// An error while connecting, in the terms a person acts on.
pub fn connect_error(target: &PgTarget, e: &postgres::Error) -> StoreError {
    if e.as_db_error().is_some() {
        return map_error(target, e);
    }
    let cause = e
        .source()
        .map_or_else(|| e.to_string(), |source| source.to_string());
    if cause.contains("certificate") {
        return StoreError::Unavailable(format!(
            "the PostgreSQL server for {} showed a certificate that was not accepted ({cause}); check sslrootcert (the authority that signed it) and that the host name is the one in it",
            target.describe()
        ));
    }
    StoreError::Unavailable(format!(
        "cannot reach the PostgreSQL server for {} ({cause}); check that it runs and that host and port are right",
        target.describe()
    ))
}

/// The one mapping from PostgreSQL errors to store errors.
pub fn map_error(target: &PgTarget, e: &postgres::Error) -> StoreError {
    let place = target.describe();
    let Some(db) = e.as_db_error() else {
        if e.is_closed() {
            return StoreError::Unavailable(format!(
                "lost the connection to {place}; nothing of the interrupted change was saved — try again (warden reconnects)"
            ));
        }
        let cause = e
            .source()
            .map_or_else(|| e.to_string(), |source| source.to_string());
        return StoreError::Unavailable(format!("{place}: {cause}"));
    };
    let code = db.code().code();
    let message = db.message();
    match code {
        // Unique and foreign-key violations: another writer got there first.
        "23505" | "23503" => StoreError::Conflict(match db.detail() {
            Some(detail) => format!("{message} ({detail})"),
            None => message.to_string(),
        }),
        // lock_not_available (lock_timeout), deadlock, serialization failure.
        "55P03" | "40P01" | "40001" => StoreError::Locked { waited_ms: 0 },
        "57014" => StoreError::Unavailable(format!(
            "{place}: a statement ran past the server's statement_timeout and was cancelled; nothing was changed — try again, or ask the database administrator about the timeout"
        )),
        "28P01" | "28000" => {
            let mut text = format!(
                "{place} refused to let user {} sign in ({message}); check the password (the URL, PGPASSWORD or the password file)",
                target.user
            );
            if let Some(ignored) = &target.passfile_ignored {
                text.push_str("; ");
                text.push_str(ignored);
            }
            StoreError::Unavailable(text)
        }
        "3D000" => StoreError::Unavailable(format!(
            "{place}: the database {} does not exist on the server; create it (createdb {}) or name another",
            target.dbname, target.dbname
        )),
        "42501" => StoreError::Unavailable(format!(
            "{place}: user {} lacks a privilege warden needs ({message}); warden needs to own (or create) its schema {}",
            target.user, target.schema
        )),
        "57P01" | "57P02" | "57P03" | "08006" | "08001" | "08004" => {
            StoreError::Unavailable(format!(
                "{place}: the server is not accepting work ({message}); warden reconnects when it is back"
            ))
        }
        "53300" => StoreError::Unavailable(format!(
            "{place}: the server has no connection slot left ({message}); try again shortly"
        )),
        // Data that does not fit the schema: a store edited outside warden.
        "22P02" | "22003" | "23502" | "23514" => StoreError::Corrupt(format!("{place}: {message}")),
        _ => StoreError::Backend(format!("{place}: {message} (SQLSTATE {code})")),
    }
}
