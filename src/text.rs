//! Text that crosses a trust boundary. One predicate decides which characters are unsafe in a
//! name or description (controls, escape introducers, bidi overrides, invisible characters); input
//! validation refuses them, and everything the store supplies is passed through [`terminal_safe`]
//! before it reaches a terminal, because another application may have written the row.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that can move the cursor, start an escape sequence, reorder text or hide in it:
/// every control (C0, DEL, C1), every format character (general category Cf: bidi controls,
/// zero-width characters, tags, ...), every Default_Ignorable_Code_Point (fillers, variation
/// selectors, the combining grapheme joiner: invisible, so `ops` and `o\u{34f}ps` would look
/// the same), and the line and paragraph separators. Ranges from Unicode 15.1's
/// `DerivedCoreProperties.txt` and general categories.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'            // C0 controls, including ESC, TAB, CR, LF
        | '\u{7f}'..='\u{9f}'         // DEL and C1 controls (CSI = U+009B, OSC = U+009D, ...)
        | '\u{ad}'                    // soft hyphen
        | '\u{34f}'                   // combining grapheme joiner
        | '\u{600}'..='\u{605}'       // arabic number signs (format)
        | '\u{61c}'                   // arabic letter mark
        | '\u{6dd}'                   // arabic end of ayah (format)
        | '\u{70f}'                   // syriac abbreviation mark (format)
        | '\u{890}'..='\u{891}'       // arabic pound and piastre marks (format)
        | '\u{8e2}'                   // arabic disputed end of ayah (format)
        | '\u{115f}'..='\u{1160}'     // hangul choseong and jungseong fillers
        | '\u{17b4}'..='\u{17b5}'     // khmer inherent vowels
        | '\u{180b}'..='\u{180f}'     // mongolian variation selectors and vowel separator
        | '\u{200b}'..='\u{200f}'     // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202e}'     // line/paragraph separators, bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}'     // word joiner, invisible operators, bidi isolates, ...
        | '\u{3164}'                  // hangul filler
        | '\u{fe00}'..='\u{fe0f}'     // variation selectors
        | '\u{feff}'                  // zero-width no-break space / BOM
        | '\u{ffa0}'                  // halfwidth hangul filler
        | '\u{fff0}'..='\u{fffb}'     // reserved ignorables, interlinear annotation controls
        | '\u{110bd}'                 // kaithi number sign (format)
        | '\u{110cd}'                 // kaithi number sign above (format)
        | '\u{13430}'..='\u{1343f}'   // egyptian hieroglyph format controls
        | '\u{1bca0}'..='\u{1bca3}'   // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}'   // musical symbol format controls
        | '\u{e0000}'..='\u{e0fff}'   // tags ("ASCII smuggling") and variation selectors 17-256
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

/// Text for the clipboard. Pasted into a shell, a newline runs what came before it and an
/// escape sequence can rewrite the line, so a name holding unsafe characters is copied in its
/// escaped form (what the screen shows), and the copier is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasteSafe {
    text: String,
    escaped: bool,
}

impl PasteSafe {
    pub fn new(text: &str) -> PasteSafe {
        match terminal_safe(text) {
            Cow::Borrowed(text) => PasteSafe {
                text: text.to_string(),
                escaped: false,
            },
            Cow::Owned(text) => PasteSafe {
                text,
                escaped: true,
            },
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the original held unsafe characters (and what is copied is its escaped form).
    pub fn was_escaped(&self) -> bool {
        self.escaped
    }
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

/// A serde_json formatter that writes unsafe characters (controls, bidi overrides, invisible
/// characters) as `\u` escapes. serde_json already escapes C0 controls; this adds DEL, C1 and
/// the Unicode ones.
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_char(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// JSON text of `value` with unsafe characters escaped.
pub fn safe_json<T: serde::Serialize + ?Sized>(value: &T) -> std::io::Result<String> {
    let mut buffer = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, SafeFormatter);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)?;
    String::from_utf8(buffer).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clipboard_gets_the_escaped_form_of_unsafe_text() {
        let plain = PasteSafe::new("alice");
        assert_eq!((plain.as_str(), plain.was_escaped()), ("alice", false));
        let hostile = PasteSafe::new("x\necho PWNED\n\u{1b}[2J");
        assert_eq!(hostile.as_str(), "x\\x0aecho PWNED\\x0a\\x1b[2J");
        assert!(hostile.was_escaped());
    }

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
    fn every_format_and_default_ignorable_character_is_unsafe() {
        // The ones a probe slipped through, and one of each kind of range.
        for c in [
            '\u{34f}',
            '\u{3164}',
            '\u{fff9}',
            '\u{fffa}',
            '\u{fffb}',
            '\u{115f}',
            '\u{ffa0}',
            '\u{fe0f}',
            '\u{e0100}',
            '\u{600}',
            '\u{13439}',
            '\u{2065}',
        ] {
            assert!(is_unsafe_char(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'é', '名', '\u{301}', '\u{fffc}', '\u{1f600}', ' ', '~'] {
            assert!(!is_unsafe_char(c), "U+{:04X}", c as u32);
        }
        assert_eq!(terminal_safe("o\u{34f}ps"), "o\\u{34f}ps");
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible() {
        assert_eq!(terminal_safe("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(terminal_safe("x\u{e0041}"), "x\\u{e0041}");
        assert_eq!(terminal_safe("line\nbreak"), "line\\x0abreak");
    }
}
