//! A console without a terminal: `update` driven by scripted keys, its requests answered by a
//! real store worker over a temporary store, synchronously, and `render` into a TestBackend.
#![allow(dead_code, clippy::unwrap_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

use warden::model::*;
use warden::service::init::{InitRequest, create_store};
use warden::service::{Command, NewUser, Service};
use warden::store::{Location, StoreOptions};
use warden::tui::config::Config;
use warden::tui::event::Msg;
use warden::tui::state::{Screen, State};
use warden::tui::update::{Effect, update};
use warden::tui::worker::{Backend, Request};

/// The fixed time every console test runs at.
pub const NOW: Timestamp = Timestamp(1_795_000_000_000);
pub const ADMIN_PASSWORD: &str = "Blue-Harbour-2026";

pub struct Console {
    pub dir: tempfile::TempDir,
    pub location: Location,
    pub state: State,
    pub backend: Backend,
    /// Text copied with `y`.
    pub copied: Vec<String>,
    pub quit: bool,
    /// While set, requests wait in `held` instead of being answered (a slow store).
    pub hold: bool,
    pub held: Vec<Request>,
}

/// A store with `admin` (password [`ADMIN_PASSWORD`], peer operator of this OS account), an app
/// `shop` with a permission and an end-user role, a group `ops` in QA, and users alice (end
/// user, active, in ops) and bob (end user, invited).
pub fn fixture_store(dir: &std::path::Path) -> Location {
    fixture_store_for(dir, &warden::service::operator::os_account().unwrap())
}

/// [`fixture_store`] with `admin` mapped to OS account `os` (snapshots use a fixed one so they
/// do not depend on who runs the tests).
pub fn fixture_store_for(dir: &std::path::Path, os: &str) -> Location {
    let location = Location::Sqlite(dir.join("console.db"));
    let clock = ManualClock::new(NOW);
    let os = os.to_string();
    let (mut store, _, admin) = create_store(
        &location,
        StoreOptions::default(),
        &InitRequest {
            admin: "admin".into(),
            email: Some("admin@example.com".into()),
            os_account: os,
        },
        &clock,
    )
    .unwrap();
    let mut service = Service::new(&mut store, &clock, "default");
    service
        .set_password(&admin, "admin", ADMIN_PASSWORD, false)
        .unwrap();
    let user = |name: &str, status| {
        Command::AddUser(NewUser {
            username: name.into(),
            email: Some(format!("{name}@example.com")),
            display_name: format!("{} Example", name[..1].to_uppercase() + &name[1..]),
            kind: UserKind::EndUser,
            external_id: None,
            status,
        })
    };
    service
        .execute(
            &admin,
            &[
                Command::AddApp {
                    key: "shop".into(),
                    name: "Shop".into(),
                    description: String::new(),
                },
                Command::AddPermission {
                    key: "shop.orders.ship".into(),
                    name: "Ship orders".into(),
                    app: "shop".into(),
                    section: None,
                    description: String::new(),
                },
                Command::AddRole(warden::service::NewRole {
                    key: "deployer".into(),
                    name: "Deployer".into(),
                    description: "Ships orders".into(),
                    kind: RoleKind::EndUser,
                    app: Some("shop".into()),
                    grants: vec!["shop.orders.ship".into()],
                    grant_scope: Default::default(),
                    includes: vec![],
                }),
                Command::AddGroup {
                    name: "ops".into(),
                    stage: "QA".into(),
                    description: "Operations".into(),
                },
                Command::AddGroupRoles {
                    group: warden::service::GroupRef {
                        name: "ops".into(),
                        stage: None,
                    },
                    roles: vec!["deployer".into()],
                },
                user("alice", UserStatus::Active),
                user("bob", UserStatus::Invited),
                Command::AddMembers {
                    group: warden::service::GroupRef {
                        name: "ops".into(),
                        stage: None,
                    },
                    users: vec!["alice".into()],
                },
            ],
        )
        .unwrap();
    location
}

impl Console {
    /// A console over the fixture store, not signed in yet (on the sign-in screen).
    pub fn open(read_only: bool) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let location = fixture_store(dir.path());
        Console::over(dir, location, read_only)
    }

    pub fn over(dir: tempfile::TempDir, location: Location, read_only: bool) -> Console {
        Console::over_with(dir, location, read_only, Config::default())
    }

    /// A console over the fixture store with these settings, not signed in yet.
    pub fn open_with(config: Config) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let location = fixture_store(dir.path());
        Console::over_with(dir, location, false, config)
    }

    pub fn over_with(
        dir: tempfile::TempDir,
        location: Location,
        read_only: bool,
        config: Config,
    ) -> Console {
        let options = StoreOptions {
            read_only,
            ..StoreOptions::default()
        };
        let backend = Backend::new(
            location.clone(),
            options,
            "default".into(),
            Box::new(ManualClock::new(NOW)),
        );
        let mut state = State::new(
            config,
            true,
            "console.db".into(),
            "default".into(),
            read_only,
        );
        state.now = NOW;
        state.size = (120, 40);
        let mut console = Console {
            dir,
            location,
            state,
            backend,
            copied: Vec::new(),
            quit: false,
            hold: false,
            held: Vec::new(),
        };
        console.state.pending = 1;
        console.answer(Request::Open);
        console
    }

    /// A console signed in as admin with a password.
    pub fn signed_in() -> Console {
        Console::signed_in_over(Console::open(false))
    }

    /// Signs in as admin with a password from the sign-in screen.
    pub fn sign_in(self) -> Console {
        Console::signed_in_over(self)
    }

    /// Signed in as admin with a password over a store whose every string is the same on any
    /// machine (for snapshots).
    pub fn fixed() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let location = fixture_store_for(dir.path(), "ops-shell");
        Console::signed_in_over(Console::over(dir, location, false))
    }

    fn signed_in_over(mut c: Console) -> Console {
        // With a peer shortcut on offer, Tab first moves from it to the form.
        let peer = matches!(&c.state.screen, Screen::SignIn(s) if s.peer.is_some());
        let skip = if peer { "<Tab>" } else { "" };
        c.keys(&format!("{skip} admin <Tab> {ADMIN_PASSWORD} <CR>"));
        assert!(
            matches!(c.state.screen, Screen::Main),
            "not signed in: {:?}",
            c.state.status
        );
        c
    }

    /// Answers the requests held so far (and whatever they lead to).
    pub fn release(&mut self) {
        self.hold = false;
        for request in std::mem::take(&mut self.held) {
            self.answer(request);
        }
    }

    fn answer(&mut self, request: Request) {
        if self.hold {
            self.held.push(request);
            return;
        }
        for reply in self.backend.handle(request) {
            let effects = update(&mut self.state, Msg::Reply(reply));
            self.run(effects);
        }
    }

    /// What the console does when its store watcher says someone committed.
    pub fn store_changed(&mut self) {
        let replies = self
            .backend
            .on_store_event(warden::store::watch::StoreEvent::Changed);
        for reply in replies {
            let effects = update(&mut self.state, Msg::Reply(reply));
            self.run(effects);
        }
    }

    fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(request) => self.answer(request),
                Effect::Quit => self.quit = true,
                Effect::Suspend => {}
                Effect::Copy(text) => self.copied.push(text.as_str().to_string()),
            }
        }
    }

    pub fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let event = KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        let effects = update(&mut self.state, Msg::Key(event));
        self.run(effects);
    }

    /// Runs a key script: words separated by blanks; `<CR>`, `<Tab>`, `<S-Tab>`, `<Esc>`,
    /// `<Space>`, `<BS>`, `<Up>`, `<Down>`, `<Left>`, `<Right>`, `<Del>`, `<C-x>`; any other word
    /// is typed character by character.
    pub fn keys(&mut self, script: &str) {
        for word in script.split_whitespace() {
            let special = match word {
                "<CR>" => Some((KeyCode::Enter, KeyModifiers::NONE)),
                "<Tab>" => Some((KeyCode::Tab, KeyModifiers::NONE)),
                "<S-Tab>" => Some((KeyCode::BackTab, KeyModifiers::SHIFT)),
                "<Esc>" => Some((KeyCode::Esc, KeyModifiers::NONE)),
                "<Space>" => Some((KeyCode::Char(' '), KeyModifiers::NONE)),
                "<BS>" => Some((KeyCode::Backspace, KeyModifiers::NONE)),
                "<Up>" => Some((KeyCode::Up, KeyModifiers::NONE)),
                "<Down>" => Some((KeyCode::Down, KeyModifiers::NONE)),
                "<Left>" => Some((KeyCode::Left, KeyModifiers::NONE)),
                "<Right>" => Some((KeyCode::Right, KeyModifiers::NONE)),
                "<Del>" => Some((KeyCode::Delete, KeyModifiers::NONE)),
                w if w.starts_with("<C-") && w.ends_with('>') && w.chars().count() == 5 => Some((
                    KeyCode::Char(w.chars().nth(3).unwrap()),
                    KeyModifiers::CONTROL,
                )),
                _ => None,
            };
            match special {
                Some((code, mods)) => self.key(code, mods),
                None => {
                    for c in word.chars() {
                        let mods = if c.is_uppercase() {
                            KeyModifiers::SHIFT
                        } else {
                            KeyModifiers::NONE
                        };
                        self.key(KeyCode::Char(c), mods);
                    }
                }
            }
        }
    }

    /// Renders into a `width` × `height` test terminal.
    pub fn render(&mut self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let effects = update(&mut self.state, Msg::Resize(width, height));
        self.run(effects);
        terminal
            .draw(|frame| warden::tui::view::render(&self.state, frame))
            .unwrap();
        terminal
    }

    /// The screen as text (one line per row, trailing blanks trimmed).
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        let terminal = self.render(width, height);
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Gives alice a password, then five wrong attempts lock her for 15 minutes (from another
    /// client: the console sees it on its next reload).
    pub fn lock_alice(&self) {
        self.service_check(|s| {
            let (admin, _) = s.sign_in("admin", ADMIN_PASSWORD).unwrap();
            s.set_password(&admin, "alice", "Green-Meadow-2026", false)
                .unwrap();
            for _ in 0..5 {
                assert!(
                    s.verify_password(
                        "alice",
                        "Not-Her-Password-1",
                        warden::model::SignInVia::Operator
                    )
                    .is_err()
                );
            }
        });
    }

    /// A service over the same store, to check what the console did.
    pub fn service_check<T>(&self, body: impl FnOnce(&mut Service<'_>) -> T) -> T {
        let clock = ManualClock::new(NOW);
        let mut store =
            warden::store::Store::open(&self.location, StoreOptions::default()).unwrap();
        let mut service = Service::new(&mut store, &clock, "default");
        body(&mut service)
    }

    pub fn status(&self) -> String {
        self.state
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }
}
