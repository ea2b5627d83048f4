//! Actions as data: every console action with its default keys, its description, where it
//! applies, whether it changes the store (and what permission it needs), and whether it is
//! dangerous. The key bindings, the `?` help overlay, the hint bar and the read-only and
//! permission gates are all generated from [`ACTIONS`] (as lazygit, gitui and k9s do), and
//! the config file remaps keys by action name.

use std::collections::HashMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where an action applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Users,
    Groups,
    Roles,
    Permissions,
    Audit,
    Apps,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    CommandLine,
    Filter,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    Tab6,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Back,
    Open,
    Copy,
    Sort,
    SortReverse,
    Refresh,
    NewUser,
    EditUser,
    DeleteUser,
    ActivateUser,
    DeactivateUser,
    UnlockUser,
    TemporaryPassword,
    AssignRoles,
    UnassignRoles,
    NewGroup,
    EditGroup,
    DeleteGroup,
    AddMembers,
    RemoveMembers,
    AddGroupRoles,
    RemoveGroupRoles,
    NewRole,
    EditRole,
    DeleteRole,
    CopyRole,
    Mark,
    MarkRange,
    MarkAll,
    InvertMarks,
    ReplaceRole,
    AddToGroups,
    RemoveFromGroups,
    WhyNot,
    Review,
    ToggleStaging,
    Undo,
    Tokens,
    GrantPermissions,
    RevokePermissions,
    IncludeRoles,
    ExcludeRoles,
    NewPermission,
    EditPermission,
    DeletePermission,
    ImplyPermissions,
    UnimplyPermissions,
    NewApp,
    EditApp,
    DeleteApp,
}

/// `needs` of the actions that write but need no particular permission of their own (the
/// service checks each change they carry): only signing in and write access are asked for.
pub const ANY_WRITE: &str = "*";

/// One action's definition.
pub struct ActionSpec {
    pub action: Action,
    /// The name the config file uses.
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub context: Context,
    pub description: &'static str,
    /// The catalog permission the action needs (it changes the store); `None` for browsing.
    pub needs: Option<&'static str>,
    pub dangerous: bool,
    /// Shown in the hint bar under this label (empty: not shown).
    pub hint: &'static str,
}

macro_rules! act {
    ($action:ident, $name:literal, [$($key:literal),*], $context:ident, $desc:literal) => {
        ActionSpec { action: Action::$action, name: $name, keys: &[$($key),*], context: Context::$context, description: $desc, needs: None, dangerous: false, hint: "" }
    };
    ($action:ident, $name:literal, [$($key:literal),*], $context:ident, $desc:literal, hint $label:literal) => {
        ActionSpec { action: Action::$action, name: $name, keys: &[$($key),*], context: Context::$context, description: $desc, needs: None, dangerous: false, hint: $label }
    };
    ($action:ident, $name:literal, [$($key:literal),*], $context:ident, $desc:literal, needs $perm:literal, hint $label:literal) => {
        ActionSpec { action: Action::$action, name: $name, keys: &[$($key),*], context: Context::$context, description: $desc, needs: Some($perm), dangerous: false, hint: $label }
    };
    ($action:ident, $name:literal, [$($key:literal),*], $context:ident, $desc:literal, needs $perm:literal, dangerous, hint $label:literal) => {
        ActionSpec { action: Action::$action, name: $name, keys: &[$($key),*], context: Context::$context, description: $desc, needs: Some($perm), dangerous: true, hint: $label }
    };
}

/// Every action. Order is the order of the help overlay and the hint bar.
pub const ACTIONS: &[ActionSpec] = &[
    act!(Help, "help", ["?"], Global, "show every key", hint "help"),
    act!(Quit, "quit", ["q"], Global, "quit", hint "quit"),
    act!(Filter, "filter", ["/"], Global, "filter the list (fuzzy)", hint "filter"),
    act!(Open, "open", ["enter"], Global, "open the focused item", hint "open"),
    act!(NewUser, "users.new", ["n"], Users, "invite a user", needs "users.invite", hint "invite"),
    act!(EditUser, "users.edit", ["e"], Users, "edit the user", needs "users.edit", hint "edit"),
    act!(ActivateUser, "users.activate", ["a"], Users, "activate the user", needs "users.activate", hint "activate"),
    act!(DeactivateUser, "users.deactivate", ["x"], Users, "deactivate the user", needs "users.activate", hint "deactivate"),
    act!(UnlockUser, "users.unlock", ["u"], Users, "unlock the user", needs "users.unlock", hint "unlock"),
    act!(TemporaryPassword, "users.password", ["p"], Users, "set a temporary password", needs "users.credentials", hint "password"),
    act!(Mark, "users.mark", ["space"], Users, "mark the user and move down", hint "mark"),
    act!(
        MarkRange,
        "users.mark-range",
        ["v"],
        Users,
        "mark a range (v, move, v)"
    ),
    act!(
        MarkAll,
        "users.mark-all",
        ["*"],
        Users,
        "mark every user the filter shows"
    ),
    act!(
        InvertMarks,
        "users.invert-marks",
        ["~"],
        Users,
        "invert the marks the filter shows"
    ),
    act!(AssignRoles, "users.assign", ["r"], Users, "assign roles (marked users)", needs "roles.view", hint "assign"),
    act!(UnassignRoles, "users.unassign", ["t"], Users, "take roles away (marked users)", needs "roles.view", hint "unassign"),
    act!(ReplaceRole, "users.replace-role", ["c"], Users, "replace a role (marked users)", needs "roles.view", hint "replace"),
    act!(AddToGroups, "users.add-groups", ["m"], Users, "add to groups (marked users)", needs "groups.manage", hint "+groups"),
    act!(RemoveFromGroups, "users.remove-groups", ["M"], Users, "remove from groups (marked users)", needs "groups.manage", hint "-groups"),
    act!(WhyNot, "users.why-not", ["w"], Users, "why-not: a permission not held", hint "why-not"),
    act!(Tokens, "users.tokens", ["T"], Users, "API tokens of the client: create, revoke", needs "users.tokens", hint "tokens"),
    act!(DeleteUser, "users.delete", ["ctrl-d", "delete"], Users, "delete the user", needs "users.delete", dangerous, hint "delete"),
    act!(NewGroup, "groups.new", ["n"], Groups, "create a group", needs "groups.manage", hint "new"),
    act!(EditGroup, "groups.edit", ["e"], Groups, "rename or describe the group", needs "groups.manage", hint "edit"),
    act!(AddMembers, "groups.add-members", ["m"], Groups, "add members", needs "groups.manage", hint "+members"),
    act!(RemoveMembers, "groups.remove-members", ["M"], Groups, "remove members", needs "groups.manage", hint "-members"),
    act!(AddGroupRoles, "groups.add-roles", ["r"], Groups, "give the group roles", needs "groups.manage", hint "+roles"),
    act!(RemoveGroupRoles, "groups.remove-roles", ["t"], Groups, "take roles from the group", needs "groups.manage", hint "-roles"),
    act!(DeleteGroup, "groups.delete", ["ctrl-d", "delete"], Groups, "delete the group", needs "groups.manage", dangerous, hint "delete"),
    act!(NewRole, "roles.new", ["n"], Roles, "create a role", needs "roles.manage", hint "new"),
    act!(CopyRole, "roles.copy", ["c"], Roles, "copy the role (built-ins too)", needs "roles.manage", hint "copy"),
    act!(EditRole, "roles.edit", ["e"], Roles, "rename or describe the role", needs "roles.manage", hint "edit"),
    act!(GrantPermissions, "roles.grant", ["p"], Roles, "grant permissions (tab: stage)", needs "roles.manage", hint "+perms"),
    act!(RevokePermissions, "roles.revoke", ["P"], Roles, "revoke permissions", needs "roles.manage", hint "-perms"),
    act!(IncludeRoles, "roles.include", ["i"], Roles, "include other roles", needs "roles.manage", hint "+includes"),
    act!(ExcludeRoles, "roles.exclude", ["I"], Roles, "stop including roles", needs "roles.manage", hint "-includes"),
    act!(DeleteRole, "roles.delete", ["ctrl-d", "delete"], Roles, "delete the role", needs "roles.manage", dangerous, hint "delete"),
    act!(NewPermission, "perms.new", ["n"], Permissions, "define an app permission", needs "roles.manage", hint "new"),
    act!(EditPermission, "perms.edit", ["e"], Permissions, "edit the app permission", needs "roles.manage", hint "edit"),
    act!(ImplyPermissions, "perms.imply", ["i"], Permissions, "make it imply others", needs "roles.manage", hint "+implies"),
    act!(UnimplyPermissions, "perms.unimply", ["I"], Permissions, "stop it implying others", needs "roles.manage", hint "-implies"),
    act!(DeletePermission, "perms.delete", ["ctrl-d", "delete"], Permissions, "delete the app permission", needs "roles.manage", dangerous, hint "delete"),
    act!(NewApp, "apps.new", ["n"], Apps, "register an app", needs "apps.create", hint "new"),
    act!(EditApp, "apps.edit", ["e"], Apps, "rename or describe the app", needs "apps.change", hint "edit"),
    act!(DeleteApp, "apps.delete", ["ctrl-d", "delete"], Apps, "delete the app", needs "apps.delete", dangerous, hint "delete"),
    act!(
        CommandLine,
        "command",
        [":"],
        Global,
        "command line (:users … :audit, :q)"
    ),
    act!(NextTab, "next-tab", ["tab"], Global, "next tab"),
    act!(PrevTab, "prev-tab", ["backtab"], Global, "previous tab"),
    act!(Tab1, "tab-users", ["1"], Global, "users tab"),
    act!(Tab2, "tab-groups", ["2"], Global, "groups tab"),
    act!(Tab3, "tab-roles", ["3"], Global, "roles tab"),
    act!(Tab4, "tab-permissions", ["4"], Global, "permissions tab"),
    act!(Tab5, "tab-audit", ["5"], Global, "audit tab"),
    act!(Tab6, "tab-apps", ["6"], Global, "apps tab"),
    act!(Up, "up", ["k", "up"], Global, "move up"),
    act!(Down, "down", ["j", "down"], Global, "move down"),
    act!(Top, "top", ["g", "home"], Global, "go to the top"),
    act!(Bottom, "bottom", ["G", "end"], Global, "go to the bottom"),
    act!(PageUp, "page-up", ["pageup", "ctrl-u"], Global, "page up"),
    act!(
        PageDown,
        "page-down",
        ["pagedown", "ctrl-f"],
        Global,
        "page down"
    ),
    act!(
        Back,
        "back",
        ["esc"],
        Global,
        "close, clear the filter or marks"
    ),
    act!(Review, "review", ["R"], Global, "review, commit or discard staged", needs "*", hint "review"),
    act!(ToggleStaging, "stage-toggle", ["ctrl-t"], Global, "toggle: stage edits for review", needs "*", hint "staging"),
    act!(Undo, "undo", ["U"], Global, "undo the newest change (anyone's)", needs "*", hint ""),
    act!(
        Copy,
        "copy",
        ["y"],
        Global,
        "copy the focused name (OSC 52)"
    ),
    act!(Sort, "sort", ["s"], Global, "sort by the next column"),
    act!(
        SortReverse,
        "sort-reverse",
        ["S"],
        Global,
        "reverse the sort"
    ),
    act!(
        Refresh,
        "refresh",
        ["ctrl-r"],
        Global,
        "reload from the store"
    ),
];

pub fn spec(action: Action) -> &'static ActionSpec {
    ACTIONS
        .iter()
        .find(|s| s.action == action)
        .unwrap_or(&ACTIONS[0])
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A key with modifiers, as written in the config file (`j`, `G`, `ctrl-d`, `delete`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text.trim();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "delete" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            one if one.chars().count() == 1 => KeyCode::Char(one.chars().next().unwrap_or(' ')),
            f if f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            other => return Err(format!("unknown key {other:?}")),
        };
        // Ctrl-m, -i, -h and -[ are Enter, Tab, Backspace and Esc on most terminals.
        if ctrl {
            if let KeyCode::Char(c) = code {
                if "mih[".contains(c.to_ascii_lowercase()) {
                    return Err(format!(
                        "ctrl-{c} cannot be told apart from enter, tab, backspace or esc"
                    ));
                }
            }
        }
        Ok(Key { code, ctrl, alt })
    }

    /// The key as the config file writes it (`ctrl-d`, `pagedown`, `G`): what [`Key::parse`]
    /// reads back.
    pub fn config_name(&self) -> String {
        let code = match self.code {
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Tab => "tab".to_string(),
            KeyCode::BackTab => "backtab".to_string(),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Up => "up".to_string(),
            KeyCode::Down => "down".to_string(),
            KeyCode::Left => "left".to_string(),
            KeyCode::Right => "right".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::PageUp => "pageup".to_string(),
            KeyCode::PageDown => "pagedown".to_string(),
            KeyCode::Delete => "delete".to_string(),
            KeyCode::Backspace => "backspace".to_string(),
            KeyCode::F(n) => format!("f{n}"),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        format!(
            "{}{}{code}",
            if self.ctrl { "ctrl-" } else { "" },
            if self.alt { "alt-" } else { "" }
        )
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("^")?;
        }
        if self.alt {
            f.write_str("M-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("S-tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Backspace => f.write_str("bksp"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// The bindings in force: defaults, with the config file's remappings applied.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: HashMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = ACTIONS
            .iter()
            .map(|s| {
                let keys = s.keys.iter().filter_map(|k| Key::parse(k).ok()).collect();
                (s.action, keys)
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings.get(&action).map_or(&[], Vec::as_slice)
    }

    pub fn rebind(&mut self, action: Action, keys: Vec<Key>) {
        self.bindings.insert(action, keys);
    }

    /// The action a key triggers in `context` (its own actions first, then global ones).
    pub fn action(&self, key: Key, context: Context) -> Option<Action> {
        let lookup = |want: Context| {
            ACTIONS
                .iter()
                .filter(|s| s.context == want)
                .find(|s| self.keys(s.action).contains(&key))
                .map(|s| s.action)
        };
        if context != Context::Global {
            if let Some(a) = lookup(context) {
                return Some(a);
            }
        }
        lookup(Context::Global)
    }

    /// `^d/del`: the keys of an action, for hints and help.
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The bindings as the config file's `[keys]` table, one action a line in the order of
    /// the action table, each with what it does: what `warden keys` prints.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("[keys]\n");
        for spec in ACTIONS {
            let keys: Vec<String> = self
                .keys(spec.action)
                .iter()
                .map(|k| toml_string(&k.config_name()))
                .collect();
            let name = if spec.name.contains('.') {
                toml_string(spec.name)
            } else {
                spec.name.to_string()
            };
            out.push_str(&format!(
                "{name} = [{}]  # {}\n",
                keys.join(", "),
                spec.description
            ));
        }
        out
    }

    /// Pairs of actions sharing a key in a context where both apply.
    pub fn conflicts(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in ACTIONS.iter().enumerate() {
            for b in &ACTIONS[i + 1..] {
                let overlap = a.context == b.context;
                if !overlap {
                    continue;
                }
                for key in self.keys(a.action) {
                    if self.keys(b.action).contains(key) {
                        out.push(format!("{} and {} are both bound to {key}", a.name, b.name));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_do_not_collide() {
        for spec in ACTIONS {
            for key in spec.keys {
                Key::parse(key).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            }
        }
        assert_eq!(Keymap::default().conflicts(), Vec::<String>::new());
    }

    #[test]
    fn no_single_letter_deletes_and_deletes_are_dangerous() {
        for spec in ACTIONS {
            let deletes = spec.name.ends_with(".delete");
            assert_eq!(deletes, spec.dangerous, "{}", spec.name);
            if deletes {
                for key in spec.keys {
                    let k = Key::parse(key).unwrap();
                    assert!(
                        k.ctrl || !matches!(k.code, KeyCode::Char(_)),
                        "{} on {key}",
                        spec.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_toml_reads_back_as_the_same_keymap() {
        let mut map = Keymap::default();
        map.rebind(Action::Quit, vec![Key::parse("ctrl-q").unwrap()]);
        let text = map.to_toml();
        let config = crate::tui::config::parse(&text, "printed");
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        for spec in ACTIONS {
            assert_eq!(
                config.keymap.keys(spec.action),
                map.keys(spec.action),
                "{}",
                spec.name
            );
        }
        assert!(text.contains("quit = [\"ctrl-q\"]"), "{text}");
        assert!(
            text.contains("\"users.delete\" = [\"ctrl-d\", \"delete\"]"),
            "{text}"
        );
    }

    #[test]
    fn ambiguous_control_keys_are_refused() {
        for bad in ["ctrl-m", "ctrl-i", "ctrl-h", "ctrl-["] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
        assert!(Key::parse("ctrl-d").is_ok());
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn tab_actions_win_over_global_ones() {
        let map = Keymap::default();
        let n = Key::parse("n").unwrap();
        assert_eq!(map.action(n, Context::Users), Some(Action::NewUser));
        assert_eq!(map.action(n, Context::Groups), Some(Action::NewGroup));
        assert_eq!(
            map.action(n, Context::Permissions),
            Some(Action::NewPermission)
        );
        assert_eq!(map.action(n, Context::Audit), None);
        let j = Key::parse("j").unwrap();
        assert_eq!(map.action(j, Context::Roles), Some(Action::Down));
    }
}
