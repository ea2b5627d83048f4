//! The per-store policy: every password, lockout and hashing setting with its default, its
//! allowed values and what it means, in one table. The store keeps only the values an operator
//! changed (`warden policy set KEY VALUE`); everything else is the default here. A stored value
//! that no longer parses (a store edited by hand) falls back to the default and is reported.

use std::collections::BTreeMap;

use super::hash::{HashParams, MAX_ITERATIONS, MAX_MEMORY_KIB, MAX_PARALLELISM, MIN_MEMORY_KIB};

/// The ODC special characters, exactly.
pub const DEFAULT_SPECIALS: &str = "!\\#$%&'()*+,-./:;<=>?@[";

/// What kind of value a setting holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An integer within bounds.
    Int {
        min: i64,
        max: i64,
    },
    /// An integer within bounds, or `off`.
    OptionalInt {
        min: i64,
        max: i64,
    },
    Bool,
    /// Text, or `off` when optional.
    Text {
        optional: bool,
    },
}

/// One setting: its key, default, kind and meaning.
pub struct Setting {
    pub key: &'static str,
    pub default: &'static str,
    kind: Kind,
    pub description: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "password.min_length",
        default: "12",
        kind: Kind::Int { min: 8, max: 128 },
        description: "fewest characters (Unicode characters, not bytes)",
    },
    Setting {
        key: "password.max_length",
        default: "128",
        kind: Kind::Int { min: 64, max: 1024 },
        description: "most characters; longer passwords are refused, never truncated",
    },
    Setting {
        key: "password.lowercase",
        default: "true",
        kind: Kind::Bool,
        description: "require a lowercase letter",
    },
    Setting {
        key: "password.uppercase",
        default: "true",
        kind: Kind::Bool,
        description: "require an uppercase letter",
    },
    Setting {
        key: "password.digit",
        default: "true",
        kind: Kind::Bool,
        description: "require a digit",
    },
    Setting {
        key: "password.special",
        default: "true",
        kind: Kind::Bool,
        description: "require one of password.special_characters",
    },
    Setting {
        key: "password.special_characters",
        default: DEFAULT_SPECIALS,
        kind: Kind::Text { optional: false },
        description: "the characters that count as special",
    },
    Setting {
        key: "password.no_username",
        default: "true",
        kind: Kind::Bool,
        description: "refuse passwords containing the username or the email's local part",
    },
    Setting {
        key: "password.not_common",
        default: "true",
        kind: Kind::Bool,
        description: "refuse the 30,000 most common and breached passwords",
    },
    Setting {
        key: "password.history",
        default: "5",
        kind: Kind::Int { min: 0, max: 24 },
        description: "refuse the last N passwords of the user (0: off)",
    },
    Setting {
        key: "password.zxcvbn_min_score",
        default: "off",
        kind: Kind::OptionalInt { min: 0, max: 4 },
        description: "minimum zxcvbn strength score 0-4 (first 64 characters scored)",
    },
    Setting {
        key: "password.regex",
        default: "off",
        kind: Kind::Text { optional: true },
        description: "a regular expression every password must match",
    },
    Setting {
        key: "password.max_age_days",
        default: "off",
        kind: Kind::OptionalInt { min: 1, max: 3650 },
        description: "days before a password must be changed (forced rotation is discouraged)",
    },
    Setting {
        key: "lockout.threshold",
        default: "5",
        kind: Kind::Int { min: 1, max: 100 },
        description: "failed sign-in or password-change attempts that lock the account",
    },
    Setting {
        key: "lockout.window_minutes",
        default: "15",
        kind: Kind::Int { min: 1, max: 1440 },
        description: "failures older than this are forgotten",
    },
    Setting {
        key: "lockout.duration_minutes",
        default: "15",
        kind: Kind::Int { min: 1, max: 10080 },
        description: "a lock ends after this long without attempts",
    },
    Setting {
        key: "lockout.progressive",
        default: "false",
        kind: Kind::Bool,
        description: "double the lock for each further threshold of consecutive failures",
    },
    Setting {
        key: "lockout.max_duration_minutes",
        default: "1440",
        kind: Kind::Int { min: 1, max: 10080 },
        description: "the longest a progressive lock lasts",
    },
    Setting {
        key: "lockout.hard_limit",
        default: "100",
        kind: Kind::Int { min: 1, max: 100 },
        description: "consecutive failures after which only an administrator can unlock (NIST: at most 100)",
    },
    Setting {
        key: "hash.memory_kib",
        default: "19456",
        kind: Kind::Int {
            min: MIN_MEMORY_KIB as i64,
            max: MAX_MEMORY_KIB as i64,
        },
        description: "argon2id memory per hash, KiB (OWASP: 19456)",
    },
    Setting {
        key: "hash.iterations",
        default: "2",
        kind: Kind::Int {
            min: 1,
            max: MAX_ITERATIONS as i64,
        },
        description: "argon2id passes (OWASP: 2)",
    },
    Setting {
        key: "hash.parallelism",
        default: "1",
        kind: Kind::Int {
            min: 1,
            max: MAX_PARALLELISM as i64,
        },
        description: "argon2id lanes (OWASP: 1)",
    },
];

/// Looks a setting up by key.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

impl Setting {
    /// Checks and normalizes a value for this setting.
    pub fn parse(&self, value: &str) -> Result<String, String> {
        let value = value.trim();
        let int = |min: i64, max: i64| -> Result<String, String> {
            let n: i64 = value
                .parse()
                .map_err(|_| format!("{} takes a whole number, not {value:?}", self.key))?;
            if n < min || n > max {
                return Err(format!("{} must be between {min} and {max}", self.key));
            }
            Ok(n.to_string())
        };
        match self.kind {
            Kind::Int { min, max } => int(min, max),
            Kind::OptionalInt { min, max } => {
                if value.eq_ignore_ascii_case("off") {
                    Ok("off".into())
                } else {
                    int(min, max)
                }
            }
            Kind::Bool => match value.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" => Ok("true".into()),
                "false" | "off" | "no" => Ok("false".into()),
                _ => Err(format!("{} takes true or false, not {value:?}", self.key)),
            },
            Kind::Text { optional } => {
                if optional && value.eq_ignore_ascii_case("off") {
                    return Ok("off".into());
                }
                if value.is_empty() {
                    return Err(format!("{} must not be empty", self.key));
                }
                if let Some(c) = crate::text::first_unsafe_char(value) {
                    return Err(format!(
                        "{} contains the control character U+{:04X}",
                        self.key, c as u32
                    ));
                }
                if self.key == "password.regex" {
                    regex::Regex::new(value)
                        .map_err(|e| format!("password.regex is not a valid expression: {e}"))?;
                }
                Ok(value.to_string())
            }
        }
    }
}

/// Password rules in force.
#[derive(Clone, Debug)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    pub lowercase: bool,
    pub uppercase: bool,
    pub digit: bool,
    pub special: bool,
    pub special_characters: String,
    pub no_username: bool,
    pub not_common: bool,
    pub history: usize,
    pub zxcvbn_min_score: Option<u8>,
    pub regex: Option<regex::Regex>,
    pub max_age_days: Option<i64>,
}

/// Lockout rules in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub threshold: i64,
    pub window_ms: i64,
    pub duration_ms: i64,
    pub progressive: bool,
    pub max_duration_ms: i64,
    pub hard_limit: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Policy::from_values(&BTreeMap::new()).lockout
    }
}

/// Everything a store's settings decide.
#[derive(Clone, Debug)]
pub struct Policy {
    pub password: PasswordPolicy,
    pub lockout: LockoutPolicy,
    pub hash: HashParams,
    /// Stored values that did not parse, with why; the default was used instead.
    pub problems: Vec<String>,
}

const MINUTE_MS: i64 = 60_000;

impl Policy {
    /// The policy from stored values (overrides of the defaults).
    pub fn from_values(stored: &BTreeMap<String, String>) -> Policy {
        let mut problems = Vec::new();
        let mut get = |key: &str| -> String {
            let Some(def) = setting(key) else {
                return String::new();
            };
            match stored.get(key) {
                Some(value) => match def.parse(value) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(format!("stored {e}; using the default {}", def.default));
                        def.default.to_string()
                    }
                },
                None => def.default.to_string(),
            }
        };
        let int = |v: String| v.parse::<i64>().unwrap_or(0);
        let optional = |v: String| v.parse::<i64>().ok();
        let flag = |v: String| v == "true";
        let password = PasswordPolicy {
            min_length: int(get("password.min_length")) as usize,
            max_length: int(get("password.max_length")) as usize,
            lowercase: flag(get("password.lowercase")),
            uppercase: flag(get("password.uppercase")),
            digit: flag(get("password.digit")),
            special: flag(get("password.special")),
            special_characters: get("password.special_characters"),
            no_username: flag(get("password.no_username")),
            not_common: flag(get("password.not_common")),
            history: int(get("password.history")) as usize,
            zxcvbn_min_score: optional(get("password.zxcvbn_min_score")).map(|n| n as u8),
            regex: match get("password.regex").as_str() {
                "off" => None,
                pattern => regex::Regex::new(pattern).ok(),
            },
            max_age_days: optional(get("password.max_age_days")),
        };
        let lockout = LockoutPolicy {
            threshold: int(get("lockout.threshold")),
            window_ms: int(get("lockout.window_minutes")) * MINUTE_MS,
            duration_ms: int(get("lockout.duration_minutes")) * MINUTE_MS,
            progressive: flag(get("lockout.progressive")),
            max_duration_ms: int(get("lockout.max_duration_minutes")) * MINUTE_MS,
            hard_limit: int(get("lockout.hard_limit")),
        };
        let hash = HashParams {
            memory_kib: int(get("hash.memory_kib")) as u32,
            iterations: int(get("hash.iterations")) as u32,
            parallelism: int(get("hash.parallelism")) as u32,
        };
        Policy {
            password,
            lockout,
            hash,
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_odc_and_owasp_values() {
        let policy = Policy::from_values(&BTreeMap::new());
        assert_eq!(policy.password.min_length, 12);
        assert_eq!(policy.password.max_length, 128);
        assert_eq!(
            policy.password.special_characters,
            "!\\#$%&'()*+,-./:;<=>?@["
        );
        assert_eq!(policy.password.history, 5);
        assert!(policy.password.zxcvbn_min_score.is_none());
        assert_eq!(policy.lockout.threshold, 5);
        assert_eq!(policy.lockout.duration_ms, 15 * 60_000);
        assert_eq!(policy.lockout.window_ms, 15 * 60_000);
        assert_eq!(policy.lockout.hard_limit, 100);
        assert_eq!(
            (
                policy.hash.memory_kib,
                policy.hash.iterations,
                policy.hash.parallelism
            ),
            (19456, 2, 1)
        );
        assert!(policy.problems.is_empty());
    }

    #[test]
    fn values_are_checked_against_their_bounds() {
        let min = setting("password.min_length").unwrap();
        assert_eq!(min.parse("14"), Ok("14".into()));
        assert!(min.parse("6").is_err(), "NIST: at least 8");
        assert!(min.parse("x").is_err());
        let memory = setting("hash.memory_kib").unwrap();
        assert!(memory.parse("4194304").is_err(), "above the ceiling");
        let score = setting("password.zxcvbn_min_score").unwrap();
        assert_eq!(score.parse("OFF"), Ok("off".into()));
        assert!(score.parse("5").is_err());
        assert!(setting("password.regex").unwrap().parse("(").is_err());
        assert_eq!(
            setting("lockout.progressive").unwrap().parse("on"),
            Ok("true".into())
        );
    }

    #[test]
    fn a_bad_stored_value_falls_back_and_is_reported() {
        let stored = BTreeMap::from([("lockout.threshold".to_string(), "many".to_string())]);
        let policy = Policy::from_values(&stored);
        assert_eq!(policy.lockout.threshold, 5);
        assert_eq!(policy.problems.len(), 1);
    }
}
