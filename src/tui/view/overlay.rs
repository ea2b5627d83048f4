//! Drawing overlays over the tabs: help, confirmations, forms, pickers, the command line and
//! messages. Each clears its box first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::super::keymap::{ACTIONS, Context};
use super::super::overlay::{Confirm, Message, Overlay, Picker};
use super::super::state::State;
use super::layout::{centered, dialog};
use super::{form, safe};
use unicode_width::UnicodeWidthStr;

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
        Overlay::Import(review) => super::import::render(state, frame, area, review),
    }
}

fn help_box(state: &State, frame: &mut Frame<'_>, area: Rect, query: &str, scroll: usize) {
    let rect = centered(area, 80, area.height);
    frame.render_widget(Clear, rect);
    let query_lower = query.to_lowercase();
    let mut lines = vec![Line::from(vec![
        Span::styled("search keys by what they do: ", state.theme.dim()),
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
    // The description column is as wide as the widest description; the config names follow
    // only when both fit, so a long description never runs into a name.
    let inner = usize::from(rect.width.saturating_sub(2));
    let described = ACTIONS
        .iter()
        .map(|s| s.description.width())
        .max()
        .unwrap_or(0);
    let named = ACTIONS.iter().map(|s| s.name.width()).max().unwrap_or(0);
    let show_names = 16 + described + 1 + named <= inner;
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
            let mut row = vec![
                Span::styled(format!("{keys:>14}  "), key_style),
                Span::raw(format!("{:<described$}", spec.description)),
            ];
            if show_names {
                row.push(Span::styled(format!(" {}", spec.name), state.theme.dim()));
            }
            section.push(Line::from(row));
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
        .block(dialog(
            "Keys",
            state.theme.title(),
            &["type to search", "↑↓ scroll", "esc closes"],
            rect.width,
        ));
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
    let block = dialog(&safe(&confirm.title), title_style, &[], rect.width);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn picker_box(state: &State, frame: &mut Frame<'_>, area: Rect, picker: &Picker) {
    // As tall as its items (and the search and stage lines), within the room there is.
    let wanted = picker.items.len().max(1) as u16 + 3 + u16::from(!picker.stages.is_empty());
    let rect = centered(area, 72, wanted.clamp(8, area.height));
    frame.render_widget(Clear, rect);
    let mut lines = Vec::new();
    let filter = format!("search: {}", picker.filter.query);
    lines.push(Line::from(Span::styled(filter.clone(), state.theme.key())));
    if !picker.stages.is_empty() {
        let scope = match picker.stage() {
            Some(stage) => format!("stage {stage}"),
            None => "organization (every stage)".into(),
        };
        lines.push(Line::from(Span::styled(
            format!("at: {scope} · tab picks a stage"),
            state.theme.dim(),
        )));
    }
    let height = rect
        .height
        .saturating_sub(3 + u16::from(!picker.stages.is_empty())) as usize;
    let start = picker.cursor.saturating_sub(height.saturating_sub(1));
    for (i, &item) in picker.visible.iter().enumerate().skip(start).take(height) {
        let chosen = picker.chosen.contains(&(item as usize));
        let label = safe(&picker.items[item as usize].label);
        let room = usize::from(rect.width.saturating_sub(6));
        let text = format!(
            "{} {}",
            if chosen { "[x]" } else { "[ ]" },
            super::wrap::fit_words(&label, room)
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
    let chosen = format!("{} chosen", picker.chosen.len());
    let block = dialog(
        &safe(&picker.title),
        state.theme.title(),
        &[&chosen, "space marks", "enter applies", "esc cancels"],
        rect.width,
    );
    frame.set_cursor_position((rect.x + 1 + filter.chars().count() as u16, rect.y + 1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn message_box(state: &State, frame: &mut Frame<'_>, area: Rect, message: &Message) {
    let width = area.width.saturating_sub(6);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // As tall as its lines once wrapped, within the room there is.
    let rows: usize = message
        .lines
        .iter()
        .map(|l| l.chars().count().max(1).div_ceil(inner))
        .sum();
    let rect = centered(area, width, (rows as u16 + 2).clamp(5, area.height));
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
    let block = dialog(
        &safe(&message.title),
        state.theme.title(),
        &["↑↓ scroll", "any key closes"],
        rect.width,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((message.scroll as u16, 0))
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
