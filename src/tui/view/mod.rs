//! `render(&state, frame)`: reads the state, draws the frame, changes nothing. Every string
//! that came from the store goes through `text::terminal_safe` (via [`safe`]) on its way in.

mod bulk;
mod columns;
pub mod detail;
mod effective;
mod form;
mod import;
mod inspect;
pub mod layout;
mod overlay;
mod review;
mod screens;
mod status;
mod table;
mod wrap;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::state::{Screen, State, Tab};

/// A store-supplied string made terminal-safe.
pub fn safe(text: &str) -> Cow<'_, str> {
    crate::text::terminal_safe(text)
}

pub fn render(state: &State, frame: &mut Frame<'_>) {
    let area = frame.area();
    if layout::too_small((area.width, area.height)) {
        let full = format!(
            "terminal too small: {}x{}, needs {}x{}",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        // The whole message when it fits, else its first words, still on one line.
        let line = if full.chars().count() <= usize::from(area.width) {
            full
        } else {
            "terminal too small".to_string()
        };
        frame.render_widget(Paragraph::new(Line::from(line)), area);
        return;
    }
    match &state.screen {
        Screen::Opening => screens::opening(state, frame, area),
        Screen::Failed(message) => screens::failed(state, frame, area, message),
        Screen::FirstRun(form) => screens::first_run(state, frame, area, form),
        Screen::SignIn(sign_in) => screens::sign_in(state, frame, area, sign_in),
        Screen::Main => main_screen(state, frame, area),
    }
}

fn main_screen(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let areas = layout::areas(area);
    status::header(state, frame, areas.header);
    table::table(state, frame, areas.table);
    match state.tab {
        Tab::Users => {
            let [top, bottom] = ratatui::layout::Layout::vertical([
                ratatui::layout::Constraint::Percentage(45),
                ratatui::layout::Constraint::Percentage(55),
            ])
            .areas(areas.side);
            detail::pane(state, frame, top);
            effective::pane(state, frame, bottom);
        }
        _ => detail::pane(state, frame, areas.side),
    }
    status::status_line(state, frame, areas.status);
    status::hints(state, frame, areas.hints);
    // Dialogs keep to the space between the tab bar and the status line, which stay readable;
    // the command line takes the hint bar's row.
    let dialogs = Rect {
        y: areas.header.bottom(),
        height: areas.status.y.saturating_sub(areas.header.bottom()),
        ..area
    };
    for overlay in &state.overlays {
        let room = if matches!(overlay, super::overlay::Overlay::Command(_)) {
            area
        } else {
            dialogs
        };
        overlay::render(state, frame, room, overlay);
    }
}
