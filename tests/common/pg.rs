//! A throwaway PostgreSQL cluster for the tests, started once per test binary: Debian's server
//! binaries (`/usr/lib/postgresql/N/bin`, or `PG_BIN`), `initdb` in a temporary directory (as
//! the `postgres` account when the tests run as root, since initdb refuses root), `fsync=off`,
//! a Unix socket and a loopback port, one database per test. A watchdog stops the server and
//! removes its directory when the test binary exits.
//!
//! A suite that cannot start its server fails; `WARDEN_SKIP_POSTGRES=1` skips the PostgreSQL
//! tests explicitly (never under `CI=true`).
#![allow(dead_code, clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The role a non-superuser store connects as (over the loopback port, with a password).
pub const APP_ROLE: &str = "warden_app";
pub const APP_PASSWORD: &str = "app-Secret-2026";

pub struct Cluster {
    pub socket_dir: PathBuf,
    pub port: u16,
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The cluster, started on first use; `None` only when skipping was asked for.
pub fn cluster() -> Option<&'static Cluster> {
    let started = CLUSTER.get_or_init(start);
    match started {
        Ok(cluster) => Some(cluster),
        Err(why) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            let skip = std::env::var("WARDEN_SKIP_POSTGRES").is_ok_and(|v| v == "1");
            if skip && !ci {
                eprintln!("SKIPPED (WARDEN_SKIP_POSTGRES=1): {why}");
                None
            } else {
                panic!(
                    "the PostgreSQL tests cannot start their server: {why}\n\
                     install Debian's postgresql package (.ci/run does), or set \
                     WARDEN_SKIP_POSTGRES=1 to skip these tests on this machine"
                );
            }
        }
    }
}

fn find_bin() -> Result<PathBuf, String> {
    if let Ok(bin) = std::env::var("PG_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no /usr/lib/postgresql ({e})"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// Runs a server binary, as the postgres account when the tests run as root.
    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        run_tool(&self.bin, self.as_postgres, tool, args)
    }

    /// A superuser connection over the Unix socket.
    pub fn admin(&self, dbname: &str) -> postgres::Client {
        postgres::Config::new()
            .host_path(&self.socket_dir)
            .port(self.port)
            .user("postgres")
            .dbname(dbname)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// A new, empty database owned by the unprivileged application role.
    pub fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = self.admin("postgres");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {APP_ROLE}"))
            .unwrap();
        name
    }

    /// The superuser's connection string for `dbname` (Unix socket, no password).
    pub fn superuser_url(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={dbname} sslmode=disable",
            self.socket_dir.display(),
            self.port
        )
    }

    /// The application role's URL for `dbname`: the loopback port and a password, as a
    /// managed server would be reached. The password is not in it (PGPASSWORD carries it).
    pub fn app_url(&self, dbname: &str) -> String {
        format!(
            "postgres://{APP_ROLE}@127.0.0.1:{}/{dbname}?sslmode=disable",
            self.port
        )
    }

    /// Stops the server (fast) and starts it again, as a restart in production would.
    pub fn restart(&self) {
        let data = self.data.display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
            .unwrap();
        self.start_server().unwrap();
    }

    /// Replaces the server's pg_hba.conf, sets `settings` (`ssl = on`, ...) and reloads.
    pub fn reconfigure(&self, hba: &str, settings: &[(&str, &str)]) {
        std::fs::write(self.data.join("pg_hba.conf"), hba).unwrap();
        let mut admin = self.admin("postgres");
        for (name, value) in settings {
            admin
                .batch_execute(&format!("ALTER SYSTEM SET {name} = '{value}'"))
                .unwrap();
        }
        admin.batch_execute("SELECT pg_reload_conf()").unwrap();
        // The reload is asynchronous: give the postmaster a moment.
        std::thread::sleep(std::time::Duration::from_millis(500));
    }

    /// Makes `path` the server account's own (key files must be), when the tests run as root.
    pub fn give_to_server(&self, path: &Path) {
        if self.as_postgres {
            let ok = Command::new("chown")
                .arg("postgres:postgres")
                .arg(path)
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown {}", path.display());
        }
    }

    /// Kills the server as a crash would (`pg_ctl stop -m immediate`: no goodbye to clients,
    /// crash recovery at the next start).
    pub fn kill(&self) {
        let data = self.data.display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .unwrap();
    }

    pub fn stop(&self) {
        let data = self.data.display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
            .unwrap();
    }

    pub fn start_server(&self) -> Result<(), String> {
        let data = self.data.display().to_string();
        let log = self.data.with_file_name("server.log").display().to_string();
        // fsync off: nothing waits on the disk. Commits are still written before they
        // return (no synchronous_commit=off), so a killed server loses none of them.
        let options = format!(
            "-c fsync=off -c full_page_writes=off \
             -c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=300 \
             -c unix_socket_permissions=0777",
            self.port,
            self.socket_dir.display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        )
    }
}

fn run_tool(bin: &Path, as_postgres: bool, tool: &str, args: &[&str]) -> Result<(), String> {
    let program = bin.join(tool);
    let output = if as_postgres {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program)
            .args(args)
            .current_dir("/")
            .output()
    } else {
        Command::new(&program).args(args).output()
    }
    .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn start() -> Result<Cluster, String> {
    let bin = find_bin()?;
    let as_postgres = is_root();
    let dir = tempfile::Builder::new()
        .prefix("warden-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let data = dir.join("data");
    let socket_dir = dir.join("socket");
    std::fs::create_dir_all(&socket_dir).map_err(|e| e.to_string())?;
    if as_postgres {
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !chown.success() {
            return Err("cannot give the cluster directory to the postgres account".into());
        }
    }
    let data_text = data.display().to_string();
    run_tool(
        &bin,
        as_postgres,
        "initdb",
        &[
            "-D",
            &data_text,
            "--username=postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        ],
    )?;
    // The superuser over the socket without a password; everyone over the loopback port
    // with one.
    let hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
    std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| e.to_string())?;
    let cluster = Cluster {
        socket_dir,
        port: free_port()?,
        data,
        bin,
        as_postgres,
    };
    cluster.start_server()?;
    watch(&cluster, &dir);
    let mut admin = cluster.admin("postgres");
    admin
        .batch_execute(&format!(
            "CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE"
        ))
        .map_err(|e| e.to_string())?;
    Ok(cluster)
}

/// Stops the server and removes its directory once this test process has exited.
fn watch(cluster: &Cluster, dir: &Path) {
    let pg_ctl = cluster.bin.join("pg_ctl");
    let stop = format!(
        "{} -D {} -m immediate stop",
        pg_ctl.display(),
        cluster.data.display()
    );
    let stop = if cluster.as_postgres {
        format!("runuser -u postgres -- {stop}")
    } else {
        stop
    };
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
        std::process::id(),
        dir.display()
    );
    let _ = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
