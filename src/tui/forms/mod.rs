//! Forms for creating and editing: fields, key handling (Tab / Shift-Tab between fields,
//! Ctrl-s to save, Esc to cancel), live validation with the same shape rules the service
//! applies (so the messages are the CLI's), masked passwords with the policy checklist beside
//! them, and what a completed form asks the store for. Rules that need the store (unique
//! names, built-ins, rights) come back from the service on save and land on their field.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroize;

use crate::model::validate;
use crate::policy::PasswordPolicy;
use crate::policy::password::{self, Checklist, Subject};

mod kinds;
mod submission;

pub use kinds::FormKind;
pub use submission::Submission;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Typed without echo.
    Secret,
    /// One of a few values, cycled with ←/→ or space.
    Choice(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The field's name as the service's validation names it ("username", "email", ...).
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// Cursor position, in characters.
    pub cursor: usize,
    pub kind: FieldKind,
    pub error: Option<String>,
    /// Shown but not editable, and why.
    pub locked: Option<String>,
    /// The value the form opened with: a field still holding it was not touched.
    pub initial: String,
}

impl Field {
    fn text(name: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            name,
            label,
            value: value.to_string(),
            cursor: value.chars().count(),
            kind: FieldKind::Text,
            error: None,
            locked: None,
            initial: value.to_string(),
        }
    }

    fn secret(name: &'static str, label: &'static str) -> Field {
        Field {
            kind: FieldKind::Secret,
            ..Field::text(name, label, "")
        }
    }

    fn choice(name: &'static str, label: &'static str, options: &[&str], value: &str) -> Field {
        Field {
            kind: FieldKind::Choice(options.iter().map(|s| s.to_string()).collect()),
            ..Field::text(name, label, value)
        }
    }

    fn locked(mut self, why: &str) -> Field {
        self.locked = Some(why.to_string());
        self
    }

    /// What is shown: secrets as dots.
    pub fn shown(&self) -> String {
        match self.kind {
            FieldKind::Secret => "•".repeat(self.value.chars().count()),
            _ => self.value.clone(),
        }
    }
}

/// What a key did to a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEvent {
    Edited,
    Submit,
    Cancel,
    Nothing,
}

#[derive(Clone, Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// An error not tied to one field (from the service).
    pub error: Option<String>,
    pub dirty: bool,
    /// Saved and waiting for the store's answer.
    pub submitting: bool,
    /// The password rules, when the form sets a password.
    pub checklist: Option<Checklist>,
    /// The edit conflicted with someone else's: the form takes the item's current version
    /// from the next fresh data, so saving again applies the input over what they did.
    pub rebase: bool,
}

impl Drop for Form {
    fn drop(&mut self) {
        for field in &mut self.fields {
            if field.kind == FieldKind::Secret {
                field.value.zeroize();
            }
        }
    }
}

pub(super) const KINDS: &[&str] = &["end_user", "member", "api_client"];

impl Form {
    pub(super) fn new(kind: FormKind, title: impl Into<String>, fields: Vec<Field>) -> Form {
        let focus = fields.iter().position(|f| f.locked.is_none()).unwrap_or(0);
        Form {
            kind,
            title: title.into(),
            fields,
            focus,
            error: None,
            dirty: false,
            submitting: false,
            checklist: None,
            rebase: false,
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or("", |f| f.value.as_str())
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    /// A submission was refused before reaching the store: say why and focus the first field
    /// with a problem.
    pub fn refused(&mut self, message: String) {
        self.error = Some(message);
        if let Some(bad) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = bad;
        }
    }

    /// Puts a service error on the field it names, or on the form.
    /// After a conflict: the same form over the item as it is now. Fields the operator
    /// touched keep their input; the others take the current values (so saving never puts
    /// back what the other change replaced); the version becomes the current one.
    pub fn rebase(&mut self, mut fresh: Form) {
        for field in &mut self.fields {
            let Some(now) = fresh.fields.iter_mut().find(|f| f.name == field.name) else {
                continue;
            };
            if field.value == field.initial {
                field.value = std::mem::take(&mut now.value);
                field.cursor = field.value.chars().count();
            }
            field.initial = std::mem::take(&mut now.initial);
        }
        if let (
            Some(version),
            FormKind::EditUser {
                version: current, ..
            },
        )
        | (
            Some(version),
            FormKind::EditGroup {
                version: current, ..
            },
        )
        | (
            Some(version),
            FormKind::EditRole {
                version: current, ..
            },
        ) = (self.version_mut(), &fresh.kind)
        {
            *version = *current;
        }
        self.rebase = false;
    }

    /// The version this edit form was opened at (`None` for forms that create).
    pub fn version_mut(&mut self) -> Option<&mut i64> {
        match &mut self.kind {
            FormKind::EditUser { version, .. }
            | FormKind::EditGroup { version, .. }
            | FormKind::EditRole { version, .. } => Some(version),
            _ => None,
        }
    }

    pub fn show_error(&mut self, field: Option<&str>, message: String) {
        self.submitting = false;
        match field.and_then(|name| self.fields.iter().position(|f| f.name == name)) {
            Some(i) => {
                self.fields[i].error = Some(message);
                self.focus = i;
            }
            None => self.error = Some(message),
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for step in 1..=n {
            let i = if forward {
                (self.focus + step) % n
            } else {
                (self.focus + n - step) % n
            };
            if self.fields[i].locked.is_none() {
                self.focus = i;
                return;
            }
        }
    }

    /// Handles one key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> FormEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Char('s') if ctrl => return FormEvent::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.move_focus(true);
                return FormEvent::Nothing;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.move_focus(false);
                return FormEvent::Nothing;
            }
            KeyCode::Enter => {
                let last = self
                    .fields
                    .iter()
                    .rposition(|f| f.locked.is_none())
                    .unwrap_or(0);
                if self.focus >= last {
                    return FormEvent::Submit;
                }
                self.move_focus(true);
                return FormEvent::Nothing;
            }
            _ => {}
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormEvent::Nothing;
        };
        if field.locked.is_some() {
            return FormEvent::Nothing;
        }
        let edited = match (&field.kind, key.code) {
            (FieldKind::Choice(options), KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')) => {
                let at = options.iter().position(|o| *o == field.value).unwrap_or(0);
                let next = if key.code == KeyCode::Left {
                    (at + options.len() - 1) % options.len().max(1)
                } else {
                    (at + 1) % options.len().max(1)
                };
                field.value = options.get(next).cloned().unwrap_or_default();
                true
            }
            (FieldKind::Choice(_), _) => false,
            (_, KeyCode::Char('u')) if ctrl => {
                field.value.zeroize();
                field.value.clear();
                field.cursor = 0;
                true
            }
            (_, KeyCode::Char(c)) if !ctrl => {
                let at = byte_at(&field.value, field.cursor);
                field.value.insert(at, c);
                field.cursor += 1;
                true
            }
            (_, KeyCode::Backspace) if field.cursor > 0 => {
                let at = byte_at(&field.value, field.cursor - 1);
                field.value.remove(at);
                field.cursor -= 1;
                true
            }
            (_, KeyCode::Delete) if field.cursor < field.value.chars().count() => {
                let at = byte_at(&field.value, field.cursor);
                field.value.remove(at);
                true
            }
            (_, KeyCode::Left) => {
                field.cursor = field.cursor.saturating_sub(1);
                false
            }
            (_, KeyCode::Right) => {
                field.cursor = (field.cursor + 1).min(field.value.chars().count());
                false
            }
            (_, KeyCode::Home) => {
                field.cursor = 0;
                false
            }
            (_, KeyCode::End) => {
                field.cursor = field.value.chars().count();
                false
            }
            _ => false,
        };
        if edited {
            self.dirty = true;
            self.error = None;
            FormEvent::Edited
        } else {
            FormEvent::Nothing
        }
    }

    /// Re-checks every field's shape, and the password checklist, as typed.
    pub fn validate(&mut self, policy: &PasswordPolicy) {
        for field in &mut self.fields {
            if field.locked.is_some() || field.kind != FieldKind::Text {
                continue;
            }
            let value = field.value.as_str();
            let result = match field.name {
                "username" if !value.is_empty() => validate::username(value).map(drop),
                "email" if !value.trim().is_empty() => validate::email(value).map(drop),
                "display name" => {
                    validate::text("display name", value, validate::NAME_MAX).map(drop)
                }
                "description" => {
                    validate::text("description", value, validate::DESCRIPTION_MAX).map(drop)
                }
                "external id" if !value.trim().is_empty() => validate::external_id(value).map(drop),
                "group name" | "role name" | "app name" | "permission name"
                    if !value.is_empty() =>
                {
                    validate::name(field.name, value).map(drop)
                }
                "role key" | "app key" | "permission key" if !value.is_empty() => {
                    validate::key(field.name, value).map(drop)
                }
                "section" | "token name" => {
                    validate::text(field.name, value, validate::NAME_MAX).map(drop)
                }
                _ => Ok(()),
            };
            field.error = result.err().map(|e| e.problem);
        }
        if let Some(password) = self
            .fields
            .iter()
            .find(|f| f.name == "password" && f.kind == FieldKind::Secret)
        {
            if matches!(
                self.kind,
                FormKind::FirstRun
                    | FormKind::TemporaryPassword { .. }
                    | FormKind::OwnPassword { .. }
            ) {
                let username = match &self.kind {
                    FormKind::TemporaryPassword { username }
                    | FormKind::OwnPassword { username } => username.clone(),
                    _ => self.value("username").to_string(),
                };
                let subject = Subject {
                    username: &username,
                    email: None,
                };
                self.checklist = Some(password::check(policy, &password.value, &subject));
            }
        }
        let again = self.value("again").to_string();
        let first = self.value("password").to_string();
        if let Some(field) = self.field_mut("again") {
            field.error = (!again.is_empty() && again != first)
                .then(|| "the two passwords differ".to_string());
        }
    }

    /// Whether every field is valid as far as the form can tell.
    pub fn is_valid(&self) -> bool {
        self.fields.iter().all(|f| f.error.is_none())
            && self.checklist.as_ref().is_none_or(Checklist::passed)
    }

    /// What saving the form asks the store for; an error says what is missing.
    fn passwords_ready(&self) -> Result<(), String> {
        if self.value("password").is_empty() {
            return Err("type a password".into());
        }
        if self.value("password") != self.value("again") {
            return Err("the two passwords differ".into());
        }
        if let Some(list) = &self.checklist {
            if !list.passed() {
                return Err(format!(
                    "the password does not meet the policy: {}",
                    list.summary()
                ));
            }
        }
        Ok(())
    }
}

/// The byte offset of character `index` in `text`.
fn byte_at(text: &str, index: usize) -> usize {
    text.char_indices()
        .nth(index)
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::service::query::GroupView;
    use ratatui::crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn typed(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.handle_key(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_editing_and_moving_between_fields() {
        let mut form = Form::new_user();
        typed(&mut form, "alce");
        form.handle_key(&key(KeyCode::Left));
        form.handle_key(&key(KeyCode::Left));
        typed(&mut form, "i");
        assert_eq!(form.value("username"), "alice");
        form.handle_key(&key(KeyCode::Tab));
        typed(&mut form, "a@x.io");
        form.handle_key(&key(KeyCode::BackTab));
        form.handle_key(&key(KeyCode::End));
        form.handle_key(&key(KeyCode::Backspace));
        assert_eq!(form.value("username"), "alic");
        assert!(form.dirty);
        // A choice cycles.
        form.focus = 3;
        form.handle_key(&key(KeyCode::Right));
        assert_eq!(form.value("kind"), "member");
    }

    #[test]
    fn shape_errors_show_as_typed_with_the_services_words() {
        let policy = Policy::from_values(&Default::default()).password;
        let mut form = Form::new_user();
        typed(&mut form, "al ice");
        form.validate(&policy);
        let err = form.fields[0].error.clone().unwrap();
        assert!(err.contains("' ' is not allowed"), "{err}");
        assert!(form.submission().is_err());
    }

    #[test]
    fn locked_fields_are_skipped_and_explain_themselves() {
        let group = GroupView {
            id: crate::model::GroupId(1),
            name: "ops".into(),
            tenant: "default".into(),
            stage: "QA".into(),
            description: String::new(),
            members: 0,
            roles: 0,
            created_at: crate::model::Timestamp(0),
            updated_at: crate::model::Timestamp(0),
            version: 3,
        };
        let mut form = Form::edit_group(&group);
        form.handle_key(&key(KeyCode::Tab));
        assert_eq!(
            form.fields[form.focus].name, "description",
            "the stage is skipped"
        );
        assert!(
            form.fields[1]
                .locked
                .as_deref()
                .unwrap()
                .contains("never changes")
        );
    }

    #[test]
    fn a_password_form_checks_the_policy_and_the_repeat() {
        let policy = Policy::from_values(&Default::default()).password;
        let mut form = Form::temporary_password("alice");
        typed(&mut form, "short");
        form.validate(&policy);
        assert!(!form.checklist.as_ref().unwrap().passed());
        assert!(form.submission().is_err());
        let mut form = Form::temporary_password("alice");
        typed(&mut form, "Blue-Harbour-2026");
        form.handle_key(&key(KeyCode::Tab));
        typed(&mut form, "Blue-Harbour-2025");
        form.validate(&policy);
        assert_eq!(
            form.fields[1].error.as_deref(),
            Some("the two passwords differ")
        );
        assert_eq!(form.fields[0].shown(), "•".repeat(17));
    }
}
