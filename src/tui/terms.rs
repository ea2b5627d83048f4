//! The Users tab's filter terms besides fuzzy text: `group:ops role:deployer status:active
//! kind:end_user stage:QA locked dormant:90d`. Terms AND together and with the fuzzy words;
//! names match case-insensitively and exactly (`group:ops` is the group ops in any stage,
//! `role:` takes a role key or name, `stage:QA` is everyone in a QA group or assigned a role at
//! QA, `dormant:90d` is everyone active holding some permission who has not signed in for 90
//! days). A value with spaces is quoted (`role:"Analytics Auditor"`), and Tab completes a
//! term's value (a role to its key, from its key or its name). Terms are answered from the
//! engine's indexes, so they cost one pass over the users whatever the store's size.

use std::collections::HashSet;

use super::state::Data;
use crate::model::{Timestamp, UserId, UserKind, UserStatus, Vocabulary};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Group(String),
    Role(String),
    Stage(String),
    Status(UserStatus),
    Kind(UserKind),
    Locked,
    /// Active, holding some permission, and no sign-in for this many days (`dormant:90d`).
    Dormant(i64),
}

/// A query split into terms and the fuzzy words left over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub terms: Vec<Term>,
    pub fuzzy: String,
    /// Terms that cannot match anything, and why (shown while the filter is typed).
    pub problems: Vec<String>,
}

impl Parsed {
    pub fn has_terms(&self) -> bool {
        !self.terms.is_empty() || !self.problems.is_empty()
    }
}

/// The query's words: split at spaces, except inside double quotes (kept in the word).
pub(crate) fn words(query: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

pub fn parse(query: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut fuzzy = Vec::new();
    let words = words(query);
    for word in &words {
        let word = word.as_str();
        if word.eq_ignore_ascii_case("locked") {
            parsed.terms.push(Term::Locked);
            continue;
        }
        let Some((key, value)) = word.split_once(':') else {
            fuzzy.push(word);
            continue;
        };
        let value = value.trim_matches('"');
        match key.to_ascii_lowercase().as_str() {
            "group" => parsed.terms.push(Term::Group(value.to_string())),
            "role" => parsed.terms.push(Term::Role(value.to_string())),
            "stage" => parsed.terms.push(Term::Stage(value.to_string())),
            "status" => match UserStatus::parse(value) {
                Ok(status) => parsed.terms.push(Term::Status(status)),
                Err(e) => parsed.problems.push(e),
            },
            "kind" => match UserKind::parse(value) {
                Ok(kind) => parsed.terms.push(Term::Kind(kind)),
                Err(e) => parsed.problems.push(e),
            },
            "dormant" => match value.trim_end_matches('d').parse::<i64>() {
                Ok(days) if days >= 0 => parsed.terms.push(Term::Dormant(days)),
                _ => parsed.problems.push(format!(
                    "dormant: takes a number of days, like dormant:90d, not {value:?}"
                )),
            },
            _ => fuzzy.push(word),
        }
    }
    parsed.fuzzy = fuzzy.join(" ");
    parsed
}

/// Which users (by row of `data.users`) every term admits; names that match nothing are
/// reported in `problems`.
pub fn admitted(parsed: &mut Parsed, data: &Data, now: Timestamp) -> Vec<bool> {
    let n = data.users.len();
    if !parsed.problems.is_empty() {
        return vec![false; n];
    }
    let mut mask = vec![true; n];
    let e = &data.engine;
    for term in &parsed.terms {
        let allowed: Option<HashSet<UserId>> = match term {
            Term::Group(name) => {
                let groups = e.groups_named(name);
                if groups.is_empty() {
                    parsed.problems.push(format!("no group named {name}"));
                }
                Some(
                    groups
                        .into_iter()
                        .flat_map(|g| e.group_members(g))
                        .collect(),
                )
            }
            Term::Role(key) => {
                let named = || {
                    data.roles
                        .iter()
                        .find(|r| r.name.eq_ignore_ascii_case(key))
                        .map(|r| r.id)
                };
                match e.role_keyed(key).or_else(named) {
                    Some(role) => Some(e.role_holders(role).all().collect()),
                    None => {
                        parsed
                            .problems
                            .push(format!("no role with key or name {key}"));
                        Some(HashSet::new())
                    }
                }
            }
            Term::Stage(name) => match e.stage_named(name) {
                Some(stage) => {
                    let mut users: HashSet<UserId> = e
                        .groups_in_stage(stage)
                        .into_iter()
                        .flat_map(|g| e.group_members(g))
                        .collect();
                    users.extend(e.users_assigned_in_stage(stage));
                    Some(users)
                }
                None => {
                    parsed.problems.push(format!("no stage named {name}"));
                    Some(HashSet::new())
                }
            },
            Term::Status(_) | Term::Kind(_) | Term::Locked | Term::Dormant(_) => None,
        };
        for (row, keep) in mask.iter_mut().enumerate() {
            if !*keep {
                continue;
            }
            let user = &data.users[row];
            *keep = match term {
                Term::Status(status) => user.status == *status,
                Term::Kind(kind) => user.kind == *kind,
                Term::Locked => user.locked_until.is_some_and(|until| until > now),
                Term::Dormant(days) => {
                    crate::service::dormancy::is_dormant(
                        user.status,
                        user.created_at,
                        user.last_sign_in_at,
                        *days,
                        now,
                    ) && e
                        .effective(user.id)
                        .is_some_and(|set| !e.atoms(&set).is_empty())
                }
                _ => allowed.as_ref().is_some_and(|set| set.contains(&user.id)),
            };
        }
    }
    mask
}

/// `query` with its last word, a term being typed (`role:ana`), completed as far as the names
/// it could be go (`role:analytics.`), quoted when the name has spaces; `None` when the last
/// word is not a term or nothing matches.
pub fn complete(query: &str, data: &Data) -> Option<String> {
    let last = words(query).pop()?;
    if query.ends_with(char::is_whitespace) {
        return None;
    }
    let (key, partial) = last.split_once(':')?;
    let partial = partial.trim_start_matches('"').to_lowercase();
    let names: Vec<String> = match key.to_ascii_lowercase().as_str() {
        "group" => data.groups.iter().map(|g| g.name.clone()).collect(),
        // A role is completed to its key, whether its key or its name was being typed.
        "role" => data
            .roles
            .iter()
            .filter(|r| r.name.to_lowercase().starts_with(&partial))
            .map(|r| r.key.clone())
            .chain(
                data.roles
                    .iter()
                    .filter(|r| r.key.to_lowercase().starts_with(&partial))
                    .map(|r| r.key.clone()),
            )
            .collect(),
        "stage" => data.engine_stages(),
        "status" => UserStatus::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        "kind" => UserKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        _ => return None,
    };
    let by_name = key.eq_ignore_ascii_case("role");
    let mut matching: Vec<String> = names
        .into_iter()
        .filter(|n| by_name || n.to_lowercase().starts_with(&partial))
        .collect();
    // A role's key and name differing only in case count once (the key, in lowercase).
    matching.sort_by_key(|n| (n.to_lowercase(), std::cmp::Reverse(n.clone())));
    matching.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let first = matching.first()?;
    let mut common = first.clone();
    for name in &matching[1..] {
        while !name.to_lowercase().starts_with(&common.to_lowercase()) {
            common.pop();
        }
    }
    let value = if common.contains(' ') || (matching.len() == 1 && first.contains(' ')) {
        if matching.len() == 1 {
            format!("\"{common}\"")
        } else {
            format!("\"{common}")
        }
    } else {
        common
    };
    let done = if matching.len() == 1 { " " } else { "" };
    let head = &query[..query.len() - last.len()];
    Some(format!("{head}{key}:{value}{done}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_and_fuzzy_words_are_told_apart() {
        let p = parse(
            "group:ops alice role:Deployer status:active kind:end_user stage:QA locked smith",
        );
        assert_eq!(
            p.terms,
            vec![
                Term::Group("ops".into()),
                Term::Role("Deployer".into()),
                Term::Status(UserStatus::Active),
                Term::Kind(UserKind::EndUser),
                Term::Stage("QA".into()),
                Term::Locked,
            ]
        );
        assert_eq!(p.fuzzy, "alice smith");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn quoted_values_keep_their_spaces() {
        let p = parse("role:\"Analytics Auditor\" group:\"night shift\" smith");
        assert_eq!(
            p.terms,
            vec![
                Term::Role("Analytics Auditor".into()),
                Term::Group("night shift".into())
            ]
        );
        assert_eq!(p.fuzzy, "smith");
    }

    #[test]
    fn unknown_keys_stay_fuzzy_and_bad_values_are_problems() {
        let p = parse("mail:x status:sleeping");
        assert_eq!(p.fuzzy, "mail:x");
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].contains("sleeping"), "{:?}", p.problems);
        assert!(p.has_terms());
        assert!(!parse("plain words").has_terms());
    }
}
