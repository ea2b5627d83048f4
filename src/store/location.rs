//! Where a store lives: a SQLite file or a PostgreSQL connection string (with the schema
//! `--schema` named), told apart from what the user typed, and described for messages
//! without a password.

use std::path::PathBuf;

use super::error::StoreError;
use super::postgres_target;

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (URL or key=value pairs) and the schema named with
    /// `--schema`, if any (else the connection string's search path, else `warden`).
    Postgres {
        conninfo: String,
        schema: Option<String>,
    },
}

impl Location {
    /// `postgres://` and `postgresql://` URLs and libpq key=value strings name a PostgreSQL
    /// database; anything else is a path to a SQLite file.
    pub fn parse(text: &str) -> Location {
        if postgres_target::is_connection_string(text) {
            Location::Postgres {
                conninfo: text.to_string(),
                schema: None,
            }
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// The same location with its PostgreSQL schema named (`--schema`); a SQLite file has
    /// none, and naming one for it is refused.
    pub fn with_schema(self, schema: Option<String>) -> Result<Location, StoreError> {
        match (self, schema) {
            (location, None) => Ok(location),
            (Location::Postgres { conninfo, .. }, Some(schema)) => Ok(Location::Postgres {
                conninfo,
                schema: Some(schema),
            }),
            (Location::Sqlite(path), Some(_)) => Err(StoreError::Unavailable(format!(
                "--schema names a PostgreSQL schema, and {} is a SQLite file",
                path.display()
            ))),
        }
    }

    /// `warden.db` in the platform data directory (XDG on Linux:
    /// `$XDG_DATA_HOME/warden/warden.db`, by default `~/.local/share/warden/warden.db`).
    pub fn default_location() -> Result<Location, StoreError> {
        let dirs = directories::ProjectDirs::from("", "", "warden").ok_or_else(|| {
            StoreError::Unavailable(
                "cannot find a home directory for the default store; pass --store PATH".into(),
            )
        })?;
        Ok(Location::Sqlite(dirs.data_dir().join("warden.db")))
    }

    /// For messages: the path, or the connection string without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres { conninfo, schema } => {
                let text = if conninfo.contains("://") {
                    redact_url(conninfo)
                } else {
                    redact_pairs(conninfo)
                };
                match schema {
                    Some(schema) => format!("{text} (schema {schema})"),
                    None => text,
                }
            }
        }
    }
}

/// `host=h password=secret dbname=d` → `host=h dbname=d`.
fn redact_pairs(text: &str) -> String {
    text.split_whitespace()
        .filter(|pair| !pair.trim_start().starts_with("password"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    if tail.is_empty() && !rest.contains('/') {
        format!("{scheme}://{authority}")
    } else {
        format!(
            "{scheme}://{authority}/{}",
            tail.split('?').next().unwrap_or("")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_connection_strings_are_told_apart_from_paths() {
        for text in [
            "postgres://u@h/db",
            "postgresql:///db",
            "host=/tmp dbname=d",
        ] {
            assert!(
                matches!(Location::parse(text), Location::Postgres { .. }),
                "{text}"
            );
        }
        assert!(matches!(Location::parse("./x.db"), Location::Sqlite(_)));
        assert_eq!(
            Location::parse("host=h password=secret dbname=d").describe(),
            "host=h dbname=d"
        );
        let named = Location::parse("postgres://u:pw@h/db")
            .with_schema(Some("app".into()))
            .unwrap();
        assert_eq!(named.describe(), "postgres://u@h/db (schema app)");
        assert!(
            Location::parse("x.db")
                .with_schema(Some("app".into()))
                .is_err()
        );
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://ann:s3cret@db.example:5432/warden?sslmode=require"),
            "postgres://ann@db.example:5432/warden"
        );
        assert_eq!(redact_url("postgresql://h/db"), "postgresql://h/db");
        assert_eq!(redact_url("postgres://ann:pw@h"), "postgres://ann@h");
    }
}
