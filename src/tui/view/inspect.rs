//! A user's permissions as a list (`Enter` on a user): by section, each with the first path
//! that gives it; under staged edits, what is gained (+) and lost (−).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::super::inspect::{AccessList, Held};
use super::super::state::State;
use super::layout::{centered, dialog};
use super::safe;

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, list: &AccessList) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let room = (rect.height as usize).saturating_sub(2).max(1);
    let start = list.cursor.saturating_sub(room - 1);
    let mut lines: Vec<Line> = Vec::new();
    if list.items.is_empty() {
        lines.push(Line::from(Span::styled(
            "no permissions",
            state.theme.dim(),
        )));
    }
    for (i, item) in list.items.iter().enumerate().skip(start).take(room) {
        let (mark, style) = match item.held {
            Held::Now => ("  ", state.theme.normal()),
            Held::Gained => ("+ ", state.theme.gained()),
            Held::Lost => ("− ", state.theme.lost()),
        };
        let mut style = style;
        if i == list.cursor {
            style = style.patch(state.theme.selected());
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!("{mark}{:<24} {}", safe(&item.section), safe(&item.label)),
                style,
            ),
            Span::styled(format!("  ← {}", safe(&item.route)), state.theme.dim()),
        ]));
    }
    let title = format!("{}: {} permissions", safe(&list.username), list.items.len());
    let block = dialog(
        &title,
        state.theme.title(),
        &["enter explains", "esc closes"],
        rect.width,
    );
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
