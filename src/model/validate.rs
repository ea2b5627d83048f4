//! Shape rules for values typed by a person or a script: usernames, emails, keys, names and
//! free text. A failure here is bad input (exit 2), reported with the field and what to do.

use crate::text::first_unsafe_char;

/// A field value that does not have the required shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidField {
    pub field: &'static str,
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> InvalidField {
    InvalidField {
        field,
        problem: problem.into(),
    }
}

pub const USERNAME_MAX: usize = 64;
pub const EMAIL_MAX: usize = 254;
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
pub const KEY_MAX: usize = 100;

/// Free text (display names, descriptions): any printable characters, no controls, escapes,
/// bidi overrides or invisible characters, at most `max` characters. Surrounding blanks trimmed.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, InvalidField> {
    if let Some(c) = first_unsafe_char(value) {
        return Err(invalid(
            field,
            format!(
                "contains the control or invisible character U+{:04X}; remove it",
                c as u32
            ),
        ));
    }
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count > max {
        return Err(invalid(
            field,
            format!("is {count} characters long; the limit is {max}"),
        ));
    }
    Ok(trimmed.to_string())
}

/// Free text as another store holds it: kept byte for byte (unsafe characters included; every
/// front end escapes them when shown), only its length checked.
pub fn stored_text(field: &'static str, value: &str, max: usize) -> Result<String, InvalidField> {
    let count = value.chars().count();
    if count > max {
        return Err(invalid(
            field,
            format!("is {count} characters long; the limit is {max}"),
        ));
    }
    Ok(value.to_string())
}

/// Like [`text`], and must not be empty.
pub fn name(field: &'static str, value: &str) -> Result<String, InvalidField> {
    let value = text(field, value, NAME_MAX)?;
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(value)
}

/// Usernames: ASCII letters, digits and `._-@+`, starting with a letter or digit, 1–64 long.
/// ASCII only so that look-alike names (Cyrillic `а` for Latin `a`) cannot impersonate.
pub fn username(value: &str) -> Result<String, InvalidField> {
    let value = value.trim();
    if let Some(c) = first_unsafe_char(value) {
        return Err(invalid(
            "username",
            format!(
                "contains the control or invisible character U+{:04X}; remove it",
                c as u32
            ),
        ));
    }
    if value.is_empty() {
        return Err(invalid("username", "must not be empty"));
    }
    if value.len() > USERNAME_MAX {
        return Err(invalid(
            "username",
            format!("is longer than {USERNAME_MAX} characters"),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-@+".contains(*c)))
    {
        return Err(invalid(
            "username",
            format!("{bad:?} is not allowed; use letters, digits and . _ - @ +"),
        ));
    }
    if !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid("username", "must start with a letter or a digit"));
    }
    Ok(value.to_string())
}

/// Emails: one `@` with a non-empty local part and a dotted or plain domain, no blanks.
pub fn email(value: &str) -> Result<String, InvalidField> {
    let value = value.trim();
    if let Some(c) = first_unsafe_char(value) {
        return Err(invalid(
            "email",
            format!(
                "contains the control or invisible character U+{:04X}; remove it",
                c as u32
            ),
        ));
    }
    if value.len() > EMAIL_MAX {
        return Err(invalid(
            "email",
            format!("is longer than {EMAIL_MAX} characters"),
        ));
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err(invalid("email", format!("{value:?} has no @")));
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(invalid(
            "email",
            format!("{value:?} is not of the form name@domain"),
        ));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(invalid("email", "must not contain spaces"));
    }
    if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err(invalid(
            "email",
            format!("{domain:?} is not a valid domain"),
        ));
    }
    Ok(value.to_string())
}

/// Keys of roles, permissions and apps: lowercase ASCII letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Stable identifiers that survive renames.
pub fn key(field: &'static str, value: &str) -> Result<String, InvalidField> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if value.len() > KEY_MAX {
        return Err(invalid(
            field,
            format!("is longer than {KEY_MAX} characters"),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(*c)))
    {
        return Err(invalid(
            field,
            format!(
                "{bad:?} is not allowed in {value:?}; keys use lowercase letters, digits and . _ -"
            ),
        ));
    }
    if !value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Err(invalid(field, "must start with a letter or a digit"));
    }
    Ok(value.to_string())
}

/// External ids: printable, no blanks at either end, at most 200 characters.
pub fn external_id(value: &str) -> Result<String, InvalidField> {
    let value = text("external id", value, NAME_MAX)?;
    if value.is_empty() {
        return Err(invalid("external id", "must not be empty"));
    }
    Ok(value)
}

/// The case-insensitive form used for uniqueness (usernames, emails, group and role names).
pub fn fold(value: &str) -> String {
    value.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_use_a_restricted_charset() {
        assert_eq!(
            username(" alice.b-c_d@x+y ").as_deref(),
            Ok("alice.b-c_d@x+y")
        );
        assert!(username("al ice").is_err());
        assert!(username("аlice").is_err(), "cyrillic a");
        assert!(username("-alice").is_err());
        assert!(username("").is_err());
        assert!(username("a\u{1b}[2J").is_err());
        assert!(username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn emails_need_one_at_and_a_domain() {
        assert!(email("alice@example.com").is_ok());
        assert!(email("alice").is_err());
        assert!(email("@example.com").is_err());
        assert!(email("a@b@c").is_err());
        assert!(email("a b@c").is_err());
        assert!(email("a@.c").is_err());
    }

    #[test]
    fn text_refuses_controls_and_counts_characters() {
        assert!(text("display name", "Zoë 名前", 10).is_ok());
        let err = text("display name", "x\u{202e}y", 10).unwrap_err();
        assert!(err.to_string().contains("U+202E"), "{err}");
        assert!(text("display name", "ééé", 2).is_err());
    }

    #[test]
    fn invisible_characters_are_refused_in_names_and_emails() {
        for bad in ["\u{34f}", "\u{3164}", "\u{fff9}", "\u{fffa}", "\u{fffb}"] {
            assert!(name("group name", &format!("o{bad}ps")).is_err(), "{bad:?}");
            assert!(email(&format!("a{bad}@example.com")).is_err(), "{bad:?}");
            assert!(username(&format!("a{bad}")).is_err(), "{bad:?}");
            assert!(
                text("description", &format!("a{bad}"), 100).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn keys_are_lowercase_identifiers() {
        assert!(key("role key", "shop.orders-ship_2").is_ok());
        assert!(key("role key", "Shop").is_err());
        assert!(key("role key", "a b").is_err());
        assert!(key("role key", ".a").is_err());
    }
}
