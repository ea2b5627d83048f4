//! Drawing a form: labelled fields (the focused one with the cursor), each field's error under
//! it, locked fields with their reason, the password checklist beside password fields, and the
//! form's own error.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::super::forms::{FieldKind, Form};
use super::super::state::State;
use super::layout::{centered, dialog};
use super::safe;

/// The checklist lines (`ok` / `FAIL` and the requirement).
pub fn checklist_lines<'a>(state: &State, form: &Form) -> Vec<Line<'a>> {
    let Some(list) = &form.checklist else {
        return Vec::new();
    };
    list.checks
        .iter()
        .map(|c| {
            let (mark, style) = if c.passed {
                ("✓", state.theme.ok())
            } else {
                ("✗", state.theme.error())
            };
            Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(c.requirement.clone(), style),
            ])
        })
        .collect()
}

/// The field lines; places the cursor in the focused field when `cursor_in` is given.
pub fn field_lines<'a>(
    state: &State,
    form: &Form,
    area: Rect,
    frame: &mut Frame<'_>,
) -> Vec<Line<'a>> {
    let label_width = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(8)
        + 2;
    let mut lines = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus && !form.submitting;
        let shown = match &field.kind {
            FieldKind::Choice(_) => format!("◀ {} ▶", field.value),
            _ => safe(&field.shown()).into_owned(),
        };
        let label_style = if focused {
            state.theme.key()
        } else {
            state.theme.normal()
        };
        let value_style = if field.locked.is_some() {
            state.theme.dim()
        } else if focused {
            state.theme.selected()
        } else {
            state.theme.normal()
        };
        if focused && field.locked.is_none() && !matches!(field.kind, FieldKind::Choice(_)) {
            let x = area.x + label_width as u16 + field.cursor as u16;
            let y = area.y + lines.len() as u16;
            if x < area.x + area.width && y < area.y + area.height {
                frame.set_cursor_position((x, y));
            }
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<label_width$}", field.label), label_style),
            Span::styled(format!("{shown} "), value_style),
        ]));
        if let Some(why) = &field.locked {
            lines.push(Line::from(Span::styled(
                format!("{:label_width$}{why}", ""),
                state.theme.dim(),
            )));
        }
        if let Some(error) = &field.error {
            lines.push(Line::from(Span::styled(
                format!("{:label_width$}{}", "", safe(error)),
                state.theme.error(),
            )));
        }
    }
    lines
}

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, form: &Form) {
    let wide = form.checklist.is_some();
    // Each field takes a line, and one more for each lock reason or error; then a blank line,
    // room for a form-level error (which may wrap) or the saving note, and the border. A
    // checklist needs its own rows beside the fields.
    let field_rows = form
        .fields
        .iter()
        .map(|f| 1 + u16::from(f.locked.is_some()) + u16::from(f.error.is_some()))
        .sum::<u16>()
        + 1
        + 2
        + 2;
    let checklist_rows = form
        .checklist
        .as_ref()
        .map_or(0, |c| c.checks.len() as u16 + 3);
    let height = field_rows
        .max(checklist_rows)
        .min(area.height.saturating_sub(2));
    let rect = centered(area, if wide { 100 } else { 72 }, height);
    frame.render_widget(Clear, rect);
    let block = dialog(
        &safe(&form.title),
        state.theme.title(),
        &["tab next field", "ctrl-s saves", "esc cancels"],
        rect.width,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let (fields_area, side) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(inner);
        (a, Some(b))
    } else {
        (inner, None)
    };
    let mut lines = field_lines(state, form, fields_area, frame);
    lines.push(Line::from(""));
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(
            safe(error).into_owned(),
            state.theme.error(),
        )));
    }
    if form.submitting {
        lines.push(Line::from(Span::styled("saving…", state.theme.dim())));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        fields_area,
    );
    if let Some(side) = side {
        frame.render_widget(
            Paragraph::new(checklist_lines(state, form)).wrap(Wrap { trim: false }),
            side,
        );
    }
}
