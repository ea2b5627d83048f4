//! Where things go on screen, in one place: `update` uses the same arithmetic to keep the
//! cursor on screen as `render` uses to draw.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::wrap::{fit_parts, fit_words};

/// Below this the console shows only a "too small" line.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

/// The main screen's parts.
pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    pub side: Rect,
    pub status: Rect,
    pub hints: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [table, side] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    Areas {
        header,
        table,
        side,
        status,
        hints,
    }
}

/// How many list rows the table shows (inside its border, under its header row).
pub fn list_rows(size: (u16, u16)) -> usize {
    let body = size.1.saturating_sub(3);
    body.saturating_sub(3) as usize
}

/// A dialog's frame: its title at the top and the keys it takes at the bottom, each shortened
/// to fit `width` (the title at a word, the keys by leaving off the last ones) so neither is
/// ever cut mid-word.
pub fn dialog<'a>(title: &str, title_style: Style, keys: &[&str], width: u16) -> Block<'a> {
    let room = usize::from(width.saturating_sub(4));
    let title = fit_words(title, room);
    let keys = fit_parts(keys, room);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), title_style));
    if !keys.is_empty() {
        block = block.title_bottom(Line::from(format!(" {keys} ")).right_aligned());
    }
    block
}

/// A centered box of at most `width` × `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
