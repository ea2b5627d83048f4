//! Credentials in the store: the stored hash and its history, lockout state, the sign-in
//! timeline, API tokens and the policy settings. Lockout counters and sign-in events are
//! written here directly, not as audited changes: they are the record of attempts, not
//! something an operator did.

use std::collections::BTreeMap;

use super::Tx;
use super::error::StoreError;
use super::sql::Row;
use crate::model::*;
use crate::policy::Policy;

/// One attempt in the lockout timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInEvent {
    pub at: Timestamp,
    pub outcome: SignInOutcome,
    pub via: SignInVia,
}

/// An API token as stored (the secret itself is never stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: String,
    pub user: UserId,
    pub name: String,
    pub secret_digest: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

fn token(row: &Row) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        id: row.text(0)?,
        user: UserId(row.int(1)?),
        name: row.text(2)?,
        secret_digest: row.text(3)?,
        created_at: Timestamp(row.int(4)?),
        last_used_at: row.opt_int(5)?.map(Timestamp),
        revoked_at: row.opt_int(6)?.map(Timestamp),
    })
}

const TOKEN_COLUMNS: &str = "id, user_id, name, secret_hash, created_at, last_used_at, revoked_at";

impl Tx<'_> {
    /// The stored settings that differ from the defaults.
    pub fn settings(&mut self) -> Result<BTreeMap<String, String>, StoreError> {
        Ok(self
            .rows("SELECT key, value FROM settings", &[], |r| {
                Ok((r.text(0)?, r.text(1)?))
            })?
            .into_iter()
            .collect())
    }

    /// The policy in force.
    pub fn policy(&mut self) -> Result<Policy, StoreError> {
        Ok(Policy::from_values(&self.settings()?))
    }

    /// The user's password hash, if a password is set.
    pub fn password_hash(&mut self, user: UserId) -> Result<Option<String>, StoreError> {
        Ok(self
            .row(
                "SELECT password_hash FROM users WHERE id = ?",
                &[user.0.into()],
                |r| r.opt_text(0),
            )?
            .flatten())
    }

    /// The current hash and the replaced ones, newest first: what "not a recent password"
    /// compares against.
    pub fn recent_password_hashes(
        &mut self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut hashes: Vec<String> = self.password_hash(user)?.into_iter().collect();
        hashes.extend(self.rows(
            "SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            &[user.0.into(), limit.into()],
            |r| r.text(0),
        )?);
        hashes.truncate(limit.max(0) as usize);
        Ok(hashes)
    }

    pub fn lock_state(&mut self, user: UserId) -> Result<Option<LockState>, StoreError> {
        self.row(
            "SELECT failed_attempts, consecutive_failures, last_failure_at, locked_until
             FROM users WHERE id = ?",
            &[user.0.into()],
            |r| {
                Ok(LockState {
                    failed_attempts: r.int(0)?,
                    consecutive_failures: r.int(1)?,
                    last_failure_at: r.opt_int(2)?.map(Timestamp),
                    locked_until: r.opt_int(3)?.map(Timestamp),
                })
            },
        )
    }

    /// Stores a lockout state decided by the lockout state machine.
    pub fn set_lock_state(&mut self, user: UserId, state: LockState) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE users SET failed_attempts = ?, consecutive_failures = ?,
                 last_failure_at = ?, locked_until = ?
             WHERE id = ?",
            &[
                state.failed_attempts.into(),
                state.consecutive_failures.into(),
                state.last_failure_at.map(|t| t.0).into(),
                state.locked_until.map(|t| t.0).into(),
                user.0.into(),
            ],
        )?;
        Ok(())
    }

    pub fn set_last_sign_in(&mut self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE users SET last_sign_in_at = ? WHERE id = ?",
            &[at.0.into(), user.0.into()],
        )?;
        Ok(())
    }

    /// Appends an attempt to the user's sign-in timeline.
    pub fn record_sign_in(
        &mut self,
        user: UserId,
        at: Timestamp,
        outcome: SignInOutcome,
        via: SignInVia,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sign_ins (user_id, at, outcome, via) VALUES (?, ?, ?, ?)",
            &[
                user.0.into(),
                at.0.into(),
                outcome.as_str().into(),
                via.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// The user's most recent sign-in attempts, newest first.
    pub fn sign_ins(&mut self, user: UserId, limit: i64) -> Result<Vec<SignInEvent>, StoreError> {
        self.rows(
            "SELECT at, outcome, via FROM sign_ins WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            &[user.0.into(), limit.into()],
            |r| {
                Ok(SignInEvent {
                    at: Timestamp(r.int(0)?),
                    outcome: super::read::vocab(r, 1)?,
                    via: super::read::vocab(r, 2)?,
                })
            },
        )
    }

    /// Users locked at `now`, by username.
    pub fn locked_users(&mut self, now: Timestamp) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {} FROM users u WHERE u.locked_until > ? ORDER BY u.username_key",
            super::read::USER_COLUMNS
        );
        self.rows(&sql, &[now.0.into()], super::read::user_row)
    }

    pub fn token(&mut self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?");
        self.row(&sql, &[id.into()], token)
    }

    /// Tokens, of one user or of all, newest first.
    pub fn tokens(&mut self, user: Option<UserId>) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens
             WHERE CAST(? AS BIGINT) IS NULL OR user_id = ? ORDER BY created_at DESC, id"
        );
        let id = user.map(|u| u.0);
        self.rows(&sql, &[id.into(), id.into()], token)
    }

    pub fn touch_token(&mut self, id: &str, at: Timestamp) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
            &[at.0.into(), id.into()],
        )?;
        Ok(())
    }
}
