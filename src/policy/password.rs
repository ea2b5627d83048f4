//! Password rules. Each rule passes or fails on its own with a human reason, so the console
//! can show a checklist that lights up while a password is typed, and a refusal can say every
//! rule that failed. Lengths count Unicode characters; nothing is ever truncated.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;

use super::hash;
use super::settings::PasswordPolicy;

const COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

/// How much of a password zxcvbn scores: longer inputs take hundreds of milliseconds.
pub const ZXCVBN_INPUT_CAP: usize = 64;

/// Who the password is for: the rules that compare against them need it.
#[derive(Clone, Debug, Default)]
pub struct Subject<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
}

/// The outcome of one rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleCheck {
    /// Stable id: `min-length`, `uppercase`, `not-common`, ...
    pub rule: &'static str,
    /// What the rule asks, e.g. `at least 12 characters`.
    pub requirement: String,
    pub passed: bool,
}

/// Every rule in force, in order, each passed or failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub checks: Vec<RuleCheck>,
}

impl Checklist {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    pub fn failures(&self) -> impl Iterator<Item = &RuleCheck> {
        self.checks.iter().filter(|c| !c.passed)
    }

    fn push(&mut self, rule: &'static str, requirement: impl Into<String>, passed: bool) {
        self.checks.push(RuleCheck {
            rule,
            requirement: requirement.into(),
            passed,
        });
    }

    /// `too short: at least 12 characters; a digit` — the failed requirements, for a refusal.
    pub fn summary(&self) -> String {
        self.failures()
            .map(|c| c.requirement.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON_PASSWORDS.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether `candidate` is on the shipped list of common and breached passwords.
pub fn is_common(candidate: &str) -> bool {
    common_passwords().contains(candidate.to_lowercase().as_str())
}

/// Every rule that can be judged from the candidate alone (all but history), in the order
/// the checklist shows them. Cheap enough to run on every keystroke.
pub fn check(policy: &PasswordPolicy, candidate: &str, subject: &Subject<'_>) -> Checklist {
    let mut list = Checklist::default();
    let length = candidate.chars().count();
    list.push(
        "min-length",
        format!("at least {} characters", policy.min_length),
        length >= policy.min_length,
    );
    list.push(
        "max-length",
        format!("at most {} characters", policy.max_length),
        length <= policy.max_length,
    );
    if policy.lowercase {
        list.push(
            "lowercase",
            "a lowercase letter",
            candidate.chars().any(char::is_lowercase),
        );
    }
    if policy.uppercase {
        list.push(
            "uppercase",
            "an uppercase letter",
            candidate.chars().any(char::is_uppercase),
        );
    }
    if policy.digit {
        list.push(
            "digit",
            "a digit",
            candidate.chars().any(|c| c.is_ascii_digit()),
        );
    }
    if policy.special {
        list.push(
            "special",
            format!("one of {}", policy.special_characters),
            candidate
                .chars()
                .any(|c| policy.special_characters.contains(c)),
        );
    }
    if policy.no_username {
        let lowered = candidate.to_lowercase();
        let mut names = vec![subject.username.to_lowercase()];
        if let Some(local) = subject.email.and_then(|e| e.split('@').next()) {
            names.push(local.to_lowercase());
        }
        // Very short names would forbid half the dictionary; they are not checked.
        let contains = names
            .iter()
            .any(|n| n.chars().count() >= 3 && lowered.contains(n.as_str()));
        list.push(
            "no-username",
            "does not contain the username or the email name",
            !contains,
        );
    }
    if policy.not_common {
        list.push(
            "not-common",
            "not a common or breached password",
            !is_common(candidate),
        );
    }
    if let Some(min) = policy.zxcvbn_min_score {
        let scored: String = candidate.chars().take(ZXCVBN_INPUT_CAP).collect();
        let mut inputs = vec![subject.username];
        inputs.extend(subject.email);
        let score = u8::from(zxcvbn::zxcvbn(&scored, &inputs).score());
        list.push(
            "strength",
            format!("strength score at least {min} of 4"),
            score >= min,
        );
    }
    if let Some(regex) = &policy.regex {
        list.push(
            "pattern",
            format!("matches {}", regex.as_str()),
            regex.is_match(candidate),
        );
    }
    list
}

/// Adds the history rule: the candidate matches none of the user's recent hashes. Slow (one
/// hash per remembered password), so it runs when a password is submitted, not per keystroke.
pub fn check_history(
    list: &mut Checklist,
    policy: &PasswordPolicy,
    candidate: &str,
    recent: &[String],
) {
    if policy.history == 0 {
        return;
    }
    let reused = recent
        .iter()
        .take(policy.history)
        .any(|phc| matches!(hash::verify(candidate, phc), Ok(true)));
    list.push(
        "not-recent",
        format!("not one of your last {} passwords", policy.history),
        !reused,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::settings::Policy;
    use std::collections::BTreeMap;

    fn policy() -> PasswordPolicy {
        Policy::from_values(&BTreeMap::new()).password
    }

    fn rule(list: &Checklist, id: &str) -> bool {
        list.checks
            .iter()
            .find(|c| c.rule == id)
            .unwrap_or_else(|| panic!("no rule {id}"))
            .passed
    }

    const ALICE: Subject<'static> = Subject {
        username: "alice",
        email: Some("alice.smith@example.com"),
    };

    #[test]
    fn a_good_password_passes_every_rule() {
        let list = check(&policy(), "Correct-Horse-7", &ALICE);
        assert!(list.passed(), "{list:?}");
        assert_eq!(list.checks.len(), 8);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let p = policy();
        assert!(!rule(&check(&p, "Short-1a", &ALICE), "min-length"));
        assert!(
            rule(&check(&p, "Ünïcödé-Pw-9", &ALICE), "min-length"),
            "12 characters, more bytes"
        );
        let at_max: String = format!("Aa1!{}", "x".repeat(124));
        assert_eq!(at_max.chars().count(), 128);
        assert!(rule(&check(&p, &at_max, &ALICE), "max-length"));
        let over = format!("{at_max}y");
        let list = check(&p, &over, &ALICE);
        assert!(!rule(&list, "max-length"));
        assert_eq!(list.summary(), "at most 128 characters");
        let huge: String = "Aa1!".repeat(50);
        assert!(
            !rule(&check(&p, &huge, &ALICE), "max-length"),
            "200 characters: refused, not cut"
        );
    }

    #[test]
    fn each_character_class_is_its_own_rule() {
        let p = policy();
        assert!(!rule(&check(&p, "CORRECT-HORSE-7", &ALICE), "lowercase"));
        assert!(rule(&check(&p, "cORRECT-HORSE-7", &ALICE), "lowercase"));
        assert!(!rule(&check(&p, "correct-horse-7", &ALICE), "uppercase"));
        assert!(rule(&check(&p, "Correct-horse-7", &ALICE), "uppercase"));
        assert!(!rule(&check(&p, "Correct-Horse-x", &ALICE), "digit"));
        assert!(rule(&check(&p, "Correct-Horse-0", &ALICE), "digit"));
    }

    #[test]
    fn the_special_characters_are_exactly_the_odc_set() {
        let p = policy();
        for c in "!\\#$%&'()*+,-./:;<=>?@[".chars() {
            assert!(
                rule(&check(&p, &format!("CorrectHorse7{c}"), &ALICE), "special"),
                "{c:?} counts"
            );
        }
        for c in "\"]^_`{|}~ €".chars() {
            assert!(
                !rule(&check(&p, &format!("CorrectHorse7{c}"), &ALICE), "special"),
                "{c:?} does not count"
            );
        }
    }

    #[test]
    fn the_username_and_email_name_are_refused() {
        let p = policy();
        assert!(!rule(&check(&p, "My-Alice-Pw-2026", &ALICE), "no-username"));
        assert!(
            !rule(&check(&p, "xx-ALICE.SMITH-99", &ALICE), "no-username"),
            "email local part"
        );
        assert!(rule(&check(&p, "Correct-Horse-7", &ALICE), "no-username"));
        let al = Subject {
            username: "al",
            email: None,
        };
        assert!(
            rule(&check(&p, "Always-Alert-7", &al), "no-username"),
            "two letters are not checked"
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        let p = policy();
        assert!(is_common("password1"));
        assert!(!rule(&check(&p, "PASSWORD1", &ALICE), "not-common"));
        assert!(rule(&check(&p, "Correct-Horse-7", &ALICE), "not-common"));
    }

    #[test]
    fn recent_passwords_are_refused() {
        let p = policy();
        let fast = hash::HashParams {
            memory_kib: hash::MIN_MEMORY_KIB,
            iterations: 1,
            parallelism: 1,
        };
        let old = hash::hash("Correct-Horse-7", fast).unwrap();
        let mut list = check(&p, "Correct-Horse-7", &ALICE);
        check_history(&mut list, &p, "Correct-Horse-7", std::slice::from_ref(&old));
        assert!(!rule(&list, "not-recent"));
        let mut list = check(&p, "Correct-Horse-8", &ALICE);
        check_history(&mut list, &p, "Correct-Horse-8", &[old]);
        assert!(rule(&list, "not-recent"));
    }

    #[test]
    fn optional_rules_apply_only_when_set() {
        let mut p = policy();
        assert!(
            check(&p, "Correct-Horse-7", &ALICE)
                .checks
                .iter()
                .all(|c| c.rule != "strength")
        );
        p.zxcvbn_min_score = Some(3);
        assert!(!rule(&check(&p, "password1", &ALICE), "strength"));
        assert!(rule(&check(&p, "vX9#qLm2!tRw8@pZ", &ALICE), "strength"));
        // Scoring is capped: a 10,000-character password is scored on its first 64.
        let long = "vX9#qLm2!tRw8@pZ".repeat(625);
        let started = std::time::Instant::now();
        check(&p, &long, &ALICE);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        p.regex = Some(regex::Regex::new("^[^ ]+$").unwrap());
        assert!(!rule(&check(&p, "Correct Horse 7!", &ALICE), "pattern"));
        assert!(rule(&check(&p, "Correct-Horse-7", &ALICE), "pattern"));
    }
}
