//! The SQLite store as a file: recognising one without opening it, creating a new one whole or
//! not at all, the `-wal`/`-shm` files beside it, `file:` URIs for SQLite's read-only modes, and
//! what the file system says when writing fails (a full disk).
//!
//! A new store is built as a *draft*, a hidden file beside the target (`.warden.db.new-PID`),
//! and only moved into place, without replacing anything, once it is complete. A process killed
//! while building leaves no store at the target (it is absent and can be created again), only a
//! draft, which the next creation beside it removes once its process is gone.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::StoreError;

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The files SQLite may keep beside a database.
const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Checks that `path` exists and starts like a SQLite database, without opening it.
pub fn check_file(path: &Path) -> Result<(), StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                location: path.display().to_string(),
            });
        }
        Err(e) => {
            return Err(StoreError::Unavailable(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(StoreError::NotAStore {
            location: path.display().to_string(),
            reason: "it is a directory".into(),
        });
    }
    let mut header = [0u8; 16];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => {
                return Err(StoreError::Unavailable(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        }
    }
    if filled < header.len() || &header != SQLITE_HEADER {
        return Err(StoreError::NotAStore {
            location: path.display().to_string(),
            reason: if filled == 0 {
                "the file is empty".into()
            } else {
                "not a SQLite database".into()
            },
        });
    }
    Ok(())
}

/// `path` with a suffix appended (`warden.db` → `warden.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Whether SQLite keeps a `-wal` or `-shm` file beside `path` (another connection may be
/// using it, or one ended without cleaning up).
pub fn has_sidecars(path: &Path) -> bool {
    ["-wal", "-shm"]
        .iter()
        .any(|suffix| with_suffix(path, suffix).exists())
}

/// A `file:` URI for `path` with query parameters (`mode=ro&immutable=1`), every byte outside
/// the unreserved set percent-encoded so `?`, `#` and `%` in a path mean themselves.
pub fn uri(path: &Path, query: &str) -> String {
    let mut out = String::from("file:");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out.push('?');
    out.push_str(query);
    out
}

/// Bytes free for an unprivileged writer on the file system holding `path`, when known.
pub fn free_space(path: &Path) -> Option<u64> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    #[cfg(unix)]
    {
        let stat = rustix::fs::statvfs(dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// A new store being built beside its target.
#[derive(Debug)]
pub struct Draft {
    /// The hidden file the store is built in.
    pub path: PathBuf,
    /// Where it goes once complete.
    pub target: PathBuf,
}

impl Draft {
    /// Starts a draft for `target`: refuses if a store is already there, creates missing
    /// parent directories (mode 0700) and an empty draft file readable by its owner only
    /// (0600), and removes drafts left beside it by processes that no longer run.
    pub fn start(target: &Path) -> Result<Draft, StoreError> {
        refuse_existing(target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.exists() {
            let mut builder = DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(parent).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let prefix = draft_prefix(target);
        remove_abandoned_drafts(parent, &prefix);
        let path = parent.join(format!("{prefix}{}", std::process::id()));
        // A draft of this very process (an earlier attempt that failed) is ours to replace.
        discard_files(&path);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", path.display()))
        })?;
        // The umask can only remove bits; set the mode explicitly anyway so it is exactly 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
                |e| {
                    StoreError::Unavailable(format!(
                        "cannot set the mode of {}: {e}",
                        path.display()
                    ))
                },
            )?;
        }
        Ok(Draft {
            path,
            target: target.to_path_buf(),
        })
    }

    /// Moves the finished draft into place, never replacing anything there, after making its
    /// content durable. The connection that built it must be closed.
    pub fn publish(&self) -> Result<(), StoreError> {
        let unavailable = |what: &str, e: std::io::Error| {
            StoreError::Unavailable(format!("cannot {what} {}: {e}", self.target.display()))
        };
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| unavailable("save", e))?;
        refuse_existing(&self.target)?;
        // A hard link appears whole or not at all and fails if the target exists: another
        // process creating the same store at the same moment cannot be overwritten.
        match std::fs::hard_link(&self.path, &self.target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::AlreadyExists {
                    location: self.target.display().to_string(),
                });
            }
            // A file system without hard links: a rename is atomic too; the check just above
            // is all that guards against a simultaneous creation there.
            Err(_) => {
                std::fs::rename(&self.path, &self.target).map_err(|e| unavailable("create", e))?
            }
        }
        let _ = std::fs::remove_file(&self.path);
        #[cfg(unix)]
        {
            // Make the new name durable too.
            let parent = self
                .target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
        }
        Ok(())
    }

    /// Removes the draft and anything SQLite kept beside it.
    pub fn discard(&self) {
        discard_files(&self.path);
    }
}

/// Refuses a target where a store already is. An empty file (left by an older warden killed
/// while creating one) holds nothing and is not a store: it is removed.
fn refuse_existing(target: &Path) -> Result<(), StoreError> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Ok(meta) if meta.is_file() && meta.len() == 0 => {
            std::fs::remove_file(target).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot remove the empty file {}: {e}",
                    target.display()
                ))
            })?;
            discard_sidecars(target);
            Ok(())
        }
        _ => Err(StoreError::AlreadyExists {
            location: target.display().to_string(),
        }),
    }
}

/// `.warden.db.new-`: drafts of `target` are this followed by the builder's process id.
fn draft_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "warden.db".into());
    format!(".{name}.new-")
}

/// Removes drafts whose builder is no longer running (it was killed, or the machine stopped).
fn remove_abandoned_drafts(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.parse::<i32>().ok())
        else {
            continue;
        };
        if !process_runs(pid) {
            discard_files(&entry.path());
        }
    }
}

#[cfg(unix)]
fn process_runs(pid: i32) -> bool {
    match rustix::process::Pid::from_raw(pid) {
        // Permission denied still means the process exists.
        Some(pid) => !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        ),
        None => false,
    }
}

#[cfg(not(unix))]
fn process_runs(_pid: i32) -> bool {
    true
}

fn discard_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    discard_sidecars(path);
}

fn discard_sidecars(path: &Path) {
    for suffix in SIDECARS {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            uri(Path::new("/a b/c?d#e%.db"), "immutable=1"),
            "file:/a%20b/c%3Fd%23e%25.db?immutable=1"
        );
    }

    #[test]
    fn a_draft_is_published_whole_and_never_over_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub").join("s.db");
        let draft = Draft::start(&target).unwrap();
        assert!(!target.exists(), "nothing at the target while building");
        std::fs::write(&draft.path, b"content").unwrap();
        draft.publish().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"content");
        assert!(!draft.path.exists());
        let again = Draft::start(&target);
        assert!(matches!(again, Err(StoreError::AlreadyExists { .. })));
    }

    #[test]
    fn drafts_of_dead_processes_are_removed_and_empty_targets_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s.db");
        // No process has pid 0x7ffffffe on a normal system.
        let stale = dir.path().join(".s.db.new-2147483646");
        std::fs::write(&stale, b"half").unwrap();
        std::fs::write(&target, b"").unwrap();
        let draft = Draft::start(&target).unwrap();
        assert!(!stale.exists(), "an abandoned draft is cleaned up");
        assert!(!target.exists(), "an empty file is not a store");
        draft.discard();
        assert!(!draft.path.exists());
    }
}
