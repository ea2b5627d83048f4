//! The bulk confirmation: what the action is and whom it reaches, the changes and their effect
//! on access user by user, the count to type when it is asked for, and Cancel · Stage · Commit
//! with Cancel focused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::bulk::{BulkConfirm, Button};
use super::super::state::State;
use super::layout::centered;
use super::review::user_lines;
use super::safe;

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, bulk: &BulkConfirm) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let p = &bulk.projection;
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled("for ", state.theme.normal()),
        Span::styled(bulk.reach(), state.theme.key()),
    ])];
    if bulk.staged > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "after the {} staged edit(s), which a commit takes too",
                bulk.staged
            ),
            state.theme.warning(),
        )));
    }
    lines.push(Line::from(format!(
        "changes: {}",
        if p.counts.is_empty() {
            "none"
        } else {
            &p.counts
        }
    )));
    lines.push(Line::from(Span::styled(
        format!("access: {}", p.headline),
        if p.sensitive {
            state.theme.danger()
        } else {
            state.theme.normal()
        },
    )));
    if !p.notes.is_empty() {
        let shown: Vec<String> = p
            .notes
            .iter()
            .take(3)
            .map(|n| format!("{}: {}", safe(&n.subject), safe(&n.reason)))
            .collect();
        let more = p.notes.len().saturating_sub(3);
        lines.push(Line::from(Span::styled(
            format!(
                "skipped {}: {}{}",
                p.notes.len(),
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ),
            state.theme.dim(),
        )));
    }
    lines.push(Line::from(""));
    // Room for the per-user lines: the box less the lines around them.
    let footer = 4;
    let room = (rect.height as usize).saturating_sub(lines.len() + footer + 2);
    lines.extend(user_lines(state, p, bulk.scroll, room));
    lines.push(Line::from(""));
    if let Some(n) = bulk.required {
        let why = if p.sensitive {
            "someone gains a User management permission"
        } else {
            "more than 50 users change"
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{why}: type {n} to confirm: "),
                state.theme.warning(),
            ),
            Span::styled(format!("{}_", bulk.typed), state.theme.key()),
        ]));
    } else {
        lines.push(Line::from(""));
    }
    let mut buttons = vec![Span::raw("   ")];
    for &button in bulk.buttons() {
        let label = match button {
            Button::Cancel => " Cancel ".to_string(),
            Button::Stage => " Stage ".to_string(),
            Button::Commit if bulk.staged > 0 => format!(" Commit all {} edits ", bulk.staged + 1),
            Button::Commit => " Commit ".to_string(),
        };
        let mut style = if button != Button::Cancel && !bulk.count_ok() {
            state.theme.dim()
        } else {
            state.theme.normal()
        };
        if button == bulk.focus {
            style = style.patch(state.theme.selected());
        }
        buttons.push(Span::styled(label, style));
        buttons.push(Span::raw("   "));
    }
    lines.push(Line::from(buttons));
    lines.push(Line::from(Span::styled(
        "tab switches · enter chooses · j/k scroll · esc cancels",
        state.theme.dim(),
    )));
    let title = Span::styled(
        format!(" {} ", safe(&bulk.draft.title)),
        state.theme.title(),
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
