//! Printing. Human output is tables and field lists; `--json` output is documented JSON (lists
//! as an array with one element per line, so `wc -l` and `grep` work). Every string passes
//! through [`terminal_safe`] before it reaches the terminal, and JSON escapes the same unsafe
//! characters as `\uXXXX` — lossless for any JSON reader, inert on a terminal.

use std::io::{self, BufWriter, Stdout, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::text::terminal_safe;

pub use crate::text::safe_json;

pub struct Output {
    json: bool,
    out: BufWriter<Stdout>,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output {
            json,
            out: BufWriter::with_capacity(64 * 1024, io::stdout()),
        }
    }

    pub fn json(&self) -> bool {
        self.json
    }

    /// One line of text, made terminal-safe.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{}", terminal_safe(text))
    }

    /// One JSON value on one line.
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let text = safe_json(value)?;
        writeln!(self.out, "{text}")
    }

    /// A JSON array, one element per line.
    pub fn list<T: Serialize>(&mut self, items: &[T]) -> io::Result<()> {
        let mut list = self.start_list()?;
        for item in items {
            list.item(self, item)?;
        }
        list.finish(self)
    }

    /// Starts a JSON array written element by element (for long listings).
    pub fn start_list(&mut self) -> io::Result<JsonList> {
        self.out.write_all(b"[")?;
        Ok(JsonList { first: true })
    }

    /// Label/value pairs, labels aligned.
    pub fn fields(&mut self, fields: &[(&str, String)]) -> io::Result<()> {
        let width = fields.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
        for (label, value) in fields {
            writeln!(
                self.out,
                "{label:<width$}  {}",
                terminal_safe(value),
                width = width
            )?;
        }
        Ok(())
    }

    /// Bytes written as they are: only for text warden generated itself (a completion
    /// script), never for anything from the store.
    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    pub fn table(&mut self, table: &Table) -> io::Result<()> {
        table.write(&mut self.out)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A JSON array being written.
pub struct JsonList {
    first: bool,
}

impl JsonList {
    pub fn item<T: Serialize + ?Sized>(&mut self, out: &mut Output, item: &T) -> io::Result<()> {
        let text = safe_json(item)?;
        out.out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        out.out.write_all(text.as_bytes())
    }

    pub fn finish(self, out: &mut Output) -> io::Result<()> {
        out.out.write_all(b"\n]\n")
    }
}

/// A plain-text table: a header row, columns padded to the widest cell (by display width), the
/// last column unpadded.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; cells are made terminal-safe here.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| terminal_safe(&c).into_owned())
                .collect(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let write_row = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate().take(columns) {
                line.push_str(cell);
                if i + 1 < columns {
                    let pad = widths[i].saturating_sub(cell.width()) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(out, "{}", line.trim_end())
        };
        write_row(out, &self.headers)?;
        for row in &self.rows {
            write_row(out, row)?;
        }
        Ok(())
    }
}

/// `-` for nothing.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// `organization`, `stage QA`, `app shop`, `stage QA, app shop`.
pub fn scope_text(stage: &Option<String>, app: &Option<String>) -> String {
    crate::model::NamedScope {
        scope: crate::model::Scope::ORGANIZATION,
        stage: stage.clone(),
        app: app.clone(),
    }
    .describe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_unsafe_characters_losslessly() {
        let text = "a\u{1b}[2J\u{202e}b\u{7f}\u{9b}";
        let json = safe_json(&text).unwrap();
        assert_eq!(json, r#""a\u001b[2J\u202eb\u007f\u009b""#);
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn table_pads_by_display_width_and_sanitizes() {
        let mut t = Table::new(&["NAME", "NOTE"]);
        t.row(vec!["名前".into(), "x".into()]);
        t.row(vec!["a\u{1b}[2J".into(), "y".into()]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "NAME      NOTE\n名前      x\na\\x1b[2J  y\n");
    }
}
