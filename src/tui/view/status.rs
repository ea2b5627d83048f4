//! The header (store, tenant, operator, tabs), the status line (filter being typed, messages,
//! the spinner while the store works) and the hint bar, generated from the action table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::keymap::{ACTIONS, Context};
use super::super::state::{Level, State, Tab};
use super::safe;
use super::wrap::fit_words;
use unicode_width::UnicodeWidthStr;

const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Tabs on the left, who is working on which tenant on the right; on a narrow terminal the tab
/// titles shorten and then the sign-in method goes, so the tabs are never cut.
pub fn header(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let (who, short_who) = match &state.session {
        Some(s) if s.read_only => ("read-only".to_string(), "read-only".to_string()),
        Some(s) => s.operator.as_ref().map_or(("-".into(), "-".into()), |o| {
            (
                safe(&o.audit_label()).into_owned(),
                safe(&o.username).into_owned(),
            )
        }),
        None => ("-".into(), "-".into()),
    };
    let tenant = safe(&state.tenant).into_owned();
    let tabs = |short: bool| -> Vec<String> {
        Tab::ALL
            .iter()
            .map(|t| {
                format!(
                    " {} {} ",
                    t.index() + 1,
                    if short { t.short_title() } else { t.title() }
                )
            })
            .collect()
    };
    let width = usize::from(area.width);
    let fits = |labels: &[String], identity: &str| {
        labels.iter().map(|l| l.width()).sum::<usize>() + identity.width() < width
    };
    let long_identity = format!("{tenant} · {who} ");
    let short_identity = format!("{tenant} · {short_who} ");
    let (labels, identity) = [
        (tabs(false), long_identity.clone()),
        (tabs(true), long_identity),
        (tabs(true), short_identity),
    ]
    .into_iter()
    .find(|(labels, identity)| fits(labels, identity))
    // The tabs before all: who is signed in is on the sign-in screen and in `?`.
    .unwrap_or_else(|| (tabs(true), String::new()));
    let mut spans: Vec<Span> = Tab::ALL
        .iter()
        .zip(labels)
        .map(|(&tab, label)| {
            let style = if tab == state.tab {
                state.theme.active_tab()
            } else {
                state.theme.normal()
            };
            Span::styled(label, style)
        })
        .collect();
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let gap = width.saturating_sub(used + identity.width());
    spans.push(Span::raw(" ".repeat(gap.max(1))));
    spans.push(Span::styled(identity, state.theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The right end of the status line: marks, and what is staged (or that staging is on).
fn pending(state: &State) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if state.pending > 0 && state.status.is_some() {
        spans.push(Span::styled(
            format!("{} working… ", SPINNER[state.spinner % SPINNER.len()]),
            state.theme.dim(),
        ));
    }
    if !state.marks.is_empty() {
        spans.push(Span::styled(state.marks.describe(), state.theme.marked()));
    }
    if let Some(summary) = state.staging.summary() {
        if !spans.is_empty() {
            spans.push(Span::raw(" · "));
        }
        let style = if state.staging.problem.is_some() {
            state.theme.error()
        } else {
            state.theme.warning()
        };
        spans.push(Span::styled(safe(&summary).into_owned(), style));
    } else if state.staging.on {
        if !spans.is_empty() {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled("staging on", state.theme.warning()));
    }
    spans
}

pub fn status_line(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let listing = state.listing(state.tab);
    let line = if listing.editing {
        let text = format!("/{}", safe(&listing.filter.query));
        frame.set_cursor_position((area.x + text.chars().count() as u16, area.y));
        let help = if !listing.problems.is_empty() {
            Span::styled(
                format!("   {}", safe(&listing.problems.join("; "))),
                state.theme.error(),
            )
        } else if state.tab == super::super::state::Tab::Users {
            Span::styled(
                "   enter keep · esc clear · 'exact ^start end$ !not · group: role: status: kind: stage: locked",
                state.theme.dim(),
            )
        } else {
            Span::styled(
                "   enter keep · esc clear · fzf syntax: 'exact ^start end$ !not",
                state.theme.dim(),
            )
        };
        Line::from(vec![Span::styled(text, state.theme.key()), help])
    } else if let Some(status) = &state.status {
        let style = match status.level {
            Level::Info => state.theme.ok(),
            Level::Error => state.theme.error(),
        };
        Line::from(Span::styled(safe(&status.text).into_owned(), style))
    } else if state.pending > 0 {
        Line::from(Span::styled(
            format!("{} working…", SPINNER[state.spinner % SPINNER.len()]),
            state.theme.dim(),
        ))
    } else {
        Line::from(Span::styled(
            format!(
                "{} · {}",
                safe(&state.store_label),
                state.store_label_hint()
            ),
            state.theme.dim(),
        ))
    };
    let mut right = Line::from(pending(state));
    let most = usize::from(area.width.saturating_mul(2) / 3);
    if right.width() > most {
        // Shortened at a word, in one piece, rather than cut mid-word.
        let style = right.spans.last().map(|s| s.style).unwrap_or_default();
        let text: String = right.spans.iter().map(|s| s.content.as_ref()).collect();
        right = Line::from(Span::styled(fit_words(&text, most), style));
    }
    let right_width = right.width() as u16;
    if listing.editing {
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if right_width == 0 {
        let style = line.spans.first().map(|s| s.style).unwrap_or_default();
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let fitted = Line::from(Span::styled(
            fit_words(&text, usize::from(area.width)),
            style,
        ));
        frame.render_widget(Paragraph::new(fitted), area);
        return;
    }
    let left = Rect {
        width: area.width.saturating_sub(right_width + 2),
        ..area
    };
    // The message is shortened at a word so it never runs into what is on the right.
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let line = Line::from(Span::styled(
        fit_words(&text, usize::from(left.width)),
        style,
    ));
    let right_area = Rect {
        x: area.x + area.width - right_width,
        width: right_width,
        ..area
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(Paragraph::new(right), right_area);
}

/// The keys worth knowing on this tab; disabled ones are dimmed. Only whole hints are shown:
/// those that do not fit are left off (`?` lists every key).
pub fn hints(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let context = state.tab.context();
    let mut spans = Vec::new();
    let mut used = 0;
    for spec in ACTIONS
        .iter()
        .filter(|s| !s.hint.is_empty() && (s.context == context || s.context == Context::Global))
    {
        let keys = state.keymap.label(spec.action);
        if keys.is_empty() {
            continue;
        }
        let disabled = state.refusal(spec.action).is_some();
        let (key_style, text_style) = if disabled {
            (state.theme.dim(), state.theme.dim())
        } else if spec.dangerous {
            (state.theme.danger(), state.theme.normal())
        } else {
            (state.theme.key(), state.theme.normal())
        };
        let text = format!(" {}  ", spec.hint);
        let width = keys.width() + text.trim_end().width();
        if used + width > usize::from(area.width) {
            break;
        }
        used += width + 2;
        spans.push(Span::styled(keys, key_style));
        spans.push(Span::styled(text, text_style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
