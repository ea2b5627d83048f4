//! The command line: one binary, noun-verb like `ipa` and `kubectl` (`warden user add`,
//! `warden role grant`). Each noun has its own file with its clap definitions and handlers;
//! handlers build [`Command`]s for the service and print what it returns. No rule lives here.

mod access;
mod app;
mod assign;
mod audit;
mod consent;
mod credentials;
mod group;
mod interchange;
mod lines;
mod outcome;
pub mod output;
mod perm;
mod report;
mod role;
mod secret;
mod setup;
mod store;
mod user;

use clap::{Args, Parser, Subcommand};

use crate::model::{SystemClock, Vocabulary};
use crate::service::{Command, Error, Operator, Service};
use crate::store::{Location, Store, StoreOptions};
use output::Output;

/// Exit codes, as the README's table lists them.
pub mod exit {
    pub const OK: i32 = 0;
    /// A check that does not hold (`audit verify` on a broken chain).
    pub const CHECK_FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const REFUSED: i32 = 3;
    pub const UNAVAILABLE: i32 = 4;
}

const AFTER_HELP: &str = "\
With no verb, in a terminal, warden opens the console on the store (first run: it creates the
store and its first Administrator). Its keys: press ? inside. Its settings:
~/.config/warden/config.toml on Linux (WARDEN_CONFIG names another file); NO_COLOR turns
colour off.

Names: users by username (or email), roles by key or unambiguous name, groups by name
(add --stage when a name exists in several stages), permissions and apps by key.

Exit codes: 0 ok, 1 a check that does not hold, 2 bad usage or input,
3 conflict or refused by a rule, 4 store unavailable.

Operators: changes are made by the OS account's peer operator on a local store, by
--operator NAME (password from --password-file or a prompt), or by an API client whose
token is in WARDEN_TOKEN. No verb takes a password as an argument.

Environment: WARDEN_STORE (the store), WARDEN_TENANT (the tenant), WARDEN_OPERATOR,
WARDEN_TOKEN, WARDEN_BUSY_TIMEOUT_MS (how long to wait for another writer, per attempt),
WARDEN_CONFIG (the console's settings file), NO_COLOR.";

#[derive(Parser, Debug)]
#[command(
    name = "warden",
    version,
    about = "Administer users, groups, roles and permissions in a warden store",
    after_help = AFTER_HELP,
    propagate_version = true,
    // No styling of its own: an error quoting an argument is then all plain text, and any
    // escape sequence in it came from that argument (and is shown escaped, never run).
    styles = clap::builder::Styles::plain()
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub verb: Option<Verb>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The store: a SQLite file, or a PostgreSQL database (postgres://user@host/db, or
    /// host=... dbname=...; the password from PGPASSWORD or ~/.pgpass, never here)
    /// [default: warden.db in the user's data directory]
    #[arg(long, global = true, env = "WARDEN_STORE", value_name = "PATH|URL")]
    pub store: Option<String>,
    /// The PostgreSQL schema holding warden's tables [default: the connection string's
    /// search_path, else warden]
    #[arg(long, global = true, env = "WARDEN_SCHEMA", value_name = "NAME")]
    pub schema: Option<String>,
    /// The tenant users and groups belong to [default: default; `export` and `diff` without
    /// it cover every tenant]
    #[arg(long, global = true, env = "WARDEN_TENANT", value_name = "NAME")]
    pub tenant: Option<String>,
    /// Print JSON (documented field names) instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Open the store read-only: browse without changing anything
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Check a change against every rule and show it, without saving anything
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Apply a change without asking for the count of users whose access it changes (a
    /// terminal asks when more than 50 users' access changes or anyone gains a User
    /// management permission; scripts are never asked)
    #[arg(long, global = true)]
    pub yes: bool,
    /// Make changes as this operator (signed in with a password) instead of the peer operator
    #[arg(long, global = true, env = "WARDEN_OPERATOR", value_name = "NAME")]
    pub operator: Option<String>,
    /// The operator's password: the first line of this file (else a prompt without echo)
    #[arg(long, global = true, value_name = "FILE", requires = "operator")]
    pub password_file: Option<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Verb {
    /// Create a new store with the built-in catalog and its first Administrator
    Init(setup::InitArgs),
    /// Create a new store filled with generated, realistic data
    Demo(setup::DemoArgs),
    /// Users: add, list, show, edit, activate, deactivate, delete
    #[command(subcommand)]
    User(user::UserVerb),
    /// End-user groups: add, list, show, edit, delete, members and roles
    #[command(subcommand)]
    Group(group::GroupVerb),
    /// Roles: add, copy, list, show, edit, delete, grant, revoke, include, exclude
    #[command(subcommand)]
    Role(role::RoleVerb),
    /// Permissions: the catalog and apps' own permissions, with implications
    #[command(subcommand)]
    Perm(perm::PermVerb),
    /// Applications whose roles and permissions live in the store
    #[command(subcommand)]
    App(app::AppVerb),
    /// The ordered stages (Development, QA, Production, ...)
    #[command(subcommand)]
    Stage(app::StageVerb),
    /// Tenants: every user and group belongs to one
    #[command(subcommand)]
    Tenant(app::TenantVerb),
    /// Assign a role to users (one transaction)
    Assign(assign::AssignArgs),
    /// Take a role from users (one transaction)
    Unassign(assign::AssignArgs),
    /// What a user can do, at which scopes, and through which paths
    Access(access::AccessArgs),
    /// Every path that gives a user a permission, shortest first (exit 1 if none)
    Explain(access::QuestionArgs),
    /// Why a user lacks a permission: the nearest missing edges
    WhyNot(access::QuestionArgs),
    /// Every user holding a permission at a scope, each with a path
    WhoCan(access::WhoCanArgs),
    /// Exit 0 if the user holds the permission at the scope, 1 if not
    Check(access::QuestionArgs),
    /// Check a user's password (read from standard input) under lockout: exit 0 ok, 1 refused
    Verify(credentials::VerifyArgs),
    /// Change your own password (the current one is checked first)
    Passwd,
    /// The password, lockout and hashing policy: show, set, test a password
    #[command(subcommand)]
    Policy(credentials::PolicyVerb),
    /// API client tokens: create (shown once), list, revoke
    #[command(subcommand)]
    Token(credentials::TokenVerb),
    /// Take back the newest change, whoever made it: its inverse is checked against every rule
    /// and recorded as a change of its own (--dry-run previews it)
    Undo {
        /// The audit record meant (refused unless it is still the newest); default: the newest
        #[arg(value_name = "AUDIT_ID")]
        id: Option<i64>,
    },
    /// The audit trail: list, show, verify the hash chain
    #[command(subcommand)]
    Audit(audit::AuditVerb),
    /// The store itself: check its pages, references, audit chain and graph
    #[command(subcommand)]
    Store(store::StoreVerb),
    /// Copy a whole store to a new one, on the same or the other backend (SQLite file to
    /// PostgreSQL and back), audit chain included
    Copy(store::CopyArgs),
    /// Print the console's keys in force (the defaults with your config file's changes) as
    /// the config file's TOML, each with what it does
    Keys,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    /// Write the store (or --tenant's part) by natural keys: JSON, or one CSV table
    Export(interchange::ExportArgs),
    /// Load export documents and CSV files of users, memberships and assignments, as one
    /// change through every rule (--dry-run: a per-row report, nothing saved)
    Import(interchange::ImportArgs),
    /// Compare two stores by natural keys, with the access each user would gain or lose;
    /// exit 1 when they differ
    Diff(interchange::CompareArgs),
    /// Make --to match --from, as one change in --to (--dry-run shows it)
    Sync(interchange::CompareArgs),
    /// Every user × each effective permission, with its scope and first path (CSV or JSON)
    Matrix(interchange::MatrixArgs),
    /// Access nobody uses: dormant users, unused roles and permissions
    #[command(subcommand)]
    Report(report::ReportVerb),
    /// Check access assertions, one per line; exit 1 naming each that does not hold
    Assert(interchange::AssertArgs),
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Global {
    /// The tenant named, else `default`.
    pub fn tenant(&self) -> String {
        self.tenant.clone().unwrap_or_else(|| "default".to_string())
    }
}

/// What every handler needs: the global options, the output, and the clock.
pub struct Context {
    pub global: Global,
    pub out: Output,
    pub clock: SystemClock,
}

impl Context {
    pub fn new(global: Global) -> Self {
        let out = Output::new(global.json);
        Context {
            global,
            out,
            clock: SystemClock,
        }
    }

    pub fn location(&self) -> Result<Location, Error> {
        let location = match &self.global.store {
            Some(text) => given_location(text)?,
            None => Location::default_location()?,
        };
        Ok(location.with_schema(self.global.schema.clone())?)
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            read_only: self.global.read_only,
            ..StoreOptions::from_env()
        }
    }

    /// Opens the existing store.
    pub fn open(&self) -> Result<Store, Error> {
        Ok(Store::open(&self.location()?, self.store_options())?)
    }

    /// Runs a read against the store through the service.
    pub fn read<T>(
        &mut self,
        body: impl FnOnce(&mut Service<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut store = self.open()?;
        let mut service = Service::new(&mut store, &self.clock, self.global.tenant());
        body(&mut service)
    }

    pub fn service<'s>(&'s self, store: &'s mut Store) -> Service<'s> {
        Service::new(store, &self.clock, self.global.tenant())
    }

    /// Opens the store for writing and signs the operator in: an API client's `WARDEN_TOKEN`,
    /// else `--operator` with a password, else the peer operator of a local store. An operator
    /// whose password must be changed may only change it (`allow_must_change`).
    pub fn signed_in(&self, allow_must_change: bool) -> Result<(Store, Operator), Error> {
        if self.global.read_only {
            return Err(Error::Store(crate::store::StoreError::ReadOnly));
        }
        let mut store = self.open()?;
        let operator = {
            let mut service = self.service(&mut store);
            let token = std::env::var("WARDEN_TOKEN").ok().filter(|t| !t.is_empty());
            if token.is_some() && self.global.operator.is_some() {
                return Err(Error::Usage(
                    "both WARDEN_TOKEN and --operator are given; use one way to sign in".into(),
                ));
            }
            match token {
                Some(token) => service.sign_in_token(&token)?,
                None => match &self.global.operator {
                    Some(name) => {
                        let password =
                            secret::operator_password(name, self.global.password_file.as_deref())?;
                        let (operator, must_change) = service.sign_in(name, &password)?;
                        if must_change && !allow_must_change {
                            return Err(Error::refused(
                                crate::service::Rule::MustChangePassword,
                                format!(
                                    "{name} must change their password before anything else: warden passwd --operator {name}"
                                ),
                            ));
                        }
                        operator
                    }
                    None => service.peer_operator()?,
                },
            }
        };
        Ok((store, operator))
    }

    /// Executes commands as the signed-in operator (or rehearses them with `--dry-run`) and
    /// prints the outcome.
    pub fn write(&mut self, commands: Vec<Command>) -> anyhow::Result<i32> {
        self.write_for(commands, &[])
    }

    /// [`Context::write`] for commands on several users: the outcome ends with a per-user
    /// report (done, skipped and why, unchanged), as the console's bulk actions do.
    pub fn write_for(&mut self, commands: Vec<Command>, users: &[String]) -> anyhow::Result<i32> {
        let (mut store, operator) = self.signed_in(false)?;
        let mut service = Service::new(&mut store, &self.clock, self.global.tenant());
        let (outcome, preview) = if self.global.dry_run {
            let (outcome, preview) = service.preview(&operator, &commands)?;
            (outcome, Some(preview))
        } else {
            if !self.global.yes && consent::can_ask() {
                let (rehearsed, preview) = service.preview(&operator, &commands)?;
                if !consent::ask(&rehearsed.summary, &preview)? {
                    self.out.line("cancelled: nothing was changed")?;
                    return Ok(exit::REFUSED);
                }
            }
            (service.execute(&operator, &commands)?, None)
        };
        let report = (users.len() > 1)
            .then(|| crate::service::report::per_user(users, &outcome.changes, &outcome.notes));
        outcome::print_outcome(&mut self.out, &outcome, preview.as_ref(), report.as_deref())?;
        Ok(exit::OK)
    }
}

/// A store named on the command line or in `WARDEN_STORE`. A connection string typed on the
/// command line may not carry a password: no option takes one, since `ps` shows every
/// argument to every user of the machine (`WARDEN_STORE`, `PGPASSWORD` and the password file
/// are read by this process only).
pub fn given_location(text: &str) -> Result<Location, Error> {
    let typed = std::env::args().skip(1).any(|arg| arg.contains(text));
    if typed && crate::store::postgres_target::carries_password(text) {
        return Err(Error::Usage(
            "the connection string on the command line holds a password, which ps shows to \
             every user of this machine: leave it out and give it in PGPASSWORD or the password \
             file (~/.pgpass, mode 0600), or put the whole string in WARDEN_STORE"
                .into(),
        ));
    }
    Ok(Location::parse(text))
}

/// clap value parser for the domain vocabularies (`member`, `end_user`, ...).
pub fn vocabulary<V: Vocabulary>(text: &str) -> Result<V, String> {
    V::parse(text)
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let mut cx = Context::new(cli.global);
    let Some(verb) = cli.verb else {
        use std::io::IsTerminal;
        // The console needs a terminal; piped or redirected, print the verbs instead.
        if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            return Ok(exit::USAGE);
        }
        return crate::tui::run(crate::tui::ConsoleOptions {
            location: cx.location()?,
            store_options: cx.store_options(),
            tenant: cx.global.tenant(),
            config: std::env::var_os("WARDEN_CONFIG").map(std::path::PathBuf::from),
        });
    };
    let code = match verb {
        Verb::Init(args) => setup::init(&mut cx, args),
        Verb::Demo(args) => setup::demo(&mut cx, args),
        Verb::User(verb) => user::run(&mut cx, verb),
        Verb::Group(verb) => group::run(&mut cx, verb),
        Verb::Role(verb) => role::run(&mut cx, verb),
        Verb::Perm(verb) => perm::run(&mut cx, verb),
        Verb::App(verb) => app::run_app(&mut cx, verb),
        Verb::Stage(verb) => app::run_stage(&mut cx, verb),
        Verb::Tenant(verb) => app::run_tenant(&mut cx, verb),
        Verb::Assign(args) => assign::run(&mut cx, args, true),
        Verb::Unassign(args) => assign::run(&mut cx, args, false),
        Verb::Access(args) => access::access(&mut cx, args),
        Verb::Explain(args) => access::explain(&mut cx, args),
        Verb::WhyNot(args) => access::why_not(&mut cx, args),
        Verb::WhoCan(args) => access::who_can(&mut cx, args),
        Verb::Check(args) => access::check(&mut cx, args),
        Verb::Verify(args) => credentials::verify(&mut cx, args),
        Verb::Passwd => credentials::passwd(&mut cx),
        Verb::Policy(verb) => credentials::policy(&mut cx, verb),
        Verb::Token(verb) => credentials::token(&mut cx, verb),
        Verb::Audit(verb) => audit::run(&mut cx, verb),
        Verb::Store(verb) => store::run(&mut cx, verb),
        Verb::Undo { id } => {
            let offer = cx.read(|s| s.newest_undo(id.map(crate::model::AuditId)))?;
            cx.write_for(vec![offer.command], &offer.users)
        }
        Verb::Keys => {
            let path = std::env::var_os("WARDEN_CONFIG")
                .map(std::path::PathBuf::from)
                .or_else(crate::tui::config::default_path);
            let config = crate::tui::config::load(path.as_deref());
            let mut text = String::new();
            for problem in &config.problems {
                let problem = crate::text::terminal_safe(problem);
                text.push_str(&format!("# ignored: {problem}\n"));
            }
            text.push_str(&config.keymap.to_toml());
            cx.out.raw(text.as_bytes())?;
            Ok(exit::OK)
        }
        Verb::Copy(args) => store::copy(&mut cx, args),
        Verb::Export(args) => interchange::export(&mut cx, args),
        Verb::Import(args) => interchange::import(&mut cx, args),
        Verb::Diff(args) => interchange::diff(&mut cx, args),
        Verb::Sync(args) => interchange::sync(&mut cx, args),
        Verb::Matrix(args) => interchange::matrix(&mut cx, args),
        Verb::Report(verb) => report::run(&mut cx, verb),
        Verb::Assert(args) => interchange::assert(&mut cx, args),
        Verb::Completions { shell } => {
            use clap::CommandFactory;
            // Generated into memory: clap_complete panics on a failed write, and a closed
            // pipe (`warden completions bash | head -1`) must end quietly.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "warden", &mut script);
            cx.out.raw(&script)?;
            Ok(exit::OK)
        }
    };
    cx.out.flush()?;
    code
}

/// The exit code for an error that reached the top.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if let Some(e) = error.downcast_ref::<Error>() {
        return e.exit_code();
    }
    if let Some(e) = error.downcast_ref::<crate::store::StoreError>() {
        return crate::service::error::store_exit_code(e);
    }
    exit::UNAVAILABLE
}

/// Whether the error is a closed pipe (`warden user list | head`): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
