//! Reading line-oriented input (`--from-file PATH`, `-` for standard input) within bounds, so a
//! wrong path (`/dev/zero`, a binary, a multi-gigabyte log) ends in a clear error, not in a
//! process that grows until the machine kills it.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::service::Error;

/// What a list file may hold at most.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub total_bytes: u64,
    pub line_bytes: usize,
    pub lines: usize,
}

/// Lists of users: a name is at most 254 bytes (an email), a million lines is far more than
/// any bulk action, and 64 MiB more than a million of them.
pub const USER_LISTS: Bounds = Bounds {
    total_bytes: 64 * 1024 * 1024,
    line_bytes: 1024,
    lines: 1_000_000,
};

/// The lines of `path` (`-`: standard input), each without its line ending, or a usage error
/// naming the file, the line and the bound it broke.
pub fn read_lines(path: &Path, bounds: Bounds) -> Result<Vec<String>, Error> {
    let label = path.display().to_string();
    let source: Box<dyn Read> = if label == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Error::Usage(format!("cannot read {label}: {e}")))?,
        )
    };
    lines_within(source, &label, bounds)
}

fn lines_within(source: impl Read, label: &str, bounds: Bounds) -> Result<Vec<String>, Error> {
    let mut reader = BufReader::new(source.take(bounds.total_bytes + 1));
    let mut lines = Vec::new();
    let mut total: u64 = 0;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let limit = u64::try_from(bounds.line_bytes).unwrap_or(u64::MAX) + 1;
        let read = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buffer)
            .map_err(|e| Error::Usage(format!("cannot read {label}: {e}")))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        let number = lines.len() + 1;
        if total > bounds.total_bytes {
            return Err(Error::Usage(format!(
                "{label} is larger than {} MiB; split it into smaller files",
                bounds.total_bytes / (1024 * 1024)
            )));
        }
        if buffer.last() == Some(&b'\n') {
            buffer.pop();
        } else if buffer.len() > bounds.line_bytes {
            return Err(Error::Usage(format!(
                "{label}:{number}: the line is longer than {} bytes; is this the right file? (one name per line)",
                bounds.line_bytes
            )));
        }
        if buffer.last() == Some(&b'\r') {
            buffer.pop();
        }
        if lines.len() == bounds.lines {
            return Err(Error::Usage(format!(
                "{label} has more than {} lines; split it into smaller files",
                bounds.lines
            )));
        }
        let line = String::from_utf8(std::mem::take(&mut buffer)).map_err(|_| {
            Error::Usage(format!(
                "{label}:{number}: the line is not UTF-8 text; is this the right file?"
            ))
        })?;
        lines.push(line);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Bounds = Bounds {
        total_bytes: 64,
        line_bytes: 8,
        lines: 3,
    };

    fn read(bytes: &[u8]) -> Result<Vec<String>, String> {
        lines_within(bytes, "list", SMALL).map_err(|e| e.to_string())
    }

    #[test]
    fn lines_lose_their_endings() {
        assert_eq!(read(b"a\r\nb\nc").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(read(b"").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn every_bound_is_an_error_naming_it() {
        assert!(
            read(b"123456789\n")
                .unwrap_err()
                .contains("list:1: the line is longer")
        );
        assert!(
            read(b"a\nb\nc\nd\n")
                .unwrap_err()
                .contains("more than 3 lines")
        );
        let many = Bounds {
            lines: 100,
            ..SMALL
        };
        let long = "1234567\n".repeat(9);
        let err = lines_within(long.as_bytes(), "list", many).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        assert!(
            read(b"a\n\xff\n")
                .unwrap_err()
                .contains("list:2: the line is not UTF-8")
        );
    }

    #[test]
    fn an_endless_source_stops_at_the_first_bound() {
        let zeros = std::io::repeat(0);
        let err = lines_within(zeros, "/dev/zero", USER_LISTS).unwrap_err();
        assert!(
            err.to_string().contains("/dev/zero:1: the line is longer"),
            "{err}"
        );
    }
}
