//! The Users tab's filter terms besides fuzzy text: `group:ops role:deployer status:active
//! kind:end_user stage:QA locked`. Terms AND together and with the fuzzy words; names match
//! case-insensitively and exactly (`group:ops` is the group ops in any stage, `role:` takes a
//! role key, `stage:QA` is everyone in a QA group or assigned a role at QA). Terms are answered
//! from the engine's indexes, so they cost one pass over the users whatever the store's size.

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

pub fn parse(query: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut fuzzy = Vec::new();
    for word in query.split_whitespace() {
        if word.eq_ignore_ascii_case("locked") {
            parsed.terms.push(Term::Locked);
            continue;
        }
        let Some((key, value)) = word.split_once(':') else {
            fuzzy.push(word);
            continue;
        };
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
            Term::Role(key) => match e.role_keyed(key) {
                Some(role) => Some(e.role_holders(role).all().collect()),
                None => {
                    parsed.problems.push(format!("no role with key {key}"));
                    Some(HashSet::new())
                }
            },
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
            Term::Status(_) | Term::Kind(_) | Term::Locked => None,
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
                _ => allowed.as_ref().is_some_and(|set| set.contains(&user.id)),
            };
        }
    }
    mask
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
    fn unknown_keys_stay_fuzzy_and_bad_values_are_problems() {
        let p = parse("mail:x status:sleeping");
        assert_eq!(p.fuzzy, "mail:x");
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].contains("sleeping"), "{:?}", p.problems);
        assert!(p.has_terms());
        assert!(!parse("plain words").has_terms());
    }
}
