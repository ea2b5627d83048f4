//! Files warden reads and writes for people (exports, imports, assertion files), as opposed to
//! its store: read within a size bound, written whole or not at all with mode 0600 (an export
//! can hold every user's email, and with secrets their password hashes).

use std::io::{Read, Write};
use std::path::Path;

/// The largest file an import reads: a million users with room to spare.
pub const READ_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The whole file, or why not (naming it); larger than `max` bytes is refused unread.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    read_all_bounded(file, &name, max)
}

/// Everything `reader` gives (standard input, a file), named `name` in errors; more than
/// `max` bytes is refused without reading the rest.
pub fn read_all_bounded(reader: impl Read, name: &str, max: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{name} is larger than {} MiB; split it into smaller files",
            max / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Writes `path` whole or not at all: `write` fills a draft beside it (mode 0600, never an
/// existing file), which is synced and renamed into place; on any error the draft is removed
/// and whatever was at `path` is left as it was.
pub fn write_whole<T, E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E> {
    use std::os::unix::fs::OpenOptionsExt;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let draft = path.with_file_name(format!(".{file_name}.draft-{}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&draft)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let written = write(&mut out).and_then(|value| {
        let file = out.into_inner().map_err(|e| E::from(e.into_error()))?;
        file.sync_all()?;
        Ok(value)
    });
    match written {
        Ok(value) => match std::fs::rename(&draft, path) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = std::fs::remove_file(&draft);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = std::fs::remove_file(&draft);
            Err(e)
        }
    }
}
