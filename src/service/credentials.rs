//! Signing in and passwords: verifying a password under lockout (what `warden verify`, operator
//! sign-in and the console's sign-in screen all use), setting and changing passwords under the
//! policy, API client tokens, and the sign-in timeline.
//!
//! Verification never holds the write lock while hashing: the attempt is admitted (and
//! counted) in one short serialized transaction, the hash is checked outside any transaction,
//! and the outcome is recorded in a second one. Every refusal is the same
//! [`Error::SignInRefused`], and takes the same time: unknown users, inactive users and
//! locked accounts are checked against a dummy hash instead of the real one.

use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{Error, Rule};
use super::operator::{Operator, SignIn};
use super::{Command, Outcome, Service, resolve};
use crate::model::*;
use crate::policy::lockout::{self, Admission};
use crate::policy::password::{self, Checklist, Subject};
use crate::policy::{Policy, hash};
use crate::store::StoreError;

/// A successful password check.
#[derive(Clone, Debug)]
pub struct Verified {
    pub user: User,
    /// The password is temporary, or older than the policy's maximum age.
    pub must_change: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignInView {
    pub at: Timestamp,
    pub outcome: SignInOutcome,
    pub via: SignInVia,
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenView {
    pub token: String,
    pub client: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// The prefix of every token: `wdn_<id>_<secret>`.
const TOKEN_PREFIX: &str = "wdn_";

const DAY_MS: i64 = 86_400_000;

fn hex_random(bytes: usize) -> Result<String, Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| Error::Usage(format!("the system random number generator failed: {e}")))?;
    Ok(hex::encode(buffer))
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `(id, secret, digest of the secret)` for a new token.
fn new_token() -> Result<(String, String, String), Error> {
    let id = hex_random(8)?;
    let secret = hex_random(32)?;
    let digest = digest(&secret);
    Ok((id, secret, digest))
}

impl Service<'_> {
    /// The policy in force in this store.
    pub fn policy(&mut self) -> Result<Policy, Error> {
        self.store.read(|tx| Ok(tx.policy()?))
    }

    /// Checks `username`'s password, applying lockout; one refusal whatever went wrong.
    pub fn verify_password(
        &mut self,
        username: &str,
        password: &str,
        via: SignInVia,
    ) -> Result<Verified, Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        let (policy, user, stored) = self.store.read(|tx| {
            let policy = tx.policy()?;
            let tenant = resolve::tenant(tx, &tenant_name)?;
            // Unknown and ambiguous names are refused like a wrong password: the same time,
            // the same message.
            let user = match resolve::user(tx, &tenant, username) {
                Ok(user) => Some(user),
                Err(Error::NotFound(_) | Error::Ambiguous(_)) => None,
                Err(e) => return Err(e),
            };
            let stored = match &user {
                Some(u) => tx.password_hash(u.id)?,
                None => None,
            };
            Ok((policy, user, stored))
        })?;
        let Some(user) = user else {
            hash::verify_dummy(password, policy.hash);
            return Err(Error::SignInRefused);
        };
        let usable = user.status == UserStatus::Active && user.kind != UserKind::ApiClient;
        let Some(stored) = stored.filter(|_| usable) else {
            hash::verify_dummy(password, policy.hash);
            self.store
                .write(|tx| tx.record_sign_in(user.id, now, SignInOutcome::Inactive, via))?;
            return Err(Error::SignInRefused);
        };
        // Admission: counted and decided in one serialized write, so parallel attempts are
        // counted exactly and at most `threshold` of them reach the hash.
        let admission = self.store.write(|tx| {
            let state = tx.lock_state(user.id)?.unwrap_or_default();
            let (admission, next) = lockout::admit(&policy.lockout, state, now);
            tx.set_lock_state(user.id, next)?;
            if matches!(admission, Admission::Locked { .. }) {
                tx.record_sign_in(user.id, now, SignInOutcome::Locked, via)?;
            }
            Ok::<_, Error>(admission)
        })?;
        if matches!(admission, Admission::Locked { .. }) {
            hash::verify_dummy(password, policy.hash);
            return Err(Error::SignInRefused);
        }
        let checked = hash::verify(password, &stored);
        let outcome = match &checked {
            Ok(true) => SignInOutcome::Ok,
            Ok(false) => SignInOutcome::WrongPassword,
            Err(_) => SignInOutcome::BadHash,
        };
        self.store.write(|tx| {
            if outcome == SignInOutcome::Ok {
                tx.set_lock_state(user.id, lockout::succeeded())?;
                tx.set_last_sign_in(user.id, now)?;
            }
            tx.record_sign_in(user.id, now, outcome, via)
        })?;
        match checked {
            Ok(true) => {
                let expired = policy.password.max_age_days.is_some_and(|days| {
                    user.password_changed_at
                        .is_none_or(|changed| now.0 - changed.0 > days * DAY_MS)
                });
                Ok(Verified {
                    must_change: user.must_change_password || expired,
                    user,
                })
            }
            Ok(false) => Err(Error::SignInRefused),
            Err(e) => Err(Error::Store(StoreError::Corrupt(format!(
                "{}: {e}",
                user.username
            )))),
        }
    }

    /// Signs an operator in with a password. Returns whether they must change it before
    /// doing anything else.
    pub fn sign_in(&mut self, username: &str, password: &str) -> Result<(Operator, bool), Error> {
        let verified = self.verify_password(username, password, SignInVia::Operator)?;
        if verified.user.kind != UserKind::Member {
            return Err(Error::refused(
                Rule::OperatorPermission,
                format!(
                    "{} is a {} user; operators are members (API clients use tokens)",
                    verified.user.username, verified.user.kind
                ),
            ));
        }
        Ok((
            Operator {
                user: verified.user.id,
                username: verified.user.username,
                sign_in: SignIn::Password,
            },
            verified.must_change,
        ))
    }

    /// Signs an API client in with its token (`wdn_<id>_<secret>`).
    pub fn sign_in_token(&mut self, token: &str) -> Result<Operator, Error> {
        let now = self.clock.now();
        let parts = token
            .trim()
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|rest| rest.split_once('_'));
        let Some((id, secret)) = parts else {
            return Err(Error::SignInRefused);
        };
        let (id, secret) = (id.to_string(), secret.to_string());
        self.store.write(|tx| {
            let record = tx.token(&id)?.filter(|t| t.revoked_at.is_none());
            let expected = record
                .as_ref()
                .map_or_else(|| digest(""), |t| t.secret_digest.clone());
            let matches: bool = digest(&secret).as_bytes().ct_eq(expected.as_bytes()).into();
            let Some(record) = record.filter(|_| matches) else {
                return Err(Error::SignInRefused);
            };
            let user = resolve::user_by_id(tx, record.user)?;
            if user.status != UserStatus::Active || user.kind != UserKind::ApiClient {
                return Err(Error::SignInRefused);
            }
            tx.touch_token(&id, now)?;
            Ok(Operator {
                user: user.id,
                username: user.username,
                sign_in: SignIn::Token { id: id.clone() },
            })
        })
    }

    /// Every password rule for `candidate`, with the history rule when the user is named.
    pub fn password_checklist(
        &mut self,
        username: Option<&str>,
        candidate: &str,
    ) -> Result<Checklist, Error> {
        let tenant_name = self.tenant.clone();
        let (policy, user, recent) = self.store.read(|tx| {
            let policy = tx.policy()?;
            let user = match username {
                Some(name) => {
                    let tenant = resolve::tenant(tx, &tenant_name)?;
                    Some(resolve::user(tx, &tenant, name)?)
                }
                None => None,
            };
            let recent = match &user {
                Some(u) => tx.recent_password_hashes(u.id, policy.password.history as i64)?,
                None => Vec::new(),
            };
            Ok::<_, Error>((policy, user, recent))
        })?;
        let subject = Subject {
            username: user.as_ref().map_or("", |u| u.username.as_str()),
            email: user.as_ref().and_then(|u| u.email.as_deref()),
        };
        let mut list = password::check(&policy.password, candidate, &subject);
        if user.is_some() {
            password::check_history(&mut list, &policy.password, candidate, &recent);
        }
        Ok(list)
    }

    /// Sets `username`'s password after checking it against the policy (every failed rule is
    /// named), hashing it outside the write transaction.
    pub fn set_password(
        &mut self,
        operator: &Operator,
        username: &str,
        candidate: &str,
        temporary: bool,
    ) -> Result<Outcome, Error> {
        let checklist = self.password_checklist(Some(username), candidate)?;
        if !checklist.passed() {
            return Err(Error::refused(
                Rule::PasswordPolicy,
                format!(
                    "the password does not meet the policy: {}",
                    checklist.summary()
                ),
            ));
        }
        let tenant_name = self.tenant.clone();
        let (policy, version) = self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            Ok::<_, Error>((tx.policy()?, resolve::user(tx, &tenant, username)?.version))
        })?;
        let hash = hash::hash(candidate, policy.hash)
            .map_err(|e| Error::Store(StoreError::Backend(e.to_string())))?;
        self.execute(
            operator,
            &[Command::SetPassword {
                user: username.to_string(),
                hash,
                temporary,
                expected_version: Some(version),
            }],
        )
    }

    /// An operator changes their own password. The current one is checked (and a wrong one
    /// counts towards lockout) unless the operator just signed in with it.
    pub fn change_own_password(
        &mut self,
        operator: &Operator,
        current: Option<&str>,
        new: &str,
    ) -> Result<Outcome, Error> {
        let has_password = self
            .store
            .read(|tx| Ok::<_, Error>(tx.password_hash(operator.user)?.is_some()))?;
        match (current, &operator.sign_in) {
            (Some(current), _) => {
                self.verify_password(&operator.username, current, SignInVia::Passwd)?;
            }
            (None, SignIn::Password) => {}
            (None, _) if !has_password => {}
            (None, _) => {
                return Err(Error::Usage(
                    "give your current password to change it".into(),
                ));
            }
        }
        self.set_password(operator, &operator.username, new, false)
    }

    /// Creates a token for an API client; returns the outcome and the token, shown only once.
    pub fn create_token(
        &mut self,
        operator: &Operator,
        client: &str,
        name: &str,
        dry_run: bool,
    ) -> Result<(Outcome, String), Error> {
        let (id, secret, digest) = new_token()?;
        let command = [Command::CreateToken {
            client: client.to_string(),
            name: name.to_string(),
            token: id.clone(),
            secret_digest: digest,
        }];
        let outcome = if dry_run {
            self.rehearse(operator, &command)?
        } else {
            self.execute(operator, &command)?
        };
        Ok((outcome, format!("{TOKEN_PREFIX}{id}_{secret}")))
    }

    /// Tokens, of one API client or of all.
    pub fn tokens(&mut self, client: Option<&str>) -> Result<Vec<TokenView>, Error> {
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let user = match client {
                Some(name) => {
                    let tenant = resolve::tenant(tx, &tenant_name)?;
                    Some(resolve::user(tx, &tenant, name)?.id)
                }
                None => None,
            };
            let mut out = Vec::new();
            for t in tx.tokens(user)? {
                out.push(TokenView {
                    client: resolve::user_by_id(tx, t.user)?.username,
                    token: t.id,
                    name: t.name,
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                    revoked_at: t.revoked_at,
                });
            }
            Ok(out)
        })
    }

    /// A user's most recent sign-in attempts, newest first: the lockout timeline.
    pub fn sign_ins(&mut self, username: &str, limit: i64) -> Result<Vec<SignInView>, Error> {
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            let user = resolve::user(tx, &tenant, username)?;
            Ok(tx
                .sign_ins(user.id, limit)?
                .into_iter()
                .map(|e| SignInView {
                    at: e.at,
                    outcome: e.outcome,
                    via: e.via,
                })
                .collect())
        })
    }
}
