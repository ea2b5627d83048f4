//! The review of staged edits, and the per-user lines it shares with the bulk confirmation:
//! each affected user, then what they gain (+) and lose (−), each with the path that causes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::super::review::Review;
use super::super::staging::{Projection, route};
use super::super::state::State;
use super::layout::{centered, dialog};
use super::safe;

/// Per affected user, their gains and losses: at most `limit` lines from line `skip`. Paths
/// are looked up only for the lines shown.
pub fn user_lines<'a>(
    state: &State,
    projection: &Projection,
    skip: usize,
    limit: usize,
) -> Vec<Line<'a>> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let e = &data.engine;
    let mut lines = Vec::new();
    let mut index = 0;
    for id in &projection.order {
        let Some(user) = projection.users.get(id) else {
            continue;
        };
        let rows = 1 + user.gained.len() + user.lost.len();
        // Users wholly above the window are skipped without looking at them.
        if index + rows <= skip {
            index += rows;
            continue;
        }
        let mut entries: Vec<Line<'a>> = Vec::with_capacity(rows);
        entries.push(Line::from(Span::styled(
            safe(projection.username(*id)).into_owned(),
            state.theme.header(),
        )));
        for &atom in &user.gained {
            entries.push(Line::from(vec![
                Span::styled(
                    format!("  + {}", safe(&e.atom_label(atom))),
                    state.theme.gained(),
                ),
                Span::styled(
                    format!("  ← {}", safe(&projection.gained_route(*id, atom))),
                    state.theme.dim(),
                ),
            ]));
        }
        for &atom in &user.lost {
            entries.push(Line::from(vec![
                Span::styled(
                    format!("  − {}", safe(&e.atom_label(atom))),
                    state.theme.lost(),
                ),
                Span::styled(
                    format!("  (was: {})", safe(&route(e, *id, atom))),
                    state.theme.dim(),
                ),
            ]));
        }
        for line in entries {
            if index >= skip && lines.len() < limit {
                lines.push(line);
            }
            index += 1;
        }
        if lines.len() >= limit {
            break;
        }
    }
    lines
}

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, review: &Review) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let staging = &state.staging;
    let mut lines: Vec<Line> = Vec::new();
    for (i, edit) in staging.edits.iter().enumerate() {
        let text = format!("{:>3}. {}", i + 1, safe(&edit.label));
        let style = if i == review.cursor {
            state.theme.selected()
        } else {
            state.theme.normal()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    lines.push(Line::from(""));
    if let Some(summary) = staging.summary() {
        let style = if staging.problem.is_some() {
            state.theme.error()
        } else {
            state.theme.key()
        };
        lines.push(Line::from(Span::styled(safe(&summary).into_owned(), style)));
    }
    if let Some(p) = &staging.projection {
        if !p.notes.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("{} item(s) need no change and are skipped", p.notes.len()),
                state.theme.dim(),
            )));
        }
        lines.push(Line::from(""));
        let room = (rect.height as usize).saturating_sub(lines.len() + 2);
        lines.extend(user_lines(state, p, review.scroll, room));
    }
    let block = dialog(
        "Staged edits",
        state.theme.title(),
        &[
            "c commits all",
            "x unstages",
            "D discards",
            "j/k edit",
            "pgdn/pgup scroll",
            "esc closes",
        ],
        rect.width,
    );
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
