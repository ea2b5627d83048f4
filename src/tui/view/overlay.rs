//! Drawing overlays over the tabs: help, confirmations, forms, pickers, the command line and
//! messages. Each clears its box first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::super::keymap::{ACTIONS, Context};
use super::super::overlay::{Confirm, Message, Overlay, Picker};
use super::super::state::State;
use super::layout::centered;
use super::{form, safe};

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, overlay: &Overlay) {
    match overlay {
        Overlay::Help(help) => help_box(state, frame, area, &help.query, help.scroll),
        Overlay::Confirm(confirm) => confirm_box(state, frame, area, confirm),
        Overlay::Form(f) => form::render(state, frame, area, f),
        Overlay::Picker(picker) => picker_box(state, frame, area, picker),
        Overlay::Command(line) => {
            let bottom = Rect {
                y: area.y + area.height.saturating_sub(1),
                height: 1,
                ..area
            };
            frame.render_widget(Clear, bottom);
            let text = format!(":{}", line.input);
            frame.set_cursor_position((bottom.x + text.chars().count() as u16, bottom.y));
            frame.render_widget(
                Paragraph::new(Line::from(Span::styled(text, state.theme.key()))),
                bottom,
            );
        }
        Overlay::Message(message) => message_box(state, frame, area, message),
        Overlay::Bulk(bulk) => super::bulk::render(state, frame, area, bulk),
        Overlay::Review(review) => super::review::render(state, frame, area, review),
        Overlay::Access(list) => super::inspect::render(state, frame, area, list),
    }
}

fn help_box(state: &State, frame: &mut Frame<'_>, area: Rect, query: &str, scroll: usize) {
    let rect = centered(area, 78, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let query_lower = query.to_lowercase();
    let mut lines = vec![Line::from(vec![
        Span::styled("filter: ", state.theme.dim()),
        Span::raw(query.to_string()),
    ])];
    // This tab's keys first, then the ones that work everywhere, then the other tabs'.
    let here = state.tab.context();
    let mut contexts = vec![here, Context::Global];
    contexts.extend(
        [
            Context::Users,
            Context::Groups,
            Context::Roles,
            Context::Permissions,
            Context::Audit,
            Context::Apps,
        ]
        .into_iter()
        .filter(|c| *c != here),
    );
    for context in contexts {
        let mut section = Vec::new();
        for spec in ACTIONS.iter().filter(|s| s.context == context) {
            let keys = state.keymap.label(spec.action);
            let text = format!("{keys} {} {}", spec.name, spec.description).to_lowercase();
            if !query_lower.is_empty() && !text.contains(&query_lower) {
                continue;
            }
            let refusal = state.refusal(spec.action);
            let key_style = if refusal.is_some() {
                state.theme.dim()
            } else if spec.dangerous {
                state.theme.danger()
            } else {
                state.theme.key()
            };
            section.push(Line::from(vec![
                Span::styled(format!("{keys:>14}  "), key_style),
                Span::raw(format!("{:<34}", spec.description)),
                Span::styled(format!(" {}", spec.name), state.theme.dim()),
            ]));
            // Why the action is not available now, on its own line so it is never cut off.
            if let Some(why) = refusal {
                section.push(Line::from(Span::styled(
                    format!("{:>16}not now: {}", "", safe(&why)),
                    state.theme.dim(),
                )));
            }
        }
        if !section.is_empty() {
            let title = match context {
                Context::Global => "Everywhere",
                Context::Users => "Users tab",
                Context::Groups => "Groups tab",
                Context::Roles => "Roles tab",
                Context::Permissions => "Permissions tab",
                Context::Audit => "Audit tab",
                Context::Apps => "Apps tab",
            };
            lines.push(Line::from(Span::styled(title, state.theme.header())));
            lines.extend(section);
        }
    }
    // Scrolling stops with the last line at the bottom.
    let last_start = lines
        .len()
        .saturating_sub(usize::from(rect.height.saturating_sub(2)));
    let paragraph = Paragraph::new(lines)
        .scroll((scroll.min(last_start) as u16, 0))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Keys · type to filter · esc closes "),
        );
    frame.render_widget(paragraph, rect);
}

fn confirm_box(state: &State, frame: &mut Frame<'_>, area: Rect, confirm: &Confirm) {
    let rect = centered(area, 64, 8 + confirm.lines.len() as u16);
    frame.render_widget(Clear, rect);
    let title_style = if confirm.danger {
        state.theme.danger()
    } else {
        state.theme.title()
    };
    let mut lines: Vec<Line> = confirm
        .lines
        .iter()
        .map(|l| Line::from(safe(l).into_owned()))
        .collect();
    lines.push(Line::from(""));
    let cancel_style = if confirm.on_confirm_focused {
        state.theme.normal()
    } else {
        state.theme.selected()
    };
    let mut confirm_style = if confirm.danger {
        state.theme.danger()
    } else {
        state.theme.normal()
    };
    if confirm.on_confirm_focused {
        confirm_style = confirm_style.patch(state.theme.selected());
    }
    lines.push(Line::from(vec![
        Span::raw("   "),
        Span::styled(" Cancel ", cancel_style),
        Span::raw("   "),
        Span::styled(format!(" {} ", confirm.confirm_label), confirm_style),
    ]));
    lines.push(Line::from(Span::styled(
        "tab switches · enter chooses · esc cancels",
        state.theme.dim(),
    )));
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", safe(&confirm.title)),
        title_style,
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn picker_box(state: &State, frame: &mut Frame<'_>, area: Rect, picker: &Picker) {
    let rect = centered(area, 70, area.height.saturating_sub(4));
    frame.render_widget(Clear, rect);
    let mut lines = Vec::new();
    let filter = format!("search: {}", picker.filter.query);
    lines.push(Line::from(Span::styled(filter.clone(), state.theme.key())));
    if !picker.stages.is_empty() {
        let stage = picker.stage().unwrap_or_else(|| "every stage".into());
        lines.push(Line::from(Span::styled(
            format!("at: {stage} (tab changes)"),
            state.theme.dim(),
        )));
    }
    let height = rect.height.saturating_sub(5) as usize;
    let start = picker.cursor.saturating_sub(height.saturating_sub(1));
    for (i, &item) in picker.visible.iter().enumerate().skip(start).take(height) {
        let chosen = picker.chosen.contains(&(item as usize));
        let text = format!(
            "{} {}",
            if chosen { "[x]" } else { "[ ]" },
            safe(&picker.items[item as usize].label)
        );
        let style = if i == picker.cursor {
            state.theme.selected()
        } else {
            state.theme.normal()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    if picker.visible.is_empty() {
        lines.push(Line::from(Span::styled(
            "nothing matches",
            state.theme.dim(),
        )));
    }
    let title = format!(
        " {} · {} chosen · space marks · enter applies · esc cancels ",
        safe(&picker.title),
        picker.chosen.len()
    );
    frame.set_cursor_position((rect.x + 1 + filter.chars().count() as u16, rect.y + 1));
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}

fn message_box(state: &State, frame: &mut Frame<'_>, area: Rect, message: &Message) {
    let rect = centered(
        area,
        area.width.saturating_sub(6),
        area.height.saturating_sub(4),
    );
    frame.render_widget(Clear, rect);
    let style = if message.error {
        state.theme.error()
    } else {
        state.theme.normal()
    };
    let lines: Vec<Line> = message
        .lines
        .iter()
        .map(|l| Line::from(Span::styled(safe(l).into_owned(), style)))
        .collect();
    let title = format!(" {} · ↑↓ scroll · any key closes ", safe(&message.title));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((message.scroll as u16, 0))
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
