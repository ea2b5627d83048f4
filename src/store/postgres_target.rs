//! Where a PostgreSQL store is and how to reach it, as libpq users expect: a connection string
//! (`postgres://user@host:port/db?sslmode=require`, or `host=... dbname=...` key=value pairs,
//! Unix-socket hosts as a path), then the usual `PG*` environment variables, then the password
//! file (`PGPASSFILE` or `~/.pgpass`, ignored unless only its owner can read it). The password
//! is kept out of every description, message and `Debug` output.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::error::StoreError;
use super::postgres_conninfo::{parse_pairs, parse_url};

/// The schema warden's tables live in when neither `--schema` nor the connection string's
/// `options=-csearch_path=...` names one.
pub const DEFAULT_SCHEMA: &str = "warden";

/// How the connection is protected (libpq's `sslmode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// `allow` and `prefer`: TLS when the server offers it, without checking its certificate.
    Prefer,
    /// TLS, without checking the server's certificate.
    Require,
    /// TLS, the certificate checked against the CA.
    VerifyCa,
    /// TLS, the certificate checked against the CA and the host name.
    VerifyFull,
}

/// The certificate authority a `verify-ca` or `verify-full` connection trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file (`sslrootcert=FILE`, `PGSSLROOTCERT`, or `~/.postgresql/root.crt`).
    File(PathBuf),
    /// The public web's certificate authorities (`sslrootcert=system`).
    System,
}

/// One host to try: a name or address with a port, or a Unix-socket directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    Tcp(String, u16),
    Socket(PathBuf, u16),
}

impl Host {
    fn describe(&self) -> String {
        match self {
            Host::Tcp(name, port) if name.contains(':') => format!("[{name}]:{port}"),
            Host::Tcp(name, port) => format!("{name}:{port}"),
            Host::Socket(dir, port) => format!("{}/.s.PGSQL.{port}", dir.display()),
        }
    }
}

/// Everything needed to connect. `Debug` never shows the password.
#[derive(Clone)]
pub struct PgTarget {
    pub hosts: Vec<Host>,
    pub user: String,
    pub dbname: String,
    password: Option<String>,
    pub options: Option<String>,
    pub application_name: String,
    pub connect_timeout: Option<Duration>,
    pub ssl: SslMode,
    pub root_cert: Option<RootCert>,
    /// The schema warden's tables live in.
    pub schema: String,
    /// Why a password file was not read, to say when the server wants a password.
    pub passfile_ignored: Option<String>,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget")
            .field("hosts", &self.hosts)
            .field("user", &self.user)
            .field("dbname", &self.dbname)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field("ssl", &self.ssl)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// The connection-string keys warden understands (libpq's names).
const KEYS: [&str; 13] = [
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "connect_timeout",
    "sslmode",
    "sslrootcert",
    "passfile",
    "target_session_attrs",
];

fn bad(text: impl Into<String>) -> StoreError {
    StoreError::Unavailable(text.into())
}

/// Whether `text` is a PostgreSQL connection string: a `postgres://` or `postgresql://` URL,
/// or key=value pairs starting with a libpq key (`host=/run/postgresql dbname=warden`).
pub fn is_connection_string(text: &str) -> bool {
    let text = text.trim_start();
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        return true;
    }
    text.split_once('=')
        .is_some_and(|(key, _)| KEYS.contains(&key.trim()))
}

/// Whether a connection string carries a password (`user:password@` in a URL, or a
/// `password` parameter), which on a command line `ps` shows to every user of the machine.
pub fn carries_password(text: &str) -> bool {
    let parsed = if text.trim_start().contains("://") {
        parse_url(text.trim())
    } else {
        parse_pairs(text)
    };
    parsed.is_ok_and(|params| params.get("password").is_some_and(|p| !p.is_empty()))
}

impl PgTarget {
    /// Reads a connection string, filling what it leaves out from the environment as libpq
    /// does. `schema` is `--schema`, which wins over the connection string's search path.
    pub fn parse(text: &str, schema: Option<&str>) -> Result<PgTarget, StoreError> {
        let params = if text.trim_start().contains("://") {
            parse_url(text.trim())?
        } else {
            parse_pairs(text)?
        };
        Self::from_params(params, schema, &|name| std::env::var(name).ok())
    }

    fn from_params(
        mut params: BTreeMap<String, String>,
        schema: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<PgTarget, StoreError> {
        for key in params.keys() {
            if !KEYS.contains(&key.as_str()) {
                return Err(bad(format!(
                    "the connection string has the parameter {key:?}, which warden does not know; it knows {}",
                    KEYS.join(", ")
                )));
            }
        }
        let mut take = |key: &str, var: &str| params.remove(key).or_else(|| env(var));
        let host_list = take("host", "PGHOST").unwrap_or_default();
        let hostaddr = take("hostaddr", "PGHOSTADDR");
        let port_list = take("port", "PGPORT").unwrap_or_default();
        let os_user = whoami::username().unwrap_or_else(|_| "postgres".into());
        let user = take("user", "PGUSER").unwrap_or(os_user);
        let dbname = take("dbname", "PGDATABASE").unwrap_or_else(|| user.clone());
        let password = take("password", "PGPASSWORD");
        let options = take("options", "PGOPTIONS");
        let application_name =
            take("application_name", "PGAPPNAME").unwrap_or_else(|| "warden".to_string());
        let connect_timeout = take("connect_timeout", "PGCONNECT_TIMEOUT")
            .map(|t| {
                t.trim()
                    .parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| bad(format!("connect_timeout {t:?} is not a number of seconds")))
            })
            .transpose()?;
        let ssl = match take("sslmode", "PGSSLMODE").as_deref().unwrap_or("prefer") {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(bad(format!(
                    "sslmode {other:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                )));
            }
        };
        let root_cert = match take("sslrootcert", "PGSSLROOTCERT") {
            Some(value) if value == "system" => Some(RootCert::System),
            Some(path) => Some(RootCert::File(PathBuf::from(path))),
            None => default_root_cert(env),
        };
        let passfile = take("passfile", "PGPASSFILE");
        // Not used by warden, accepted so connection strings written for other tools work.
        let _ = take("target_session_attrs", "PGTARGETSESSIONATTRS");

        let hosts = hosts(&host_list, hostaddr.as_deref(), &port_list)?;
        let schema = match schema {
            Some(schema) => schema.to_string(),
            None => options
                .as_deref()
                .and_then(search_path_of)
                .unwrap_or_else(|| DEFAULT_SCHEMA.to_string()),
        };
        let mut target = PgTarget {
            hosts,
            user,
            dbname,
            password,
            options,
            application_name,
            connect_timeout,
            ssl,
            root_cert,
            schema,
            passfile_ignored: None,
        };
        if target.password.is_none() {
            target.read_password_file(passfile, env);
        }
        Ok(target)
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// `postgres://ann@db.example:5432/warden`, with `(schema NAME)` when it is not the
    /// default: how the store is named in messages. Never the password.
    pub fn describe(&self) -> String {
        let hosts: Vec<String> = self.hosts.iter().map(Host::describe).collect();
        let mut text = format!(
            "postgres://{}@{}/{}",
            self.user,
            hosts.join(","),
            self.dbname
        );
        if self.schema != DEFAULT_SCHEMA {
            text.push_str(&format!(" (schema {})", self.schema));
        }
        text
    }

    /// Looks the password up in the password file, as libpq does: the first line whose host,
    /// port, database and user match (`*` matches anything). A file others can read is not
    /// used, and the reason is kept for the message should the server ask for a password.
    fn read_password_file(
        &mut self,
        passfile: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) {
        let path = match passfile {
            Some(path) => PathBuf::from(path),
            None => match env("HOME").or_else(|| {
                directories::BaseDirs::new().map(|d| d.home_dir().display().to_string())
            }) {
                Some(home) => PathBuf::from(home).join(".pgpass"),
                None => return,
            },
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            return;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                self.passfile_ignored = Some(format!(
                    "the password file {} was not read: its mode is {mode:04o}; it must be 0600 (chmod 600 {})",
                    path.display(),
                    path.display()
                ));
                return;
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let Ok(text) = std::fs::read_to_string(&path) else {
            return;
        };
        let (host, port) = match self.hosts.first() {
            Some(Host::Tcp(name, port)) => (name.clone(), *port),
            // libpq matches a socket connection as "localhost".
            Some(Host::Socket(_, port)) => ("localhost".to_string(), *port),
            None => return,
        };
        let port = port.to_string();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let fields = pgpass_fields(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                continue;
            };
            let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
            if matches(h, &host)
                && matches(p, &port)
                && matches(d, &self.dbname)
                && matches(u, &self.user)
            {
                self.password = Some(password.clone());
                return;
            }
        }
    }
}

/// The fields of a password-file line: `:` separates, `\` escapes `:` and `\`.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// `~/.postgresql/root.crt` when it exists, as libpq uses it.
fn default_root_cert(env: &dyn Fn(&str) -> Option<String>) -> Option<RootCert> {
    let home = env("HOME")?;
    let path = PathBuf::from(home).join(".postgresql").join("root.crt");
    path.exists().then_some(RootCert::File(path))
}

/// The first schema of `-c search_path=a,b` (or `-csearch_path=a`) in `options`.
fn search_path_of(options: &str) -> Option<String> {
    let at = options.find("search_path=")?;
    let rest = &options[at + "search_path=".len()..];
    let first = rest.split([',', ' ']).next()?.trim_matches('"').trim();
    (!first.is_empty()).then(|| first.to_string())
}

/// The hosts to try: comma-separated names or socket directories, each with its port (one
/// port for all, or one each). No host means libpq's default socket directory.
fn hosts(
    host_list: &str,
    hostaddr: Option<&str>,
    port_list: &str,
) -> Result<Vec<Host>, StoreError> {
    let mut names: Vec<String> = host_list
        .split(',')
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    if names.is_empty() {
        names.push(hostaddr.map_or_else(default_socket_dir, String::from));
    }
    let ports: Vec<u16> = port_list
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u16>()
                .map_err(|_| bad(format!("port {p:?} is not a port number")))
        })
        .collect::<Result<_, _>>()?;
    let port_of = |i: usize| -> Result<u16, StoreError> {
        match ports.len() {
            0 => Ok(5432),
            1 => Ok(ports[0]),
            n if n == names.len() => Ok(ports[i]),
            _ => Err(bad(format!(
                "{} ports for {} hosts: give one port, or one for each host",
                ports.len(),
                names.len()
            ))),
        }
    };
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let port = port_of(i)?;
            Ok(if name.starts_with('/') {
                Host::Socket(PathBuf::from(name), port)
            } else {
                Host::Tcp(name.trim_matches(['[', ']']).to_string(), port)
            })
        })
        .collect()
}

fn default_socket_dir() -> String {
    // Debian's libpq default; other systems commonly use /tmp.
    if std::path::Path::new("/var/run/postgresql").is_dir() {
        "/var/run/postgresql".into()
    } else {
        "/tmp".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn target(text: &str, env: &dyn Fn(&str) -> Option<String>) -> PgTarget {
        let params = if text.contains("://") {
            parse_url(text).unwrap()
        } else {
            parse_pairs(text).unwrap()
        };
        PgTarget::from_params(params, None, env).unwrap()
    }

    #[test]
    fn urls_give_every_part_and_hide_the_password() {
        let t = target(
            "postgres://ann:s%40cret@db.example:6543/warden_prod?sslmode=verify-full&application_name=x",
            &no_env,
        );
        assert_eq!(t.hosts, vec![Host::Tcp("db.example".into(), 6543)]);
        assert_eq!((t.user.as_str(), t.dbname.as_str()), ("ann", "warden_prod"));
        assert_eq!(t.password(), Some("s@cret"));
        assert_eq!(t.ssl, SslMode::VerifyFull);
        assert_eq!(t.describe(), "postgres://ann@db.example:6543/warden_prod");
        assert!(!format!("{t:?}").contains("s@cret"));
    }

    #[test]
    fn socket_hosts_key_value_pairs_and_search_paths() {
        let t = target(
            "host=/run/pg port=5433 user=u dbname='my db' options='-c search_path=app,public'",
            &no_env,
        );
        assert_eq!(t.hosts, vec![Host::Socket("/run/pg".into(), 5433)]);
        assert_eq!(t.dbname, "my db");
        assert_eq!(t.schema, "app");
        let t = target("postgresql:///w?host=%2Ftmp%2Fs&user=u", &no_env);
        assert_eq!(t.hosts, vec![Host::Socket("/tmp/s".into(), 5432)]);
        assert_eq!(t.schema, DEFAULT_SCHEMA);
        assert_eq!(
            target("postgres://u@[::1]:5/d", &no_env).hosts,
            vec![Host::Tcp("::1".into(), 5)]
        );
    }

    #[test]
    fn the_environment_fills_in_what_the_string_leaves_out() {
        let env = |name: &str| match name {
            "PGHOST" => Some("pg.internal".to_string()),
            "PGPORT" => Some("7000".to_string()),
            "PGPASSWORD" => Some("from-env".to_string()),
            "PGSSLMODE" => Some("require".to_string()),
            _ => None,
        };
        let t = target("dbname=w user=u", &env);
        assert_eq!(t.hosts, vec![Host::Tcp("pg.internal".into(), 7000)]);
        assert_eq!(t.password(), Some("from-env"));
        assert_eq!(t.ssl, SslMode::Require);
    }

    #[test]
    fn the_password_file_is_read_only_when_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:*:*:*:no\ndb.example:*:w:u:pa\\:ss\n",
        )
        .unwrap();
        let passfile = file.display().to_string();
        let env = |name: &str| (name == "PGPASSFILE").then(|| passfile.clone());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            let t = target("postgres://u@db.example/w", &env);
            assert_eq!(t.password(), None);
            assert!(t.passfile_ignored.unwrap().contains("0644"));
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let t = target("postgres://u@db.example/w", &env);
        assert_eq!(t.password(), Some("pa:ss"));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| match PgTarget::parse(text, None) {
            Err(e) => e.to_string(),
            Ok(t) => panic!("{t:?}"),
        };
        assert!(err("postgres://h/d?sslmode=sometimes").contains("sslmode"));
        assert!(err("postgres://h/d?bogus=1").contains("\"bogus\""));
        assert!(err("postgres://h:notaport/d").contains("port"));
        assert!(err("host='unclosed").contains("quote"));
        assert!(is_connection_string("host=/tmp dbname=x"));
        assert!(carries_password("postgres://u:pw@h/d"));
        assert!(carries_password("host=h password=pw"));
        assert!(carries_password("postgres://u@h/d?password=pw"));
        assert!(!carries_password("postgres://u@h/d"));
        assert!(is_connection_string("postgresql://h/d"));
        assert!(!is_connection_string("./warden.db"));
        assert!(!is_connection_string("a=b.db"));
    }
}
