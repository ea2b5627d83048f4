//! The console's state: which screen is up, the data the store worker last sent, each tab's
//! listing (order, filter, cursor), the overlay stack, and the status line. `update` is the
//! only thing that changes it; `render` only reads it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::access::Engine;
use crate::model::{Timestamp, UserId, UserStatus};
use crate::policy::Policy;
use crate::service::Operator;
use crate::service::query::{AppView, AuditView, GroupView, PermissionView, RoleView, UserView};

use super::config::Config;
use super::filter::Filter;
use super::forms::Form;
use super::keymap::{Action, Context, Keymap};
use super::marks::Marks;
use super::overlay::Overlay;
use super::staging::Staging;
use super::theme::Theme;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Users,
    Groups,
    Roles,
    Permissions,
    Audit,
    Apps,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Users,
        Tab::Groups,
        Tab::Roles,
        Tab::Permissions,
        Tab::Audit,
        Tab::Apps,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Users => "Users",
            Tab::Groups => "Groups",
            Tab::Roles => "Roles",
            Tab::Permissions => "Permissions",
            Tab::Audit => "Audit",
            Tab::Apps => "Apps",
        }
    }

    /// The title where space is short.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Permissions => "Perms",
            other => other.title(),
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn context(self) -> Context {
        match self {
            Tab::Users => Context::Users,
            Tab::Groups => Context::Groups,
            Tab::Roles => Context::Roles,
            Tab::Permissions => Context::Permissions,
            Tab::Audit => Context::Audit,
            Tab::Apps => Context::Apps,
        }
    }

    /// The column headers, for sorting and the table.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Tab::Users => &["USERNAME", "KIND", "STATUS", "LOCK", "DISPLAY NAME"],
            Tab::Groups => &["NAME", "STAGE", "MEMBERS", "ROLES"],
            Tab::Roles => &["KEY", "NAME", "KIND", "APP", "USERS"],
            Tab::Permissions => &["KEY", "SECTION", "APP", "NAME"],
            Tab::Audit => &["ID", "AT", "OPERATOR", "ACTION", "SUMMARY"],
            Tab::Apps => &["KEY", "NAME", "PERMS", "ROLES"],
        }
    }
}

/// An app, with how many permissions and end-user roles it has (counted from the loaded
/// lists).
#[derive(Clone, Debug)]
pub struct AppRow {
    pub app: AppView,
    pub permissions: usize,
    pub roles: usize,
}

impl AppRow {
    /// The rows for `apps`, counted from the loaded permissions and roles.
    pub fn all(
        apps: Vec<AppView>,
        permissions: &[PermissionView],
        roles: &[RoleView],
    ) -> Vec<AppRow> {
        apps.into_iter()
            .map(|app| AppRow {
                permissions: permissions
                    .iter()
                    .filter(|p| p.app.as_deref() == Some(app.key.as_str()))
                    .count(),
                roles: roles
                    .iter()
                    .filter(|r| r.app.as_deref() == Some(app.key.as_str()))
                    .count(),
                app,
            })
            .collect()
    }
}

/// How many audit records the console keeps (newest first).
pub const AUDIT_KEPT: usize = 500;

/// Everything loaded from the store, as of one moment.
pub struct Data {
    pub users: Vec<UserView>,
    pub groups: Vec<GroupView>,
    pub roles: Vec<RoleView>,
    pub permissions: Vec<PermissionView>,
    pub audit: Vec<AuditView>,
    pub apps: Vec<AppRow>,
    /// Shared with the store worker, which projects rehearsals through it.
    pub engine: Arc<Engine>,
    pub policy: Policy,
    /// The policy settings an operator changed, by key.
    pub settings: std::collections::BTreeMap<String, String>,
    pub loaded_at: Timestamp,
    /// Each row's filter text, per tab (built once per load).
    pub haystacks: [Vec<String>; 6],
    /// Each user's row in `users`.
    pub user_rows: HashMap<UserId, u32>,
}

impl Data {
    pub fn engine_stages(&self) -> Vec<String> {
        self.engine.stage_names()
    }

    pub fn engine_apps(&self) -> Vec<String> {
        self.engine.app_keys()
    }

    /// Builds the filter texts and the row index; call once after loading.
    pub fn index(&mut self) {
        self.user_rows = self
            .users
            .iter()
            .enumerate()
            .map(|(row, u)| (u.id, row as u32))
            .collect();
        for tab in Tab::ALL {
            self.haystacks[tab.index()] = (0..self.len(tab))
                .map(|row| self.haystack(tab, row))
                .collect();
        }
    }

    pub fn len(&self, tab: Tab) -> usize {
        match tab {
            Tab::Users => self.users.len(),
            Tab::Groups => self.groups.len(),
            Tab::Roles => self.roles.len(),
            Tab::Permissions => self.permissions.len(),
            Tab::Audit => self.audit.len(),
            Tab::Apps => self.apps.len(),
        }
    }

    /// The text a row is filtered on.
    pub fn haystack(&self, tab: Tab, row: usize) -> String {
        match tab {
            Tab::Users => {
                let u = &self.users[row];
                format!(
                    "{} {} {} {} {}",
                    u.username,
                    u.display_name,
                    u.email.as_deref().unwrap_or(""),
                    u.kind,
                    u.status
                )
            }
            Tab::Groups => {
                let g = &self.groups[row];
                format!("{} {} {}", g.name, g.stage, g.description)
            }
            Tab::Roles => {
                let r = &self.roles[row];
                format!(
                    "{} {} {} {}",
                    r.key,
                    r.name,
                    r.kind,
                    r.app.as_deref().unwrap_or("")
                )
            }
            Tab::Permissions => {
                let p = &self.permissions[row];
                format!("{} {} {}", p.key, p.name, p.section)
            }
            Tab::Audit => {
                let a = &self.audit[row];
                format!("{} {} {} {}", a.id, a.operator, a.action, a.summary)
            }
            Tab::Apps => {
                let a = &self.apps[row].app;
                format!("{} {} {}", a.key, a.name, a.description)
            }
        }
    }

    /// The sort key of a row for column `col`.
    pub fn sort_key(&self, tab: Tab, row: usize, col: usize) -> String {
        match tab {
            Tab::Users => {
                let u = &self.users[row];
                match col {
                    1 => u.kind.to_string(),
                    2 => u.status.to_string(),
                    3 => format!("{:020}", u.locked_until.map_or(0, |t| t.0)),
                    4 => u.display_name.to_lowercase(),
                    _ => u.username.to_lowercase(),
                }
            }
            Tab::Groups => {
                let g = &self.groups[row];
                match col {
                    1 => g.stage.clone(),
                    2 => format!("{:012}", g.members),
                    3 => format!("{:012}", g.roles),
                    _ => g.name.to_lowercase(),
                }
            }
            Tab::Roles => {
                let r = &self.roles[row];
                match col {
                    1 => r.name.to_lowercase(),
                    2 => r.kind.to_string(),
                    3 => r.app.clone().unwrap_or_default(),
                    4 => format!("{:012}", r.assignments),
                    _ => r.key.clone(),
                }
            }
            Tab::Permissions => {
                let p = &self.permissions[row];
                match col {
                    1 => p.section.clone(),
                    2 => p.app.clone().unwrap_or_default(),
                    3 => p.name.to_lowercase(),
                    _ => p.key.clone(),
                }
            }
            Tab::Audit => {
                let a = &self.audit[row];
                match col {
                    2 => a.operator.clone(),
                    3 => a.action.clone(),
                    4 => a.summary.clone(),
                    // Newest first by default: the id, inverted.
                    _ => format!("{:020}", i64::MAX - a.id),
                }
            }
            Tab::Apps => {
                let a = &self.apps[row];
                match col {
                    1 => a.app.name.to_lowercase(),
                    2 => format!("{:012}", a.permissions),
                    3 => format!("{:012}", a.roles),
                    _ => a.app.key.clone(),
                }
            }
        }
    }
}

/// One tab's list: its order, filter and cursor.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// Rows (indices into the data) in sort order.
    pub order: Vec<u32>,
    /// The rows of `order` the filter keeps.
    pub visible: Vec<u32>,
    /// Index into `visible`.
    pub cursor: usize,
    /// First row shown.
    pub offset: usize,
    pub filter: Filter,
    /// Typing into the filter.
    pub editing: bool,
    /// Which rows the filter admits, by row (for counting what it hides).
    pub shown: Vec<bool>,
    /// Filter terms that match nothing, and why.
    pub problems: Vec<String>,
    pub sort_column: usize,
    pub descending: bool,
}

impl Listing {
    /// The focused row (an index into the data).
    pub fn focused(&self) -> Option<usize> {
        self.visible.get(self.cursor).map(|&r| r as usize)
    }
}

/// Who is signed in.
#[derive(Clone, Debug)]
pub struct Session {
    /// `None` when browsing read-only.
    pub operator: Option<Operator>,
    pub read_only: bool,
    /// Catalog permissions the operator holds somewhere (for gating actions).
    pub held: HashSet<String>,
}

impl Session {
    /// Why an action that changes the store is not available, if it is not.
    pub fn refusal(&self, needs: &str) -> Option<String> {
        if self.read_only {
            return Some("read-only: started with --read-only".into());
        }
        match &self.operator {
            None => Some("not signed in".into()),
            Some(_) if needs == super::keymap::ANY_WRITE => None,
            Some(op) if !self.held.contains(needs) => {
                Some(format!("{} does not hold {needs}", op.username))
            }
            Some(_) => None,
        }
    }
}

/// The sign-in screen: the peer shortcut (when the OS account maps to an operator) and the
/// username/password form.
#[derive(Clone, Debug)]
pub struct SignIn {
    pub peer: Option<String>,
    /// Focus is on the peer shortcut rather than the form.
    pub on_peer: bool,
    pub form: Form,
}

#[derive(Clone, Debug)]
pub enum Screen {
    /// Opening the store.
    Opening,
    /// The store cannot be used; the message says why.
    Failed(String),
    /// No store yet: create it.
    FirstRun(Form),
    SignIn(SignIn),
    Main,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// The message line under the table.
#[derive(Clone, Debug)]
pub struct Status {
    pub text: String,
    pub level: Level,
}

pub struct State {
    pub screen: Screen,
    pub session: Option<Session>,
    pub read_only: bool,
    pub store_label: String,
    pub tenant: String,
    pub tab: Tab,
    pub data: Option<Data>,
    pub listings: [Listing; 6],
    pub overlays: Vec<Overlay>,
    pub status: Option<Status>,
    /// Requests sent to the store worker and not answered yet.
    pub pending: usize,
    pub spinner: usize,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The terminal size, columns × rows.
    pub size: (u16, u16),
    pub now: Timestamp,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    pub matcher: nucleo_matcher::Matcher,
    /// What was wrong with the config file, shown once the main screen appears.
    pub config_problems: Option<String>,
    pub marks: Marks,
    pub staging: Staging,
    /// The `:` commands given, oldest first.
    pub command_history: Vec<String>,
    /// An item just created, focused (tab and row key) when the data holding it arrives.
    pub focus_created: Option<(Tab, String)>,
}

impl State {
    pub fn new(
        config: Config,
        colour: bool,
        store_label: String,
        tenant: String,
        read_only: bool,
    ) -> State {
        let config_problems = (!config.problems.is_empty())
            .then(|| format!("config: {}", config.problems.join("; ")));
        State {
            screen: Screen::Opening,
            session: None,
            read_only,
            store_label,
            tenant,
            tab: Tab::Users,
            data: None,
            listings: Default::default(),
            overlays: Vec::new(),
            status: None,
            config_problems,
            marks: Marks::default(),
            staging: Staging::default(),
            command_history: Vec::new(),
            focus_created: None,
            pending: 0,
            spinner: 0,
            keymap: config.keymap,
            theme: Theme::new(colour && config.colour == super::config::Colour::Auto),
            size: (80, 24),
            now: Timestamp(0),
            dirty: true,
            quit: false,
            matcher: super::filter::matcher(),
        }
    }

    pub fn listing(&self, tab: Tab) -> &Listing {
        &self.listings[tab.index()]
    }

    pub fn listing_mut(&mut self, tab: Tab) -> &mut Listing {
        &mut self.listings[tab.index()]
    }

    /// Shows the main screen, with the config file's problems on the status line the first
    /// time (the sign-in screens have no status line).
    pub fn enter_main(&mut self) {
        self.screen = Screen::Main;
        if let Some(problems) = self.config_problems.take() {
            self.set_status(problems, Level::Error);
        }
    }

    /// Whether a lock badge counting down in minutes is on screen (so the minute matters).
    pub fn countdown_on_screen(&self) -> bool {
        let (Some(data), Screen::Main) = (self.data.as_ref(), &self.screen) else {
            return false;
        };
        if self.tab != Tab::Users {
            return false;
        }
        let listing = self.listing(Tab::Users);
        let rows = super::view::layout::list_rows(self.size);
        listing
            .visible
            .iter()
            .skip(listing.offset)
            .take(rows)
            .filter_map(|&row| data.users.get(row as usize))
            .any(|u| {
                u.locked_until
                    .is_some_and(|until| until.0 != i64::MAX && until > self.now)
            })
    }

    pub fn focused_user(&self) -> Option<&UserView> {
        let row = self.listing(Tab::Users).focused()?;
        self.data.as_ref()?.users.get(row)
    }

    pub fn focused_group(&self) -> Option<&GroupView> {
        let row = self.listing(Tab::Groups).focused()?;
        self.data.as_ref()?.groups.get(row)
    }

    pub fn focused_role(&self) -> Option<&RoleView> {
        let row = self.listing(Tab::Roles).focused()?;
        self.data.as_ref()?.roles.get(row)
    }

    pub fn focused_permission(&self) -> Option<&PermissionView> {
        let row = self.listing(Tab::Permissions).focused()?;
        self.data.as_ref()?.permissions.get(row)
    }

    pub fn focused_app(&self) -> Option<&AppRow> {
        let row = self.listing(Tab::Apps).focused()?;
        self.data.as_ref()?.apps.get(row)
    }

    pub fn focused_audit(&self) -> Option<&AuditView> {
        let row = self.listing(Tab::Audit).focused()?;
        self.data.as_ref()?.audit.get(row)
    }

    /// Why `action` cannot be taken now, if it cannot.
    pub fn refusal(&self, action: Action) -> Option<String> {
        let spec = super::keymap::spec(action);
        let needs = spec.needs?;
        match &self.session {
            Some(session) => session.refusal(needs),
            None => Some("not signed in".into()),
        }
        .or_else(|| self.item_refusal(action))
    }

    /// Refusals that depend on the focused item (built-in roles are read-only).
    fn item_refusal(&self, action: Action) -> Option<String> {
        match action {
            Action::EditRole | Action::DeleteRole => {
                let role = self.focused_role()?;
                role.builtin.then(|| {
                    format!(
                        "{} is built in and read-only; copy it (c) and edit the copy",
                        role.name
                    )
                })
            }
            Action::EditPermission | Action::DeletePermission => {
                let p = self.focused_permission()?;
                p.builtin.then(|| {
                    format!(
                        "{} is in the built-in catalog, which is read-only; your own permissions belong to apps",
                        p.key
                    )
                })
            }
            Action::GrantPermissions
            | Action::RevokePermissions
            | Action::IncludeRoles
            | Action::ExcludeRoles => {
                let role = self.focused_role()?;
                role.builtin.then(|| {
                    format!(
                        "{} is built in and read-only; copy it (c) and change the copy",
                        role.name
                    )
                })
            }
            Action::Tokens => {
                let user = self.focused_user()?;
                (user.kind != crate::model::UserKind::ApiClient)
                    .then(|| format!("{} is not an API client", user.username))
            }
            Action::ActivateUser => {
                let user = self.focused_user()?;
                (user.status == UserStatus::Active)
                    .then(|| format!("{} is already active", user.username))
            }
            Action::DeactivateUser => {
                let user = self.focused_user()?;
                (user.status == UserStatus::Deactivated)
                    .then(|| format!("{} is already deactivated", user.username))
            }
            _ => None,
        }
    }

    /// The idle status line's second half: how fresh the data is.
    pub fn store_label_hint(&self) -> String {
        match &self.data {
            Some(data) => format!("loaded {}", data.loaded_at.short()),
            None => "loading".into(),
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, level: Level) {
        self.status = Some(Status {
            text: text.into(),
            level,
        });
        self.dirty = true;
    }
}
