//! The `:` command line. Tab switches (`:users`, `:groups`, `:roles`, `:perms`, `:audit`,
//! `:apps`), jumps to an item by name (`:user alice`, `:group ops`, `:role deployer`,
//! `:perm users.view`, `:app shop`), the setup commands (in `setup.rs`),
//! `:help`, `:q` (which asks first when edits are staged) and `:q!` (which does not). ↑ and ↓
//! walk the commands given before, Tab completes a command or a name. An unknown command is
//! said on the status line: no dialog is left open to catch the next key meant for the screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::super::keymap::Action;
use super::super::overlay::{CommandLine, Confirm, OnConfirm, Overlay};
use super::super::state::{Level, State, Tab};
use super::{Effect, listing};
use crate::model::validate::fold;

/// The commands, for completion and for the message about an unknown one.
pub const COMMANDS: [&str; 14] = [
    "users", "groups", "roles", "perms", "audit", "apps", "user", "group", "role", "perm", "app",
    "help", "q", "q!",
];

/// How many commands the history keeps.
const HISTORY: usize = 100;

/// A key while the command line is open.
pub fn key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Command(line)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
        }
        KeyCode::Backspace => {
            // Backspace on an empty line closes it, as in vi.
            let emptied = line.input.pop().is_none();
            if emptied {
                state.overlays.pop();
            }
        }
        KeyCode::Up | KeyCode::Down => {
            let history = &state.command_history;
            if history.is_empty() {
                return Vec::new();
            }
            let at = match (key.code, line.recalled) {
                (KeyCode::Up, None) => Some(history.len() - 1),
                (KeyCode::Up, Some(i)) => Some(i.saturating_sub(1)),
                (_, Some(i)) if i + 1 < history.len() => Some(i + 1),
                _ => None,
            };
            line.recalled = at;
            line.input = at.map(|i| history[i].clone()).unwrap_or_default();
        }
        KeyCode::Tab => {
            let completed = complete(state, &current(state));
            if let Some(Overlay::Command(line)) = state.overlays.last_mut() {
                line.input = completed;
            }
        }
        KeyCode::Enter => {
            let input = line.input.trim().to_string();
            state.overlays.pop();
            if !input.is_empty() && state.command_history.last() != Some(&input) {
                state.command_history.push(input.clone());
                if state.command_history.len() > HISTORY {
                    state.command_history.remove(0);
                }
            }
            return run(state, &input);
        }
        KeyCode::Char(c) => {
            line.input.push(c);
            line.recalled = None;
        }
        _ => {}
    }
    Vec::new()
}

fn current(state: &State) -> String {
    match state.overlays.last() {
        Some(Overlay::Command(CommandLine { input, .. })) => input.clone(),
        _ => String::new(),
    }
}

/// Runs a command line's text.
pub fn run(state: &mut State, input: &str) -> Vec<Effect> {
    let input = input.trim().trim_start_matches(':').trim();
    let (command, argument) = match input.split_once(char::is_whitespace) {
        Some((command, rest)) => (command, rest.trim()),
        None => (input, ""),
    };
    if let Some(effects) = super::setup::run(state, command, argument) {
        return effects;
    }
    let tab = match command {
        "users" | "user" | "u" => Tab::Users,
        "groups" | "group" | "g" => Tab::Groups,
        "roles" | "role" | "r" => Tab::Roles,
        "perms" | "permissions" | "perm" | "p" => Tab::Permissions,
        "audit" | "a" => Tab::Audit,
        "apps" | "app" => Tab::Apps,
        "q" | "quit" => return quit(state, false),
        "q!" | "quit!" => return quit(state, true),
        "help" | "h" => {
            return super::keys::action_taken(state, Action::Help);
        }
        "" => return Vec::new(),
        other => {
            state.set_status(
                format!(
                    ":{other} is not a command; commands: :users :groups :roles :perms :audit \
                     :apps, :user NAME :group NAME :role KEY :perm KEY :app KEY, :stage :tenant \
                     :policy :passwd :unlock all, :import FILE :export FILE, :help, :q"
                ),
                Level::Error,
            );
            return Vec::new();
        }
    };
    state.tab = tab;
    if !argument.is_empty() {
        jump(state, tab, argument);
    }
    Vec::new()
}

/// Quits, after asking when staged edits would be lost (unless `force`).
pub fn quit(state: &mut State, force: bool) -> Vec<Effect> {
    let staged = state.staging.edits.len();
    if staged == 0 || force {
        state.quit = true;
        return vec![Effect::Quit];
    }
    state.overlays.push(Overlay::Confirm(Confirm::new(
        "Quit with staged edits?".into(),
        vec![
            format!(
                "{staged} staged edit{} {} not committed: quitting loses {}.",
                if staged == 1 { "" } else { "s" },
                if staged == 1 { "is" } else { "are" },
                if staged == 1 { "it" } else { "them" }
            ),
            "R reviews them, c in the review commits them; :q! quits without asking.".into(),
        ],
        "Quit",
        true,
        OnConfirm::Quit,
    )));
    Vec::new()
}

/// The row of the item named `name` on `tab`, matched as the command line does (usernames
/// and emails, group and role names case-insensitively; keys exactly).
fn find(state: &State, tab: Tab, name: &str) -> Option<usize> {
    let data = state.data.as_ref()?;
    let wanted = fold(name);
    match tab {
        Tab::Users => data.users.iter().position(|u| {
            fold(&u.username) == wanted || u.email.as_deref().is_some_and(|e| fold(e) == wanted)
        }),
        Tab::Groups => data.groups.iter().position(|g| fold(&g.name) == wanted),
        Tab::Roles => data
            .roles
            .iter()
            .position(|r| r.key == name || fold(&r.name) == wanted),
        Tab::Permissions => data.permissions.iter().position(|p| p.key == name),
        Tab::Apps => data.apps.iter().position(|a| a.app.key == name),
        Tab::Audit => name
            .trim_start_matches('#')
            .parse::<i64>()
            .ok()
            .and_then(|id| data.audit.iter().position(|a| a.id == id)),
    }
}

/// Focuses the item named `name` on `tab`, clearing the filter that could hide it.
fn jump(state: &mut State, tab: Tab, name: &str) {
    let Some(row) = find(state, tab, name) else {
        let what = match tab {
            Tab::Users => "user",
            Tab::Groups => "group",
            Tab::Roles => "role",
            Tab::Permissions => "permission",
            Tab::Audit => "audit record",
            Tab::Apps => "app",
        };
        state.set_status(format!("no {what} {name}"), Level::Error);
        return;
    };
    let listing = state.listing_mut(tab);
    if !listing.filter.query.is_empty() {
        listing.filter.query.clear();
        listing::refilter(state, tab);
    }
    listing::focus_row(state, tab, row);
}

/// `input` completed as far as it goes: a command, or after one, a name of its tab.
fn complete(state: &State, input: &str) -> String {
    let Some((command, partial)) = input.split_once(' ') else {
        let matching: Vec<&str> = COMMANDS
            .iter()
            .chain(super::setup::COMMANDS.iter())
            .copied()
            .filter(|c| c.starts_with(input))
            .collect();
        return match matching.as_slice() {
            [one] => format!("{one} "),
            [] => input.to_string(),
            many => common_prefix(many),
        };
    };
    let tab = match command {
        "user" | "users" => Tab::Users,
        "group" | "groups" => Tab::Groups,
        "role" | "roles" => Tab::Roles,
        "perm" | "perms" => Tab::Permissions,
        "app" | "apps" => Tab::Apps,
        _ => return input.to_string(),
    };
    let Some(data) = state.data.as_ref() else {
        return input.to_string();
    };
    let names: Vec<&str> = match tab {
        Tab::Users => data.users.iter().map(|u| u.username.as_str()).collect(),
        Tab::Groups => data.groups.iter().map(|g| g.name.as_str()).collect(),
        Tab::Roles => data.roles.iter().map(|r| r.key.as_str()).collect(),
        Tab::Apps => data.apps.iter().map(|a| a.app.key.as_str()).collect(),
        _ => data.permissions.iter().map(|p| p.key.as_str()).collect(),
    };
    let folded = fold(partial);
    let matching: Vec<&str> = names
        .into_iter()
        .filter(|n| fold(n).starts_with(&folded))
        .take(1_000)
        .collect();
    match matching.as_slice() {
        [] => input.to_string(),
        many => format!("{command} {}", common_prefix(many)),
    }
}

fn common_prefix(words: &[&str]) -> String {
    let mut prefix = words[0].to_string();
    for word in &words[1..] {
        while !word.starts_with(&prefix) {
            prefix.pop();
        }
    }
    prefix
}
