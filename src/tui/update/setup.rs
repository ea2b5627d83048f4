//! The command line's setup commands, for what is changed too rarely to own a key: stages
//! (`:stage` lists them, `:stage add NAME [after STAGE]`, `:stage delete NAME`), tenants (`:tenant add NAME`), the
//! policy (`:policy`, a list of every setting to edit), your own password (`:passwd`) and
//! every lockout at once (`:unlock all`), and data in and out (`:import FILE [skip|overwrite]`,
//! reviewed before it is committed, and `:export FILE`). Each goes through the same gate as any
//! other edit.

use super::super::forms::Form;
use super::super::intent::Draft;
use super::super::overlay::{Message, Overlay};
use super::super::state::{Level, State};
use super::{Effect, catalog, write};
use crate::service::{Command, SignIn};
use crate::tui::import::Asked;
use crate::tui::worker::Request;

/// The setup commands, for completion and for the list of commands.
pub const COMMANDS: [&str; 7] = [
    "stage", "tenant", "policy", "passwd", "unlock", "import", "export",
];

/// Runs `command` when it is a setup command (`None` when it is not one).
pub fn run(state: &mut State, command: &str, argument: &str) -> Option<Vec<Effect>> {
    let words: Vec<&str> = argument.split_whitespace().collect();
    if let Some(asked) = crate::tui::import::asked(command, &words) {
        return Some(match asked {
            Ok(Asked::Import { path, on_conflict }) => {
                state.set_status(
                    format!("rehearsing the import of {}…", path.display()),
                    Level::Info,
                );
                vec![super::send(
                    state,
                    Request::RehearseImport { path, on_conflict },
                )]
            }
            Ok(Asked::Export { path }) => {
                state.set_status(format!("exporting to {}…", path.display()), Level::Info);
                vec![super::send(state, Request::Export { path })]
            }
            Err(how) => usage(state, how),
        });
    }
    Some(match (command, words.as_slice()) {
        ("stage", ["add", name]) => write::apply_or_stage(
            state,
            vec![Command::AddStage {
                name: name.to_string(),
                after: None,
            }],
        ),
        ("stage", ["add", name, "after", after]) => write::apply_or_stage(
            state,
            vec![Command::AddStage {
                name: name.to_string(),
                after: Some(after.to_string()),
            }],
        ),
        ("stage", ["delete", name]) => write::propose(
            state,
            Draft::destructive(
                format!("Delete stage {name}?"),
                vec![
                    "Only a stage nothing refers to (no group, grant or assignment) can go.".into(),
                ],
                vec![Command::DeleteStage {
                    name: name.to_string(),
                }],
            ),
        ),
        ("stage", []) => {
            let stages = state
                .data
                .as_ref()
                .map(|d| d.engine_stages())
                .unwrap_or_default();
            let mut lines: Vec<String> = stages
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {s}", i + 1))
                .collect();
            lines.push(String::new());
            lines.push(":stage add NAME [after STAGE] · :stage delete NAME".into());
            state.overlays.push(Overlay::Message(Message::new(
                "Stages, in order",
                lines,
                false,
            )));
            Vec::new()
        }
        ("stage", _) => usage(state, ":stage add NAME [after STAGE] · :stage delete NAME"),
        ("tenant", ["add", name]) => write::apply_or_stage(
            state,
            vec![Command::AddTenant {
                name: name.to_string(),
            }],
        ),
        ("tenant", _) => usage(
            state,
            ":tenant add NAME (then open it with warden --tenant NAME)",
        ),
        ("policy", []) => {
            catalog::settings(state);
            Vec::new()
        }
        ("passwd", []) => {
            own_password(state);
            Vec::new()
        }
        ("unlock", ["all"]) => {
            write::apply_or_stage(state, vec![Command::Unlock { users: vec![] }])
        }
        ("unlock", _) => usage(
            state,
            ":unlock all (one user: u on the Users tab, or mark them first)",
        ),
        ("policy" | "passwd", _) => usage(state, &format!(":{command} takes no argument")),
        _ => return None,
    })
}

fn usage(state: &mut State, text: &str) -> Vec<Effect> {
    state.set_status(format!("usage: {text}"), Level::Error);
    Vec::new()
}

/// Your own password: the current one is asked for unless you signed in with it.
fn own_password(state: &mut State) {
    let Some(operator) = state.session.as_ref().and_then(|s| s.operator.clone()) else {
        state.set_status("read-only: nobody is signed in", Level::Error);
        return;
    };
    let has_password = state.data.as_ref().is_some_and(|d| {
        d.users
            .iter()
            .any(|u| u.id == operator.user && u.has_password)
    });
    let needs_current = !matches!(operator.sign_in, SignIn::Password) && has_password;
    state.overlays.push(Overlay::Form(Form::own_password(
        &operator.username,
        needs_current,
    )));
}
