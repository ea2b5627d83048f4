//! The console's config file: embedded defaults (`assets/config.default.toml`) merged with the
//! user's TOML in the platform config directory. A bad entry — unknown action, unknown key, a
//! key two actions share — is reported with its line and falls back to the default; a file
//! that does not parse is reported and ignored. Never a panic.

use std::path::{Path, PathBuf};

use super::keymap::{ACTIONS, Key, Keymap};

pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.default.toml");

/// Colour or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Auto,
    Never,
}

/// Everything the config file decides, and what was wrong with it.
#[derive(Clone, Debug)]
pub struct Config {
    pub keymap: Keymap,
    pub colour: Colour,
    /// Problems found, each naming the file and line; shown once in the status bar.
    pub problems: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            keymap: Keymap::default(),
            colour: Colour::Auto,
            problems: Vec::new(),
        }
    }
}

/// `~/.config/warden/config.toml` (XDG on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "warden").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the config at `path`; a missing file is the defaults, silently.
pub fn load(path: Option<&Path>) -> Config {
    let Some(path) = path else {
        return Config::default();
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(e) => Config {
            problems: vec![format!(
                "{}: cannot read it ({e}); using the defaults",
                path.display()
            )],
            ..Config::default()
        },
    }
}

/// The 1-based line where `key` is set, for messages.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("{key} "))
                || l.starts_with(&format!("{key}="))
                || l.starts_with(&format!("\"{key}\""))
        })
        .map_or(0, |i| i + 1)
}

pub fn parse(text: &str, source: &str) -> Config {
    let mut config = Config::default();
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            config.problems.push(format!(
                "{source}:{line}: {}; using the defaults",
                e.message()
            ));
            return config;
        }
    };
    for (section, value) in &table {
        match (section.as_str(), value) {
            ("keys", toml::Value::Table(keys)) => {
                for (name, value) in keys {
                    let line = line_of(text, name);
                    let Some(spec) = ACTIONS.iter().find(|s| s.name == name) else {
                        config
                            .problems
                            .push(format!("{source}:{line}: no action {name:?}; ignored"));
                        continue;
                    };
                    let Some(list) = value.as_array() else {
                        config.problems.push(format!(
                            "{source}:{line}: {name} takes a list of keys, like [\"ctrl-d\"]; keeping its default"
                        ));
                        continue;
                    };
                    let mut keys = Vec::new();
                    let mut bad = None;
                    for item in list {
                        match item.as_str().map(Key::parse) {
                            Some(Ok(key)) => keys.push(key),
                            Some(Err(e)) => bad = Some(e),
                            None => bad = Some(format!("{item} is not a key")),
                        }
                    }
                    match bad {
                        Some(e) => config
                            .problems
                            .push(format!("{source}:{line}: {name}: {e}; keeping its default")),
                        None => config.keymap.rebind(spec.action, keys),
                    }
                }
            }
            ("display", toml::Value::Table(display)) => {
                if let Some(value) = display.get("colour") {
                    match value.as_str() {
                        Some("auto") => config.colour = Colour::Auto,
                        Some("never") => config.colour = Colour::Never,
                        _ => config.problems.push(format!(
                            "{source}:{}: colour is \"auto\" or \"never\"; using auto",
                            line_of(text, "colour")
                        )),
                    }
                }
            }
            (other, _) => config.problems.push(format!(
                "{source}:{}: unknown section [{other}]; ignored",
                line_of(text, &format!("[{other}]"))
            )),
        }
    }
    // Two actions on one key: keep the defaults of both and say so.
    let conflicts = config.keymap.conflicts();
    if !conflicts.is_empty() {
        for c in conflicts {
            config
                .problems
                .push(format!("{source}: {c}; using the default keys"));
        }
        config.keymap = Keymap::default();
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{Action, Context};

    #[test]
    fn the_shipped_defaults_are_the_built_in_keys() {
        let config = parse(DEFAULT_CONFIG, "default");
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        let defaults = Keymap::default();
        for spec in ACTIONS {
            assert_eq!(
                config.keymap.keys(spec.action),
                defaults.keys(spec.action),
                "{}",
                spec.name
            );
        }
        // Every action is documented in the shipped file.
        for spec in ACTIONS {
            assert!(
                line_of(DEFAULT_CONFIG, spec.name) > 0,
                "{} is not in config.default.toml",
                spec.name
            );
        }
    }

    #[test]
    fn a_remapped_key_is_used() {
        let config = parse("[keys]\nquit = [\"ctrl-q\"]\n", "t");
        assert!(config.problems.is_empty());
        let key = Key::parse("ctrl-q").unwrap();
        assert_eq!(
            config.keymap.action(key, Context::Global),
            Some(Action::Quit)
        );
        assert_eq!(
            config
                .keymap
                .action(Key::parse("q").unwrap(), Context::Global),
            None
        );
    }

    #[test]
    fn bad_entries_are_reported_with_their_line_and_fall_back() {
        let text =
            "[keys]\nquit = [\"ctrl-q\"]\nfrobnicate = [\"f\"]\n\"users.delete\" = [\"ctrl-h\"]\n";
        let config = parse(text, "config.toml");
        assert_eq!(config.problems.len(), 2, "{:?}", config.problems);
        assert!(
            config.problems[0].starts_with("config.toml:3: no action \"frobnicate\""),
            "{:?}",
            config.problems
        );
        assert!(
            config.problems[1].starts_with("config.toml:4: users.delete"),
            "{:?}",
            config.problems
        );
        assert_eq!(
            config.keymap.keys(Action::DeleteUser),
            Keymap::default().keys(Action::DeleteUser)
        );
        assert_eq!(
            config
                .keymap
                .action(Key::parse("ctrl-q").unwrap(), Context::Global),
            Some(Action::Quit)
        );
    }

    #[test]
    fn an_unparsable_file_and_colliding_keys_keep_the_defaults() {
        let config = parse("[keys\nquit = 1", "c.toml");
        assert_eq!(config.problems.len(), 1);
        assert!(
            config.problems[0].starts_with("c.toml:1:"),
            "{:?}",
            config.problems
        );
        let config = parse("[keys]\nquit = [\"j\"]\n", "c.toml");
        assert!(
            config.problems[0].contains("both bound to j"),
            "{:?}",
            config.problems
        );
        assert_eq!(
            config
                .keymap
                .action(Key::parse("j").unwrap(), Context::Global),
            Some(Action::Down)
        );
    }
}
