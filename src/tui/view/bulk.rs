//! The confirmation every access-changing change passes: what it is (and, for a delete, what
//! goes with it), whom it reaches, the changes and their effect on access user by user, the
//! count to type when the consent rule asks for it, and Cancel · Stage · Commit with Cancel
//! focused. The box is as tall as what it says, inside the space between the tab bar and the
//! status line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::bulk::{BulkConfirm, Button};
use super::super::intent::DraftKind;
use super::super::state::State;
use super::layout::centered;
use super::review::user_lines;
use super::safe;
use super::wrap::wrap;

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, bulk: &BulkConfirm) {
    let width = area.width.saturating_sub(4).min(100);
    let inner = usize::from(width.saturating_sub(2));
    let p = &bulk.projection;
    let mut head: Vec<Line> = Vec::new();
    let mut say = |text: &str, style: Style| {
        head.extend(
            wrap(&safe(text), inner)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, style))),
        );
    };
    for line in &bulk.draft.explain {
        say(line, state.theme.normal());
    }
    if !bulk.draft.users.is_empty() {
        say(&format!("for {}", bulk.reach()), state.theme.key());
    }
    if bulk.staged > 0 {
        say(
            &format!(
                "after the {} staged edit(s), which a commit takes too",
                bulk.staged
            ),
            state.theme.warning(),
        );
    }
    let counts = if p.counts.is_empty() {
        "none"
    } else {
        &p.counts
    };
    say(&format!("changes: {counts}"), state.theme.normal());
    let access_style = if p.consent.sensitive() {
        state.theme.danger()
    } else {
        state.theme.normal()
    };
    say(&format!("access: {}", p.headline), access_style);
    if !p.notes.is_empty() {
        let shown: Vec<String> = p
            .notes
            .iter()
            .take(3)
            .map(|n| format!("{}: {}", n.subject, n.reason))
            .collect();
        let more = p.notes.len().saturating_sub(3);
        let more = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        say(
            &format!("skipped {}: {}{more}", p.notes.len(), shown.join("; ")),
            state.theme.dim(),
        );
    }

    let mut foot: Vec<Line> = Vec::new();
    if let (Some(n), Some(why)) = (bulk.required, p.consent.reason()) {
        let ask = format!("{why}: type {n}, the users whose access changes: ");
        let mut asked: Vec<Line> = wrap(&ask, inner)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, state.theme.warning())))
            .collect();
        if let Some(last) = asked.last_mut() {
            last.spans
                .push(Span::styled(format!("{}_", bulk.typed), state.theme.key()));
        }
        foot.extend(asked);
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
    foot.push(Line::from(buttons));
    foot.push(Line::from(Span::styled(
        "tab switches · enter chooses · j/k scroll · esc cancels",
        state.theme.dim(),
    )));

    // The per-user lines get what the header, the footer and the blank lines between leave.
    let users = p
        .order
        .iter()
        .filter_map(|id| p.users.get(id))
        .map(|u| 1 + u.gained.len() + u.lost.len())
        .sum::<usize>();
    let fixed = head.len() + foot.len() + 2;
    let height = (fixed + users + 2).min(usize::from(area.height)) as u16;
    let rect = centered(area, width, height);
    let room = usize::from(rect.height).saturating_sub(fixed + 2);
    let mut lines = head;
    lines.push(Line::from(""));
    lines.extend(user_lines(state, p, bulk.scroll, room));
    lines.push(Line::from(""));
    lines.extend(foot);

    let title_style = if bulk.draft.kind == DraftKind::Destructive {
        state.theme.danger()
    } else {
        state.theme.title()
    };
    let title = Span::styled(format!(" {} ", safe(&bulk.draft.title)), title_style);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
