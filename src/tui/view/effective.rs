//! The effective-permission pane: what the focused user can do, grouped by section, each
//! permission at its widest scope with the first path that gives it. Computed from the engine
//! on every frame (microseconds), so it follows the cursor without a query.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::state::State;
use super::safe;
use crate::model::UserStatus;

pub fn pane(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Effective permissions ");
    let (Some(data), Some(user)) = (state.data.as_ref(), state.focused_user()) else {
        frame.render_widget(block, area);
        return;
    };
    let e = &data.engine;
    let mut lines: Vec<Line> = Vec::new();
    if user.status != UserStatus::Active {
        lines.push(Line::from(Span::styled(
            format!("no access: {} is {}", safe(&user.username), user.status),
            state.theme.dim(),
        )));
    } else {
        if user.locked {
            lines.push(Line::from(Span::styled(
                "locked: cannot sign in until unlocked",
                state.theme.danger(),
            )));
        }
        let set = e.effective(user.id).unwrap_or_default();
        let mut atoms = e.atoms(&set);
        atoms.sort_by_cached_key(|a| {
            (
                e.permission_section(a.permission).unwrap_or("").to_string(),
                e.permission_key(a.permission).unwrap_or("").to_string(),
            )
        });
        if atoms.is_empty() {
            lines.push(Line::from(Span::styled(
                "no permissions",
                state.theme.dim(),
            )));
        }
        let mut section = String::new();
        for atom in atoms {
            let this = e
                .permission_section(atom.permission)
                .unwrap_or("")
                .to_string();
            if this != section {
                lines.push(Line::from(Span::styled(
                    safe(&this).into_owned(),
                    state.theme.header(),
                )));
                section = this;
            }
            let via = e
                .first_path(user.id, atom)
                .map(|p| e.render_route(&p))
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::raw(format!(" {} ", safe(&e.atom_label(atom)))),
                Span::styled(format!("← {}", safe(&via)), state.theme.dim()),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
