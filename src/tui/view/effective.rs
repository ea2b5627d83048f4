//! The effective-permission pane: what the focused user can do, grouped by section, each
//! permission at its widest scope with the first path that gives it, and under staged edits
//! what they would gain (+) and lose (struck through). Computed from the engine and the staged
//! projection on every frame (microseconds), so it follows the cursor without a query.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::inspect::Held;
use super::super::state::State;
use super::safe;
use crate::access::Atom;
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
    } else if user.locked {
        lines.push(Line::from(Span::styled(
            "locked: cannot sign in until unlocked",
            state.theme.danger(),
        )));
    }
    {
        let set = e.effective(user.id).unwrap_or_default();
        let projected = state
            .staging
            .projection
            .as_ref()
            .and_then(|p| p.users.get(&user.id));
        // Held now (struck through when the staged edits take it away), and gained.
        let mut rows: Vec<(Atom, Held, String)> = e
            .atoms(&set)
            .into_iter()
            .map(|atom| {
                let lost = projected.is_some_and(|p| p.lost.contains(&atom));
                let via = e
                    .first_path(user.id, atom)
                    .map(|p| e.render_route(&p))
                    .unwrap_or_default();
                (atom, if lost { Held::Lost } else { Held::Now }, via)
            })
            .collect();
        if let (Some(p), Some(projection)) = (projected, state.staging.projection.as_ref()) {
            lines.push(Line::from(Span::styled(
                format!("staged: +{} −{}", p.gained.len(), p.lost.len()),
                state.theme.warning(),
            )));
            rows.extend(
                p.gained
                    .iter()
                    .map(|&a| (a, Held::Gained, projection.gained_route(user.id, a))),
            );
        }
        rows.sort_by_cached_key(|(a, _, _)| {
            (
                e.permission_section(a.permission).unwrap_or("").to_string(),
                e.permission_key(a.permission).unwrap_or("").to_string(),
            )
        });
        if rows.is_empty() {
            lines.push(Line::from(Span::styled(
                "no permissions",
                state.theme.dim(),
            )));
        }
        let mut section = String::new();
        for (atom, held, via) in rows {
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
            let (mark, style) = match held {
                Held::Now => (" ", state.theme.normal()),
                Held::Gained => ("+", state.theme.gained()),
                Held::Lost => ("−", state.theme.lost()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{mark}{} ", safe(&e.atom_label(atom))), style),
                Span::styled(format!("← {}", safe(&via)), state.theme.dim()),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
