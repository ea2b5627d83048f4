//! Word wrapping for text laid out line by line (a dialog that counts its lines to share the
//! room between a header and a scrolled list). Words longer than the width are cut.

use unicode_width::UnicodeWidthChar;

/// `text` broken into lines of at most `width` columns, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let word_width: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        let gap = usize::from(!line.is_empty());
        if used + gap + word_width <= width {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += gap + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word wider than the line is cut into pieces that fit.
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    lines.push(line);
    lines
}

/// `text` in at most `width` columns: whole when it fits, else cut at a space with `…` (or
/// cut mid-word only when its first word alone is too wide).
pub fn fit_words(text: &str, width: usize) -> String {
    let wide = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    if wide(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut kept = String::new();
    for word in text.split(' ') {
        let next = if kept.is_empty() {
            word.to_string()
        } else {
            format!("{kept} {word}")
        };
        if wide(&next) + 1 > width {
            break;
        }
        kept = next;
    }
    if kept.is_empty() {
        kept = text
            .chars()
            .scan(0, |used, c| {
                *used += c.width().unwrap_or(0);
                (*used < width).then_some(c)
            })
            .collect();
    }
    format!("{}…", kept.trim_end_matches([' ', '·', ',', ';', ':']))
}

/// `parts` joined by ` · `, leaving off the last ones until the whole fits in `width`.
pub fn fit_parts(parts: &[&str], width: usize) -> String {
    let wide = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    for n in (1..=parts.len()).rev() {
        let joined = parts[..n].join(" · ");
        if wide(&joined) <= width {
            return joined;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::{fit_parts, fit_words, wrap};

    #[test]
    fn fits_whole_words_and_whole_parts() {
        assert_eq!(
            fit_words("console.db · loaded 2026-11-18 11:06", 20),
            "console.db · loaded…"
        );
        assert_eq!(fit_words("short", 20), "short");
        assert_eq!(fit_words("abcdefghij", 5), "abcd…");
        assert_eq!(
            fit_parts(&["tab next", "ctrl-s save", "esc cancel"], 22),
            "tab next · ctrl-s save"
        );
        assert_eq!(fit_parts(&["a long part"], 3), "");
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("a bb", 10), ["a bb"]);
    }
}
