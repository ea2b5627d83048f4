//! The focused tab's table. Only the rows on screen are built, so a 100,000-row list costs the
//! same to draw as a 20-row one. Filter matches are highlighted in the first column; the
//! focused row is in reverse video.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::super::filter::highlights;
use super::super::state::{Data, State, Tab};
use super::columns::{fit, specs};
use super::layout::list_rows;
use super::safe;
use crate::model::{Timestamp, UserStatus, Vocabulary};
use unicode_width::UnicodeWidthStr;

/// `locked 12m`, or nothing.
pub fn lock_badge(locked_until: Option<Timestamp>, now: Timestamp) -> String {
    match locked_until {
        Some(until) if until > now => {
            if until.0 == i64::MAX {
                "locked".into()
            } else {
                let minutes = ((until.0 - now.0) + 59_999) / 60_000;
                format!("locked {minutes}m")
            }
        }
        _ => String::new(),
    }
}

fn cells(data: &Data, tab: Tab, row: usize, now: Timestamp) -> Vec<String> {
    match tab {
        Tab::Users => {
            let u = &data.users[row];
            vec![
                u.username.clone(),
                u.kind.to_string(),
                u.status.to_string(),
                lock_badge(u.locked_until, now),
                u.display_name.clone(),
            ]
        }
        Tab::Groups => {
            let g = &data.groups[row];
            vec![
                g.name.clone(),
                g.stage.clone(),
                g.members.to_string(),
                g.roles.to_string(),
            ]
        }
        Tab::Roles => {
            let r = &data.roles[row];
            vec![
                r.key.clone(),
                if r.builtin {
                    format!("{} ★", r.name)
                } else {
                    r.name.clone()
                },
                r.kind.to_string(),
                r.app.clone().unwrap_or_default(),
                r.assignments.to_string(),
            ]
        }
        Tab::Permissions => {
            let p = &data.permissions[row];
            vec![
                p.key.clone(),
                p.section.clone(),
                p.app.clone().unwrap_or_default(),
                p.name.clone(),
            ]
        }
        Tab::Audit => {
            let a = &data.audit[row];
            vec![
                a.id.to_string(),
                a.at.short(),
                a.operator.clone(),
                a.action.clone(),
                a.summary.clone(),
            ]
        }
        Tab::Apps => {
            let a = &data.apps[row];
            vec![
                a.app.key.clone(),
                a.app.name.clone(),
                a.permissions.to_string(),
                a.roles.to_string(),
            ]
        }
    }
}

/// Blank columns between two columns.
const SPACING: u16 = 1;

/// The first column (already made safe) with the filter's matched characters highlighted.
fn highlighted<'a>(text: &str, query: &str, state: &State) -> Line<'a> {
    let text = text.to_string();
    if query.trim().is_empty() {
        return Line::from(text);
    }
    let marks = highlights(&text, query);
    let spans: Vec<Span<'a>> = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if marks.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), state.theme.matched())
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}

pub fn table(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let tab = state.tab;
    let listing = state.listing(tab);
    let Some(data) = state.data.as_ref() else {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tab.title()));
        frame.render_widget(block, area);
        return;
    };
    let total = data.len(tab);
    // The audit trail's own order is by time: said in words, not as an arrow on its id.
    let sort = if tab == Tab::Audit && listing.sort_column == 0 {
        if listing.descending {
            "oldest first".to_string()
        } else {
            "newest first".to_string()
        }
    } else {
        format!(
            "{} {}",
            tab.columns()
                .get(listing.sort_column)
                .copied()
                .unwrap_or(""),
            if listing.descending { "↓" } else { "↑" }
        )
    };
    let mut title = format!(
        " {} {}/{} · {} ",
        tab.title(),
        listing.visible.len(),
        total,
        sort.to_lowercase()
    );
    if !listing.filter.query.is_empty() {
        title.push_str(&format!("· /{} ", safe(&listing.filter.query)));
    }
    let rows_shown = list_rows(state.size);
    // Only fuzzy words are highlighted, not filter terms like `group:ops`.
    let query = if tab == Tab::Users {
        super::super::terms::parse(&listing.filter.query).fuzzy
    } else {
        listing.filter.query.clone()
    };
    let shown: Vec<(usize, Vec<String>)> = listing
        .visible
        .iter()
        .enumerate()
        .skip(listing.offset)
        .take(rows_shown)
        .map(|(i, &r)| {
            let values = cells(data, tab, r as usize, state.now);
            (i, values.iter().map(|v| safe(v).into_owned()).collect())
        })
        .collect();
    // Marked users get a gutter mark (the column widens by two while any are marked).
    let gutter = tab == Tab::Users && !state.marks.is_empty();
    let marked_rows: Vec<bool> = if gutter {
        listing
            .visible
            .iter()
            .skip(listing.offset)
            .take(rows_shown)
            .map(|&r| state.marks.contains(data.users[r as usize].id))
            .collect()
    } else {
        Vec::new()
    };
    // Each column as wide as its widest header or cell on screen, within its bounds.
    let headers = tab.columns();
    let content: Vec<u16> = (0..headers.len())
        .map(|c| {
            shown
                .iter()
                .map(|(_, values)| values.get(c).map_or(0, |v| v.width()))
                .chain(std::iter::once(headers[c].width()))
                .map(|w| if c == 0 && gutter { w + 2 } else { w })
                .max()
                .unwrap_or(0)
                .min(usize::from(u16::MAX)) as u16
        })
        .collect();
    // The lock column matters when someone on screen is locked; empty, it goes first.
    let mut columns = specs(tab).to_vec();
    if tab == Tab::Users
        && shown
            .iter()
            .all(|(_, values)| values.get(3).is_none_or(String::is_empty))
    {
        columns[3].drop_rank = u8::MAX;
    }
    let fitted = fit(&columns, &content, area.width.saturating_sub(2), SPACING);
    let kept: Vec<usize> = (0..headers.len())
        .filter(|&c| fitted[c].is_some())
        .collect();
    let rows: Vec<Row> = shown
        .into_iter()
        .map(|(i, values)| {
            let row_cells: Vec<Cell> = kept
                .iter()
                .map(|&c| {
                    let value = values.get(c).map_or("", String::as_str);
                    if c == 0 {
                        let mut line = highlighted(value, &query, state);
                        if gutter {
                            let marked = marked_rows
                                .get(i - listing.offset)
                                .copied()
                                .unwrap_or(false);
                            let mark = if marked {
                                Span::styled("● ", state.theme.marked())
                            } else {
                                Span::raw("  ")
                            };
                            line.spans.insert(0, mark);
                        }
                        return Cell::from(line);
                    }
                    let style = match (tab, c) {
                        (Tab::Users, 3) if !value.is_empty() => state.theme.danger(),
                        (Tab::Users, 2) if value == UserStatus::Deactivated.as_str() => {
                            state.theme.dim()
                        }
                        _ => Style::default(),
                    };
                    Cell::from(Span::styled(value.to_string(), style))
                })
                .collect();
            let style = if i == listing.cursor {
                state.theme.selected()
            } else {
                Style::default()
            };
            Row::new(row_cells).style(style)
        })
        .collect();
    let header = Row::new(kept.iter().map(|&c| Cell::from(headers[c]))).style(state.theme.header());
    let widths: Vec<Constraint> = fitted
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(SPACING)
        .block(Block::default().borders(Borders::ALL).title(title));
    frame.render_widget(table, area);
}
