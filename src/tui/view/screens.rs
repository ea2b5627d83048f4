//! The screens before the tabs: opening the store, a store that cannot be used, the first run
//! (create the store and its first administrator, the password checked as it is typed) and
//! signing in (the peer shortcut, or an operator's username and password).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::super::forms::Form;
use super::super::state::{SignIn, State};
use super::form::{checklist_lines, field_lines};
use super::layout::{centered, dialog};
use super::safe;
use super::wrap::wrap;

pub fn opening(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let rect = centered(area, 60, 3);
    let text = format!("opening {} …", safe(&state.store_label));
    frame.render_widget(
        Paragraph::new(text).block(Block::default().borders(Borders::ALL)),
        rect,
    );
}

pub fn failed(state: &State, frame: &mut Frame<'_>, area: Rect, message: &str) {
    let rect = centered(area, 76, 9);
    let lines = vec![
        Line::from(Span::styled(
            safe(message).into_owned(),
            state.theme.error(),
        )),
        Line::from(""),
        Line::from(Span::styled("press q to quit", state.theme.dim())),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" warden cannot open the store "),
        ),
        rect,
    );
}

pub fn first_run(state: &State, frame: &mut Frame<'_>, area: Rect, form: &Form) {
    let rect = centered(area, 96, 18);
    frame.render_widget(Clear, rect);
    let block = dialog(
        "Welcome to warden: create the store",
        state.theme.title(),
        &["tab next field", "enter creates", "esc quits"],
        rect.width,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // Two columns with a gap, so the introduction never runs into the checklist.
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(2)
            .areas(inner);
    let intro: Vec<String> = [
        format!("No store at {} yet.", safe(&state.store_label)),
        "It will be created (mode 0600) with the first Administrator, who is also this OS \
         account's operator."
            .to_string(),
    ]
    .iter()
    .flat_map(|text| wrap(text, usize::from(left.width)))
    .collect();
    let [intro_area, fields] = Layout::vertical([
        Constraint::Length(intro.len() as u16 + 1),
        Constraint::Min(3),
    ])
    .areas(left);
    frame.render_widget(
        Paragraph::new(intro.into_iter().map(Line::from).collect::<Vec<_>>()),
        intro_area,
    );
    let mut lines = field_lines(state, form, fields, frame);
    if let Some(error) = &form.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            safe(error).into_owned(),
            state.theme.error(),
        )));
    }
    if form.submitting {
        lines.push(Line::from(Span::styled("creating…", state.theme.dim())));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), fields);
    let mut checks = vec![Line::from(Span::styled(
        "The password needs:",
        state.theme.header(),
    ))];
    checks.extend(checklist_lines(state, form));
    frame.render_widget(Paragraph::new(checks).wrap(Wrap { trim: false }), right);
}

pub fn sign_in(state: &State, frame: &mut Frame<'_>, area: Rect, sign_in: &SignIn) {
    let rect = centered(area, 72, 14);
    frame.render_widget(Clear, rect);
    let block = dialog(
        &format!("Sign in to {}", safe(&state.store_label)),
        state.theme.title(),
        &[],
        rect.width,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [peer_area, form_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(4)]).areas(inner);
    let mut peer_lines = Vec::new();
    match &sign_in.peer {
        Some(peer) => {
            let style = if sign_in.on_peer {
                state.theme.selected()
            } else {
                state.theme.normal()
            };
            peer_lines.push(Line::from(Span::styled(
                format!(" Continue as {} (this OS account's operator) ", safe(peer)),
                style,
            )));
            peer_lines.push(Line::from(Span::styled(
                "enter continues · tab signs in as someone else · q quits",
                state.theme.dim(),
            )));
        }
        None => peer_lines.push(Line::from(Span::styled(
            "Sign in as an operator. Lockout applies: 5 wrong passwords lock for 15 minutes.",
            state.theme.dim(),
        ))),
    }
    frame.render_widget(
        Paragraph::new(peer_lines).wrap(Wrap { trim: false }),
        peer_area,
    );
    let mut lines = if sign_in.on_peer {
        Vec::new()
    } else {
        field_lines(state, &sign_in.form, form_area, frame)
    };
    if sign_in.on_peer {
        for field in &sign_in.form.fields {
            lines.push(Line::from(Span::styled(
                format!("{:<10}{}", field.label, field.shown()),
                state.theme.dim(),
            )));
        }
    }
    if let Some(error) = &sign_in.form.error {
        lines.push(Line::from(Span::styled(
            safe(error).into_owned(),
            state.theme.error(),
        )));
    }
    if sign_in.form.submitting || state.pending > 0 {
        lines.push(Line::from(Span::styled("signing in…", state.theme.dim())));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), form_area);
}
