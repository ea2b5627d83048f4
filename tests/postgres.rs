//! What only a server store has, through the real binary: a role that owns nothing but its
//! schema, a schema chosen by `--schema` or the search path, a place holding someone else's
//! tables, an interrupted creation, and every way of not reaching the store (server down,
//! wrong password, unknown database, no store, a newer store, another writer, a statement
//! timeout), each a clear message naming host and database and never the password.
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::{self, APP_PASSWORD, APP_ROLE, Cluster};
use common::{Run, WARDEN};

fn cluster() -> Option<&'static Cluster> {
    pg::cluster()
}

/// `warden ARGS --store TARGET` with `password` in PGPASSWORD.
fn run(target: &str, password: &str, args: &[&str]) -> Run {
    common::run_with_password(target, password, args)
}

fn ok(target: &str, args: &[&str]) -> String {
    let run = run(target, APP_PASSWORD, args);
    assert_eq!(run.code, 0, "{args:?}: {run:?}");
    run.stdout
}

/// Exit 4, the message saying `what`, naming host and database, never the password.
fn unavailable(run: &Run, what: &str, db: &str, password: &str) {
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains(what), "says {what:?}: {}", run.stderr);
    assert!(
        run.stderr.contains("127.0.0.1") && run.stderr.contains(db),
        "names host and database: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(password) && !run.stdout.contains(password),
        "never the password: {run:?}"
    );
}

#[test]
fn a_role_owning_only_its_schema_runs_a_store_there() {
    let Some(cluster) = cluster() else { return };
    // A database the application role does not own: it may not create schemas in it.
    let db = cluster.database();
    let mut admin = cluster.admin(&db);
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {db} OWNER TO postgres; REVOKE CREATE ON DATABASE {db} FROM PUBLIC;
             CREATE SCHEMA app AUTHORIZATION {APP_ROLE};"
        ))
        .unwrap();
    let url = cluster.app_url(&db);
    let refused = run(&url, APP_PASSWORD, &["init"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(
        refused.stderr.contains("privilege") && refused.stderr.contains("schema warden"),
        "{}",
        refused.stderr
    );
    let init = run(
        &url,
        APP_PASSWORD,
        &["--schema", "app", "init", "--admin", "admin"],
    );
    assert_eq!(init.code, 0, "{init:?}");
    assert!(init.stdout.contains("(schema app)"), "{}", init.stdout);
    ok(&url, &["--schema", "app", "user", "add", "zed"]);
    // The search path in the connection string names the schema too.
    let with_path = format!("{url}&options=-csearch_path%3Dapp");
    assert!(ok(&with_path, &["user", "list"]).contains("zed"));
    // And nothing landed anywhere else.
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('app', 'pg_catalog', 'information_schema')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
}

#[test]
fn a_schema_holding_other_tables_is_refused_by_name() {
    let Some(cluster) = cluster() else { return };
    let db = cluster.database();
    let url = cluster.app_url(&db);
    let mut admin = cluster.admin(&db);
    admin
        .batch_execute(&format!(
            "CREATE SCHEMA shop AUTHORIZATION {APP_ROLE}; CREATE TABLE shop.orders (id int);
             ALTER TABLE shop.orders OWNER TO {APP_ROLE};"
        ))
        .unwrap();
    let refused = run(&url, APP_PASSWORD, &["--schema", "shop", "init"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(
        refused.stderr.contains("did not create: orders") && refused.stderr.contains("--schema"),
        "{}",
        refused.stderr
    );
    let read = run(&url, APP_PASSWORD, &["--schema", "shop", "user", "list"]);
    assert_eq!(read.code, 4);
    assert!(
        read.stderr.contains("not a warden store"),
        "{}",
        read.stderr
    );
    let count: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(count, 1, "nothing was added beside it");
}

#[test]
fn an_interrupted_creation_is_no_store_and_is_created_again() {
    let Some(cluster) = cluster() else { return };
    let db = cluster.database();
    let url = cluster.app_url(&db);
    let mut child = std::process::Command::new(WARDEN)
        .args([
            "demo", "--users", "50000", "--admin", "admin", "--store", &url,
        ])
        .env("PGPASSWORD", APP_PASSWORD)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its tables exist, well before it is done.
    let mut admin = cluster.admin(&db);
    let started = std::time::Instant::now();
    loop {
        let tables: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'warden'",
                &[],
            )
            .unwrap()
            .get(0);
        if tables > 0 || started.elapsed().as_secs() > 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    child.kill().unwrap();
    child.wait().unwrap();
    let read = run(&url, APP_PASSWORD, &["user", "list"]);
    assert_eq!(read.code, 4, "{read:?}");
    assert!(read.stderr.contains("no store at"), "{}", read.stderr);
    ok(&url, &["init", "--admin", "admin"]);
    ok(&url, &["store", "check"]);
    let users = ok(&url, &["user", "list"]);
    assert_eq!(
        users.lines().count(),
        2,
        "only the new store's admin: {users}"
    );
}

#[test]
fn every_way_of_not_reaching_the_store_is_named() {
    let Some(cluster) = cluster() else { return };
    let db = cluster.database();
    let url = cluster.app_url(&db);

    // No store yet.
    let missing = run(&url, APP_PASSWORD, &["user", "list"]);
    unavailable(&missing, "no store at", &db, APP_PASSWORD);
    assert!(missing.stderr.contains("warden init"), "{}", missing.stderr);

    // A wrong password.
    let wrong = run(&url, "Not-The-Password-42", &["user", "list"]);
    unavailable(&wrong, "sign in", &db, "Not-The-Password-42");

    // A password in the URL is refused on the command line (ps shows it to everyone), and
    // never repeated when it comes through WARDEN_STORE and is wrong.
    let in_url = format!(
        "postgres://{APP_ROLE}:Url-Secret-77@127.0.0.1:{}/{db}?sslmode=disable",
        cluster.port
    );
    let typed = run(&in_url, "", &["user", "list"]);
    assert_eq!(typed.code, 2, "{typed:?}");
    assert!(
        typed.stderr.contains("PGPASSWORD") && !typed.stderr.contains("Url-Secret-77"),
        "{}",
        typed.stderr
    );
    let out = std::process::Command::new(WARDEN)
        .args(["user", "list"])
        .env("WARDEN_STORE", &in_url)
        .env_remove("PGPASSWORD")
        .output()
        .unwrap();
    let wrong = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    unavailable(&wrong, "sign in", &db, "Url-Secret-77");

    // A database that does not exist.
    let nowhere = cluster.app_url("no_such_db");
    let unknown = run(&nowhere, APP_PASSWORD, &["user", "list"]);
    unavailable(&unknown, "does not exist", "no_such_db", APP_PASSWORD);

    // A server that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = format!("postgres://{APP_ROLE}@127.0.0.1:{port}/{db}?sslmode=disable");
    let run_down = run(&down, APP_PASSWORD, &["user", "list"]);
    unavailable(
        &run_down,
        "cannot reach the PostgreSQL server",
        &db,
        APP_PASSWORD,
    );

    // A store written by a newer warden is refused, and left alone.
    ok(&url, &["init", "--admin", "admin"]);
    let mut admin = cluster.admin(&db);
    admin
        .batch_execute("UPDATE warden.meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let newer = run(&url, APP_PASSWORD, &["user", "add", "zed"]);
    unavailable(&newer, "newer warden", &db, APP_PASSWORD);
    admin
        .batch_execute(&format!(
            "UPDATE warden.meta SET value = '{}' WHERE key = 'schema_version'",
            warden::store::migrate::latest(warden::store::migrate::POSTGRES)
        ))
        .unwrap();

    // Another writer holding the store: first past the busy timeout, then past the server's
    // statement timeout.
    let mut holder = cluster.admin(&db);
    holder
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(1463898692, hashtext('warden'));")
        .unwrap();
    let locked = std::process::Command::new(WARDEN)
        .args(["user", "add", "zed", "--store", &url])
        .env("PGPASSWORD", APP_PASSWORD)
        .env("WARDEN_BUSY_TIMEOUT_MS", "200")
        .output()
        .unwrap();
    assert_eq!(locked.status.code(), Some(4), "{locked:?}");
    assert!(
        String::from_utf8_lossy(&locked.stderr).contains("locked by another writer"),
        "{locked:?}"
    );
    let timeout_url = format!("{url}&options=-c%20statement_timeout%3D300");
    let timed_out = std::process::Command::new(WARDEN)
        .args(["user", "add", "zed", "--store", &timeout_url])
        .env("PGPASSWORD", APP_PASSWORD)
        .env("WARDEN_BUSY_TIMEOUT_MS", "5000")
        .output()
        .unwrap();
    assert_eq!(timed_out.status.code(), Some(4), "{timed_out:?}");
    assert!(
        String::from_utf8_lossy(&timed_out.stderr).contains("statement_timeout"),
        "{timed_out:?}"
    );
    holder.batch_execute("ROLLBACK").unwrap();
    ok(&url, &["user", "add", "zed"]);
}

#[test]
fn a_store_of_the_previous_version_is_migrated_on_open() {
    let Some(cluster) = cluster() else { return };
    let db = cluster.database();
    // A store as the previous warden left it: migrations 1 to 3, as the application role.
    let mut app = postgres::Config::new()
        .host("127.0.0.1")
        .port(cluster.port)
        .user(APP_ROLE)
        .password(APP_PASSWORD)
        .dbname(&db)
        .connect(postgres::NoTls)
        .unwrap();
    app.batch_execute("CREATE SCHEMA warden; SET search_path TO warden;")
        .unwrap();
    let migrations = warden::store::migrate::POSTGRES;
    let previous = migrations.len() - 1;
    for migration in &migrations[..previous] {
        app.batch_execute(migration.sql).unwrap();
    }
    app.batch_execute(&format!(
        "INSERT INTO meta (key, value) VALUES ('schema_version', '{}'), ('store_complete', 'yes');
         INSERT INTO tenants (name) VALUES ('default');
         INSERT INTO users (tenant_id, username, username_key, kind, status, created_at, updated_at)
         VALUES (1, 'Old.Timer', 'old.timer', 'end_user', 'active', 0, 0);",
        migrations[previous - 1].version
    ))
    .unwrap();
    drop(app);
    let url = cluster.app_url(&db);
    let listed = ok(&url, &["user", "list"]);
    assert!(listed.contains("Old.Timer"), "{listed}");
    let version: String = cluster
        .admin(&db)
        .query_one(
            "SELECT value FROM warden.meta WHERE key = 'schema_version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        version,
        warden::store::migrate::latest(migrations).to_string()
    );
}
