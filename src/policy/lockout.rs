//! Lockout as a pure state machine with the clock passed in (after Kanidm's softlock): what an
//! attempt is allowed to do, and the state it leaves, for a given state and time. The store
//! runs [`admit`] inside one serialized write, so parallel attempts are counted exactly and
//! never more than `threshold` of them reach the password hash.
//!
//! An attempt is *admitted* (its password will be checked) only when the account is not
//! locked; admission counts it as a failure in advance and, when it is the threshold-th,
//! locks the account provisionally. A correct password then clears everything
//! ([`succeeded`]); a wrong one leaves the count (and lock) as admission set it. Attempts on a
//! locked account are refused without looking at the hash, and restart the lock: it ends after
//! `duration` with no attempts (ODC). Failures older than `window` are forgotten. After
//! `hard_limit` consecutive checked failures (NIST: at most 100) only an administrator unlocks.

use crate::model::{LockState, Timestamp};

use super::settings::LockoutPolicy;

/// A lock only an administrator lifts.
pub const UNTIL_UNLOCKED: Timestamp = Timestamp(i64::MAX);

/// What an attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Check the password against the hash.
    Check,
    /// Refuse without checking; the lock lasts until then ([`UNTIL_UNLOCKED`]: an administrator).
    Locked { until: Timestamp },
}

/// How long a lock lasts after `consecutive` checked failures.
pub fn lock_duration(policy: &LockoutPolicy, consecutive: i64) -> i64 {
    if !policy.progressive {
        return policy.duration_ms;
    }
    // Double for each further threshold of consecutive failures, up to the maximum.
    let level = (consecutive.max(1) - 1) / policy.threshold.max(1);
    let mut duration = policy.duration_ms;
    for _ in 0..level.min(32) {
        duration = duration.saturating_mul(2);
        if duration >= policy.max_duration_ms {
            return policy.max_duration_ms;
        }
    }
    duration.min(policy.max_duration_ms.max(policy.duration_ms))
}

/// Decides an attempt at `now` and returns the state to store.
pub fn admit(policy: &LockoutPolicy, state: LockState, now: Timestamp) -> (Admission, LockState) {
    let mut next = state;
    next.last_failure_at = Some(now);
    if let Some(until) = state.locked_until.filter(|&until| until > now) {
        // Locked: refuse, count, and restart the lock (unless only an administrator lifts it).
        next.failed_attempts += 1;
        let until = if until == UNTIL_UNLOCKED {
            UNTIL_UNLOCKED
        } else {
            Timestamp(
                now.0
                    .saturating_add(lock_duration(policy, state.consecutive_failures)),
            )
        };
        next.locked_until = Some(until);
        return (Admission::Locked { until }, next);
    }
    let stale = state
        .last_failure_at
        .is_none_or(|last| now.0.saturating_sub(last.0) >= policy.window_ms);
    if state.locked_until.is_some() || stale {
        // The lock ran out, or the last failure is outside the window: start counting afresh.
        next.failed_attempts = 0;
        next.locked_until = None;
    }
    next.failed_attempts += 1;
    next.consecutive_failures += 1;
    if next.consecutive_failures >= policy.hard_limit {
        next.locked_until = Some(UNTIL_UNLOCKED);
    } else if next.failed_attempts >= policy.threshold {
        next.locked_until = Some(Timestamp(
            now.0
                .saturating_add(lock_duration(policy, next.consecutive_failures)),
        ));
    }
    (Admission::Check, next)
}

/// The state after a correct password: nothing counted, nothing locked.
pub fn succeeded() -> LockState {
    LockState::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    fn policy() -> LockoutPolicy {
        LockoutPolicy::default()
    }

    fn at(minutes: i64) -> Timestamp {
        Timestamp(1_000_000_000_000 + minutes * MINUTE)
    }

    /// Runs `n` wrong attempts at time `t`, returning the last admission and the state.
    fn fail(
        p: &LockoutPolicy,
        mut state: LockState,
        n: usize,
        t: Timestamp,
    ) -> (Admission, LockState) {
        let mut last = Admission::Check;
        for _ in 0..n {
            (last, state) = admit(p, state, t);
        }
        (last, state)
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let p = policy();
        let (first, s) = fail(&p, LockState::default(), 4, at(0));
        assert_eq!(first, Admission::Check);
        assert_eq!(s.locked_until, None);
        let (fifth, s) = admit(&p, s, at(0));
        assert_eq!(fifth, Admission::Check, "the fifth is still checked");
        assert_eq!(s.locked_until, Some(at(15)));
        let (sixth, s) = admit(&p, s, at(1));
        assert_eq!(
            sixth,
            Admission::Locked { until: at(16) },
            "an attempt restarts the lock"
        );
        assert_eq!(s.failed_attempts, 6);
        let (later, s) = admit(&p, s, at(16));
        assert_eq!(
            later,
            Admission::Check,
            "15 minutes without attempts unlock"
        );
        assert_eq!(s.failed_attempts, 1);
    }

    #[test]
    fn a_success_clears_everything() {
        let p = policy();
        let (_, s) = fail(&p, LockState::default(), 5, at(0));
        assert!(s.locked_until.is_some());
        assert_eq!(succeeded(), LockState::default());
        let (a, _) = admit(&p, succeeded(), at(0));
        assert_eq!(a, Admission::Check);
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let p = policy();
        let (_, s) = fail(&p, LockState::default(), 4, at(0));
        let (a, s) = admit(&p, s, at(20));
        assert_eq!(a, Admission::Check);
        assert_eq!(s.failed_attempts, 1);
        assert_eq!(s.locked_until, None);
        assert_eq!(
            s.consecutive_failures, 5,
            "consecutive failures are not forgotten"
        );
    }

    #[test]
    fn progressive_locks_double_up_to_the_cap() {
        let p = LockoutPolicy {
            progressive: true,
            max_duration_ms: 50 * MINUTE,
            ..policy()
        };
        assert_eq!(lock_duration(&p, 5), 15 * MINUTE);
        assert_eq!(lock_duration(&p, 10), 30 * MINUTE);
        assert_eq!(lock_duration(&p, 15), 50 * MINUTE, "60 capped at 50");
        let (_, s) = fail(&p, LockState::default(), 5, at(0));
        let (_, s) = fail(&p, s, 5, at(16));
        assert_eq!(s.locked_until, Some(at(16 + 30)));
    }

    #[test]
    fn the_hard_limit_needs_an_administrator() {
        let p = LockoutPolicy {
            hard_limit: 12,
            ..policy()
        };
        let mut s = LockState::default();
        let mut t = 0;
        // Five at a time, waiting out each lock: the attacker's best pace.
        while s.locked_until != Some(UNTIL_UNLOCKED) {
            (_, s) = fail(&p, s, 5, at(t));
            t += 16;
            assert!(t < 1000, "never reached the hard limit");
        }
        assert_eq!(s.consecutive_failures, 12);
        let (a, _) = admit(&p, s, at(t + 10_000));
        assert_eq!(
            a,
            Admission::Locked {
                until: UNTIL_UNLOCKED
            }
        );
    }
}
