//! Colours: the 16 ANSI colours by default, so the terminal's own palette applies; selection in
//! reverse video so it reads on any palette and without colour; `NO_COLOR` (or `colour =
//! "never"`) leaves only bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    pub fn new(colour: bool) -> Theme {
        Theme { colour }
    }

    fn fg(&self, style: Style, colour: Color) -> Style {
        if self.colour { style.fg(colour) } else { style }
    }

    pub fn normal(&self) -> Style {
        Style::default()
    }

    /// The focused row: reverse video.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        self.fg(Style::default().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn active_tab(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Style::default(), Color::DarkGray)
    }

    /// Destructive actions and their warnings.
    pub fn danger(&self) -> Style {
        self.fg(Style::default().add_modifier(Modifier::BOLD), Color::Red)
    }

    pub fn error(&self) -> Style {
        self.fg(Style::default(), Color::Red)
    }

    pub fn ok(&self) -> Style {
        self.fg(Style::default(), Color::Green)
    }

    pub fn warning(&self) -> Style {
        self.fg(Style::default(), Color::Yellow)
    }

    pub fn key(&self) -> Style {
        self.fg(Style::default().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    /// Characters that matched the filter.
    pub fn matched(&self) -> Style {
        self.fg(
            Style::default().add_modifier(Modifier::UNDERLINED),
            Color::Yellow,
        )
    }

    /// Marked users.
    pub fn marked(&self) -> Style {
        self.fg(Style::default().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    /// What staged edits would add.
    pub fn gained(&self) -> Style {
        self.fg(Style::default(), Color::Green)
    }

    /// What staged edits would take away.
    pub fn lost(&self) -> Style {
        self.fg(
            Style::default().add_modifier(Modifier::CROSSED_OUT),
            Color::Red,
        )
    }

    pub fn badge(&self) -> Style {
        self.fg(
            Style::default().add_modifier(Modifier::BOLD),
            Color::Magenta,
        )
    }
}
