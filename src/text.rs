//! Text that crosses a trust boundary. One predicate decides which characters are unsafe in a
//! name or description (controls, escape introducers, bidi overrides, invisible characters); input
//! validation refuses them, and everything the store supplies is passed through [`terminal_safe`]
//! before it reaches a terminal, because another application may have written the row.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that can move the cursor, start an escape sequence, reorder text or hide in it.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'          // C0 controls, including ESC, TAB, CR, LF
        | '\u{7f}'..='\u{9f}'       // DEL and C1 controls (CSI = U+009B, OSC = U+009D, ...)
        | '\u{ad}'                  // soft hyphen
        | '\u{61c}'                 // arabic letter mark
        | '\u{180e}'                // mongolian vowel separator
        | '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202e}'   // line/paragraph separators, bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'   // bidi isolates
        | '\u{feff}'                // zero-width no-break space / BOM
        | '\u{e0000}'..='\u{e007f}' // tag characters (invisible "ASCII smuggling")
    )
}

/// The first unsafe character in `text`, if any.
pub fn first_unsafe_char(text: &str) -> Option<char> {
    text.chars().find(|&c| is_unsafe_char(c))
}

/// `text` with every unsafe character replaced by a visible escape: `\x1b` for C0/C1 controls,
/// `\u{202e}` for the rest. Borrowed when nothing needed escaping (the common case).
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if first_unsafe_char(text).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    let code = c as u32;
    // Writing to a String cannot fail.
    let _ = if code <= 0xff {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            terminal_safe("Ada Lovelace é 名前"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a\\x1b[2Jb");
        assert_eq!(terminal_safe("\u{9b}31m"), "\\x9b31m");
        assert_eq!(
            terminal_safe("\u{1b}]52;c;aGk=\u{7}"),
            "\\x1b]52;c;aGk=\\x07"
        );
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible() {
        assert_eq!(terminal_safe("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(terminal_safe("x\u{e0041}"), "x\\u{e0041}");
        assert_eq!(terminal_safe("line\nbreak"), "line\\x0abreak");
    }
}
