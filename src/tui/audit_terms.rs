//! The Audit tab's filter terms besides fuzzy text: `op:root user:alice action:user
//! since:2026-11-01 until:2026-12-01`, the same question `warden audit list` answers with
//! `--operator --user --action --since --until` (one predicate, [`AuditQuery`]). Typing narrows
//! the records the console holds (the newest, loaded with the store); Enter asks the store's
//! whole trail too, and older records that answer are added to the list.

use super::state::Data;
use super::terms::words;
use crate::service::audit_query::{AuditQuery, parse_time};

/// A query split into audit terms and the fuzzy words left over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub query: AuditQuery,
    pub fuzzy: String,
    /// Terms that cannot be read, and why (shown while the filter is typed).
    pub problems: Vec<String>,
}

impl Parsed {
    pub fn has_terms(&self) -> bool {
        !self.query.is_empty() || !self.problems.is_empty()
    }
}

pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut fuzzy = Vec::new();
    for word in words(text) {
        let Some((key, value)) = word.split_once(':') else {
            fuzzy.push(word);
            continue;
        };
        let value = value.trim_matches('"').to_string();
        let mut time = |slot: &mut Option<crate::model::Timestamp>| match parse_time(&value) {
            Ok(t) => *slot = Some(t),
            Err(e) => parsed.problems.push(e),
        };
        match key.to_ascii_lowercase().as_str() {
            "op" | "operator" => parsed.query.operator = Some(value),
            "user" => parsed.query.user = Some(value),
            "action" => parsed.query.action = Some(value),
            "since" => {
                let mut since = parsed.query.since;
                time(&mut since);
                parsed.query.since = since;
            }
            "until" => {
                let mut until = parsed.query.until;
                time(&mut until);
                parsed.query.until = until;
            }
            _ => fuzzy.push(word),
        }
    }
    parsed.fuzzy = fuzzy.join(" ");
    parsed
}

/// Which records (by row of `data.audit`) the terms admit.
pub fn admitted(parsed: &Parsed, data: &Data) -> Vec<bool> {
    if !parsed.problems.is_empty() {
        return vec![false; data.audit.len()];
    }
    data.audit.iter().map(|r| parsed.query.admits(r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_the_audit_question_and_the_rest_stays_fuzzy() {
        let parsed =
            parse("op:root user:alice action:user since:2026-11-01 until:2026-12-01 grant");
        assert_eq!(parsed.query.operator.as_deref(), Some("root"));
        assert_eq!(parsed.query.user.as_deref(), Some("alice"));
        assert_eq!(parsed.query.action.as_deref(), Some("user"));
        assert_eq!(parsed.query.since, Some(parse_time("2026-11-01").unwrap()));
        assert_eq!(parsed.query.until, Some(parse_time("2026-12-01").unwrap()));
        assert_eq!(parsed.fuzzy, "grant");
        assert!(parsed.problems.is_empty());
        let bad = parse("since:yesterday");
        assert_eq!(bad.problems.len(), 1, "{bad:?}");
        assert!(bad.has_terms());
    }
}
