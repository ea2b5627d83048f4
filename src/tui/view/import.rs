//! The review of a rehearsed import: the counts, what it does to access, the rows that would
//! fail or be skipped (each with its file, row, column and reason) and then the ones created or
//! updated, the count to type when the consent rule asks for it, and the keys: c commits, esc
//! cancels. Inside the space between the tab bar and the status line, words never cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::super::import::ImportReview;
use super::super::state::State;
use super::layout::{centered, dialog};
use super::safe;
use super::wrap::wrap;
use crate::service::interchange::RowOutcome;

fn outcome_word(outcome: RowOutcome) -> &'static str {
    match outcome {
        RowOutcome::Created => "created",
        RowOutcome::Updated => "updated",
        RowOutcome::Unchanged => "unchanged",
        RowOutcome::Skipped => "skipped",
        RowOutcome::Failed => "failed",
    }
}

pub fn render(state: &State, frame: &mut Frame<'_>, area: Rect, review: &ImportReview) {
    let width = area.width.saturating_sub(4).min(110);
    let inner = usize::from(width.saturating_sub(2));
    let theme = &state.theme;
    let c = &review.report.counts;
    let mut head: Vec<Line> = Vec::new();
    let mut say = |text: &str, style| {
        head.extend(
            wrap(&safe(text), inner)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, style))),
        );
    };
    say(
        &format!(
            "{} created, {} updated, {} unchanged, {} skipped, {} failed",
            c.created, c.updated, c.unchanged, c.skipped, c.failed
        ),
        if c.failed > 0 {
            theme.danger()
        } else {
            theme.normal()
        },
    );
    let access_style = if review.consent.sensitive() {
        theme.danger()
    } else {
        theme.normal()
    };
    say(&format!("access: {}", review.headline), access_style);

    let mut foot: Vec<Line> = Vec::new();
    match review.commit_blocked() {
        Some(why) if review.failed() > 0 => foot.extend(
            wrap(&safe(&why), inner)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme.warning()))),
        ),
        _ => {
            if let (Some(n), Some(why)) = (review.consent.typed_count(), review.consent.reason()) {
                let ask = format!("{why}: type {n}, the users whose access changes: ");
                let mut asked: Vec<Line> = wrap(&ask, inner)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(l, theme.warning())))
                    .collect();
                if let Some(last) = asked.last_mut() {
                    last.spans
                        .push(Span::styled(format!("{}_", review.typed), theme.key()));
                }
                foot.extend(asked);
            }
        }
    }

    let mut rows: Vec<Line> = Vec::new();
    for row in review.rows_shown() {
        let mut text = String::new();
        if let Some(at) = row.origin.describe() {
            // The file's directory says nothing here; its name and row do.
            let short = at.rsplit('/').next().unwrap_or(&at).to_string();
            text.push_str(&short);
            text.push_str(": ");
        }
        text.push_str(outcome_word(row.outcome));
        if !row.subject.is_empty() {
            text.push(' ');
            text.push_str(&row.subject);
        }
        if let Some(column) = &row.column {
            text.push_str(&format!(" [{column}]"));
        }
        if let Some(reason) = &row.reason {
            text.push_str(": ");
            text.push_str(reason);
        }
        let style = match row.outcome {
            RowOutcome::Failed => theme.danger(),
            RowOutcome::Skipped => theme.warning(),
            _ => theme.normal(),
        };
        rows.extend(
            wrap(&safe(&text), inner)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, style))),
        );
    }

    let fixed = head.len() + foot.len() + 2;
    let height = (fixed + rows.len() + 2).min(usize::from(area.height)) as u16;
    let rect = centered(area, width, height);
    let room = usize::from(rect.height).saturating_sub(fixed + 2);
    let scroll = review.scroll.min(rows.len().saturating_sub(room));
    let mut lines = head;
    lines.push(Line::from(""));
    lines.extend(rows.into_iter().skip(scroll).take(room));
    lines.push(Line::from(""));
    lines.extend(foot);

    let name = review
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let block = dialog(
        &safe(&format!("Import {name} (dry run: nothing saved yet)")),
        theme.title(),
        &["c commit", "esc cancel", "j/k scroll"],
        rect.width,
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
