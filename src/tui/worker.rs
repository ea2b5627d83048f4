//! The store worker. [`Backend`] owns the store connection and the signed-in operator and
//! answers [`Request`]s with [`Reply`]s through the service — the console calls the same use
//! cases as the CLI and re-implements no rule. In the running console it lives on its own
//! thread, so the screen never waits on a query; the flow tests call it directly.
//!
//! Live refresh: a watcher (`store::watch`: PostgreSQL notifications, SQLite's data version)
//! wakes the worker when anyone commits; the worker compares the store's change marker (the
//! newest audit record and sign-in attempt) with the one it loaded, and reloads when they
//! differ, so its own writes cost no second load. A lost server connection is reported and the
//! watcher reconnects with backoff; the unsaved input on screen is kept. Every two seconds the
//! marker is also compared, should no watcher run.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::access::Engine;
use crate::model::{AuditId, Change, Clock, Timestamp};
use crate::policy::password::{self, Subject};
use crate::policy::{Policy, Secret};
use crate::service::init::{InitRequest, create_store};
use crate::service::operator::os_account;
use crate::service::{Command, Error, Note, Operator, Service};
use crate::store::watch::StoreEvent;
use crate::store::{Location, Store, StoreError, StoreOptions};

use super::intent::Intent;
pub use super::rehearsal::Rehearsal;
use super::rehearsal::rehearse_and_project;
use super::state::{AppRow, Data};

pub enum Request {
    /// Open the store (or find there is none).
    Open,
    /// First run: create the store and its first administrator.
    CreateStore {
        admin: String,
        password: Secret,
    },
    PeerSignIn,
    SignIn {
        username: String,
        password: Secret,
    },
    Load,
    /// Run the commands as one transaction (with what is staged ahead of them).
    Execute {
        commands: Vec<Command>,
        intent: Intent,
    },
    /// Run the commands through every rule and roll back, and project the changes they
    /// would make through the console's engine.
    Rehearse {
        commands: Vec<Command>,
        intent: Intent,
        engine: Option<Arc<Engine>>,
    },
    SetPassword {
        username: String,
        password: Secret,
        temporary: bool,
    },
    /// The operator's own password (`current` when they signed in without it).
    ChangeOwnPassword {
        current: Option<Secret>,
        password: Secret,
    },
    CreateToken {
        client: String,
        name: String,
    },
    /// The API client's tokens, to revoke one.
    Tokens {
        client: String,
    },
    /// The newest change in the store, as an undo.
    NewestUndo,
    /// The audit records (the newest, up to as many as the console keeps) answering a question,
    /// from the whole trail.
    AuditSearch {
        query: crate::service::audit_query::AuditQuery,
    },
    /// Write the whole store as an export document to a file.
    Export {
        path: std::path::PathBuf,
    },
    /// Rehearse importing a file, for its report.
    RehearseImport {
        path: std::path::PathBuf,
        on_conflict: crate::service::interchange::OnConflict,
    },
    /// Import files (as reviewed) for good.
    Import {
        sources: Vec<crate::service::interchange::Source>,
        on_conflict: crate::service::interchange::OnConflict,
    },
    /// What the store's watcher saw (sent by the watcher, not the console: no `Finished`).
    StoreEvent(StoreEvent),
}

/// A write that worked: what it did, for the status line, the report and undo.
#[derive(Clone, Debug)]
pub struct Done {
    pub summary: String,
    /// Items that needed no change, and why.
    pub notes: Vec<Note>,
    pub changes: Vec<Change>,
    /// The audit record written (none when nothing changed).
    pub audit: Option<AuditId>,
}

impl Done {
    /// `subject: reason` for each skipped item.
    pub fn skipped(&self) -> Vec<String> {
        self.notes
            .iter()
            .map(|n| format!("{}: {}", n.subject, n.reason))
            .collect()
    }
}

/// A write that was refused or failed: the service's message, and the field it concerns.
#[derive(Clone, Debug)]
pub struct Refused {
    pub field: Option<&'static str>,
    pub message: String,
    /// Someone else changed the item since it was read: reload, and the edit may be tried
    /// again over what they did.
    pub conflict: bool,
}

pub enum Reply {
    /// The store is open; `peer` names the operator this OS account may continue as.
    Opened {
        peer: Option<String>,
    },
    /// There is no store yet; `admin` is the suggested first administrator.
    NoStore {
        admin: String,
    },
    /// The store cannot be used; nothing was changed.
    Failed(String),
    SignedIn(Operator),
    SignInRefused(String),
    Loaded(Box<Data>),
    Executed {
        intent: Intent,
        result: Result<Done, Refused>,
    },
    Rehearsed {
        intent: Intent,
        result: Result<Rehearsal, Refused>,
    },
    /// Someone else changed the store; fresh data follows.
    ChangedElsewhere,
    /// Others changed only some users: their fresh rows, and the engine brought up to date.
    CaughtUp {
        delta: Box<crate::service::catch_up::Delta>,
        engine: Arc<Engine>,
        at: Timestamp,
    },
    /// The connection to the store's server went; the worker is reconnecting.
    ConnectionLost(String),
    /// Back on the server after a lost connection; fresh data follows.
    Reconnected,
    /// A token just created, to be shown once (its write's `Executed` follows).
    TokenCreated {
        client: String,
        token: Secret,
    },
    Tokens {
        client: String,
        result: Result<Vec<crate::service::credentials::TokenView>, String>,
    },
    UndoOffered(Result<Box<crate::service::undo::UndoOffer>, String>),
    /// Audit records found in the whole trail, to merge with those held.
    AuditFound(Result<Vec<crate::service::query::AuditView>, String>),
    /// An export written (what, where), or why not.
    Exported(Result<String, String>),
    /// A rehearsed import to review, or why it could not be rehearsed.
    ImportRehearsed(Result<Box<super::import::ImportReview>, String>),
    /// Every reply to one request has been sent.
    Finished,
}

pub struct Backend {
    pub(super) location: Location,
    pub(super) options: StoreOptions,
    pub(super) tenant: String,
    pub(super) clock: Box<dyn Clock>,
    pub(super) store: Option<Store>,
    pub(super) operator: Option<Operator>,
    /// The store's change marker as last loaded, to notice other clients' changes.
    pub(super) marker: Option<(i64, i64)>,
    /// The engine of the data last sent, which catching up with other clients' changes to
    /// users brings up to date instead of building it again.
    pub(super) engine: Option<Arc<Engine>>,
    /// Where the store's watcher sends what it sees (the running console's request channel).
    pub(super) waker: Option<Sender<Request>>,
}

fn read_only() -> Refused {
    Refused {
        field: None,
        message: "read-only: sign in to make changes".into(),
        conflict: false,
    }
}

pub(super) fn read_only_refusal(intent: Intent) -> Reply {
    Reply::Executed {
        intent,
        result: Err(read_only()),
    }
}

fn refused(e: Error) -> Refused {
    Refused {
        field: match &e {
            Error::Invalid(field) => Some(field.field),
            _ => None,
        },
        conflict: matches!(
            e,
            Error::Conflict(_) | Error::Store(StoreError::Conflict(_))
        ),
        message: e.to_string(),
    }
}

impl Backend {
    pub fn new(
        location: Location,
        options: StoreOptions,
        tenant: String,
        clock: Box<dyn Clock>,
    ) -> Backend {
        Backend {
            location,
            options,
            tenant,
            clock,
            store: None,
            operator: None,
            marker: None,
            engine: None,
            waker: None,
        }
    }

    /// Has the store watched once it is open, its events sent as requests to `requests`.
    pub fn wake_with(&mut self, requests: Sender<Request>) {
        self.waker = Some(requests);
    }

    pub(super) fn service(&mut self) -> Option<Service<'_>> {
        let store = self.store.as_mut()?;
        Some(Service::new(
            store,
            self.clock.as_ref(),
            self.tenant.clone(),
        ))
    }

    /// Answers one request (some answers come in two parts: a write, then fresh data), then
    /// says it has finished.
    pub fn handle(&mut self, request: Request) -> Vec<Reply> {
        let mut replies = self.answer(request);
        replies.push(Reply::Finished);
        replies
    }

    fn answer(&mut self, request: Request) -> Vec<Reply> {
        match request {
            Request::Open => self.open(),
            Request::CreateStore { admin, password } => self.create(&admin, &password),
            Request::PeerSignIn => match self.service().map(|mut s| s.peer_operator()) {
                Some(Ok(op)) => self.signed_in(op),
                Some(Err(e)) => vec![Reply::SignInRefused(e.to_string())],
                None => vec![Reply::Failed("the store is not open".into())],
            },
            Request::SignIn { username, password } => {
                let result = self.service().map(|mut s| s.sign_in(&username, &password));
                match result {
                    Some(Ok((op, false))) => self.signed_in(op),
                    Some(Ok((op, true))) => vec![Reply::SignInRefused(format!(
                        "{} must change their temporary password first: warden passwd --operator {}",
                        op.username, op.username
                    ))],
                    Some(Err(e)) => vec![Reply::SignInRefused(e.to_string())],
                    None => vec![Reply::Failed("the store is not open".into())],
                }
            }
            Request::Load => vec![self.load()],
            Request::Execute { commands, intent } => {
                let Some(operator) = self.operator.clone() else {
                    return vec![read_only_refusal(intent)];
                };
                let result = self.service().map(|mut s| s.execute(&operator, &commands));
                self.after_write(intent, result)
            }
            Request::Rehearse {
                commands,
                intent,
                engine,
            } => {
                let Some(operator) = self.operator.clone() else {
                    return vec![Reply::Rehearsed {
                        intent,
                        result: Err(read_only()),
                    }];
                };
                let result = match self.service() {
                    Some(mut service) => {
                        rehearse_and_project(&mut service, &operator, &commands, engine.as_deref())
                            .map_err(refused)
                    }
                    None => Err(Refused {
                        field: None,
                        message: "the store is not open".into(),
                        conflict: false,
                    }),
                };
                vec![Reply::Rehearsed { intent, result }]
            }
            Request::StoreEvent(event) => self.on_store_event(event),
            Request::SetPassword {
                username,
                password,
                temporary,
            } => {
                let Some(operator) = self.operator.clone() else {
                    return vec![read_only_refusal(Intent::Apply)];
                };
                let result = self
                    .service()
                    .map(|mut s| s.set_password(&operator, &username, &password, temporary));
                self.after_write(Intent::Apply, result)
            }
            Request::ChangeOwnPassword { current, password } => {
                self.change_own_password(current.as_deref().map(|c| c.as_str()), &password)
            }
            Request::CreateToken { client, name } => self.create_token(&client, &name),
            Request::Tokens { client } => self.tokens(&client),
            Request::NewestUndo => {
                let offer = match self.service() {
                    Some(mut service) => service
                        .newest_undo(None)
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                    None => Err("the store is not open".into()),
                };
                vec![Reply::UndoOffered(offer)]
            }
            Request::Export { path } => self.export_to(&path),
            Request::AuditSearch { query } => {
                let found = match self.service() {
                    Some(mut service) => service
                        .audit_matching(&query, super::state::AUDIT_KEPT as i64, None)
                        .map_err(|e| e.to_string()),
                    None => Err("the store is not open".into()),
                };
                vec![Reply::AuditFound(found)]
            }
            Request::RehearseImport { path, on_conflict } => {
                self.rehearse_import(&path, on_conflict)
            }
            Request::Import {
                sources,
                on_conflict,
            } => self.import(&sources, on_conflict),
        }
    }

    pub(super) fn after_write(
        &mut self,
        intent: Intent,
        result: Option<Result<crate::service::Outcome, Error>>,
    ) -> Vec<Reply> {
        match result {
            Some(Ok(outcome)) => {
                let done = Done {
                    summary: outcome.summary,
                    notes: outcome.notes,
                    changes: outcome.changes,
                    audit: outcome.audit,
                };
                vec![
                    Reply::Executed {
                        intent,
                        result: Ok(done),
                    },
                    self.load(),
                ]
            }
            Some(Err(e)) => vec![Reply::Executed {
                intent,
                result: Err(refused(e)),
            }],
            None => vec![Reply::Failed("the store is not open".into())],
        }
    }

    fn open(&mut self) -> Vec<Reply> {
        match Store::open(&self.location, self.options) {
            Ok(mut store) => {
                // The pages are checked beside the sign-in and the load, not before the first
                // write the operator makes.
                store.check_pages_in_background();
                self.store = Some(store);
                if self.options.read_only {
                    return vec![Reply::Opened { peer: None }, self.load()];
                }
                if let Some(waker) = self.waker.clone() {
                    // Without a watcher the two-second look at the marker still refreshes.
                    let _ =
                        crate::store::watch::watch(&self.location, self.options, move |event| {
                            waker.send(Request::StoreEvent(event)).is_ok()
                        });
                }
                let peer = self
                    .service()
                    .and_then(|mut s| s.peer_operator().ok())
                    .map(|op| op.username);
                vec![Reply::Opened { peer }]
            }
            Err(StoreError::Missing { .. }) if !self.options.read_only => {
                vec![Reply::NoStore {
                    admin: os_account().unwrap_or_else(|_| "admin".into()),
                }]
            }
            Err(e) => vec![Reply::Failed(e.to_string())],
        }
    }

    fn create(&mut self, admin: &str, password: &str) -> Vec<Reply> {
        // The new store's policy is the default one: check before creating anything.
        let policy = Policy::from_values(&Default::default());
        let list = password::check(
            &policy.password,
            password,
            &Subject {
                username: admin,
                email: None,
            },
        );
        if !list.passed() {
            return vec![Reply::SignInRefused(format!(
                "the password does not meet the policy: {}",
                list.summary()
            ))];
        }
        let os = match os_account() {
            Ok(os) => os,
            Err(e) => return vec![Reply::SignInRefused(e.to_string())],
        };
        let request = InitRequest {
            admin: admin.to_string(),
            email: None,
            os_account: os,
        };
        match create_store(&self.location, self.options, &request, self.clock.as_ref()) {
            Ok((store, _, operator)) => {
                self.store = Some(store);
                let set = self
                    .service()
                    .map(|mut s| s.set_password(&operator, &operator.username, password, false));
                if let Some(Err(e)) = set {
                    return vec![Reply::SignInRefused(e.to_string())];
                }
                self.signed_in(operator)
            }
            Err(e) => vec![Reply::SignInRefused(e.to_string())],
        }
    }

    fn signed_in(&mut self, operator: Operator) -> Vec<Reply> {
        self.operator = Some(operator.clone());
        vec![Reply::SignedIn(operator), self.load()]
    }

    /// Everything the console shows, read in one go.
    pub(super) fn load(&mut self) -> Reply {
        let now = self.clock.now();
        let Some(mut service) = self.service() else {
            return Reply::Failed("the store is not open".into());
        };
        let loaded = service.overview(super::state::AUDIT_KEPT as i64).map(|o| {
            let marker = o.marker;
            let mut data = Data {
                apps: AppRow::all(o.apps, &o.permissions, &o.roles),
                users: o.users,
                groups: o.groups,
                roles: o.roles,
                permissions: o.permissions,
                audit: o.audit,
                engine: Arc::new(o.engine),
                policy: o.policy,
                settings: o.settings,
                loaded_at: now,
                haystacks: Default::default(),
                user_rows: Default::default(),
            };
            data.index();
            (data, marker)
        });
        match loaded {
            Ok((data, marker)) => {
                self.marker = Some(marker);
                self.engine = Some(Arc::clone(&data.engine));
                Reply::Loaded(Box::new(data))
            }
            Err(e) => Reply::Failed(e.to_string()),
        }
    }
}

/// How often the worker looks for other consoles' changes.
const POLL: Duration = Duration::from_secs(2);

/// Runs the backend on the current thread until the console goes away.
pub fn serve(
    mut backend: Backend,
    requests: Receiver<Request>,
    replies: Sender<super::event::Msg>,
) {
    loop {
        match requests.recv_timeout(POLL) {
            Ok(Request::StoreEvent(event)) => {
                for reply in backend.on_store_event(event) {
                    if replies.send(super::event::Msg::Reply(reply)).is_err() {
                        return;
                    }
                }
            }
            Ok(request) => {
                for reply in backend.handle(request) {
                    if replies.send(super::event::Msg::Reply(reply)).is_err() {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                for reply in backend.on_store_event(StoreEvent::Changed) {
                    if replies.send(super::event::Msg::Reply(reply)).is_err() {
                        return;
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

impl Backend {
    /// The time, for the console's relative displays.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
