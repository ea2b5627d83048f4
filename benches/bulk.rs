//! Bulk-action benchmarks on a `warden demo --users 100000` store (generated once, in a
//! temporary directory): assigning an end-user role to 10,000 users — the rehearsal through
//! every rule, the engine's projection of it (gains and losses per user with their paths),
//! and the commit — and, with that assignment staged in the console, a cursor move with the
//! live effective pane redrawn. Run with `cargo bench --bench bulk`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::model::{RoleKind, SystemClock, UserKind, UserStatus};
use warden::service::operator::os_account;
use warden::service::{Command, ScopeRef, Service};
use warden::store::StoreOptions;
use warden::tui::config::Config;
use warden::tui::event::Msg;
use warden::tui::intent::Intent;
use warden::tui::rehearsal::rehearse_and_project;
use warden::tui::state::State;
use warden::tui::update::{Effect, update};
use warden::tui::worker::{Backend, Request};

mod common;

const USERS: usize = 100_000;
const BULK: usize = 10_000;

/// Answers `request` and everything `update` asks for in turn, as the worker would.
fn drive(backend: &mut Backend, state: &mut State, request: Request) {
    for reply in backend.handle(request) {
        for effect in update(state, Msg::Reply(reply)) {
            if let Effect::Send(next) = effect {
                drive(backend, state, next);
            }
        }
    }
}

fn bulk(c: &mut Criterion) {
    // This OS account is the peer operator, so the console signs in without a password.
    let common::Demo {
        _dir,
        location,
        mut store,
        ..
    } = common::demo_store(USERS, os_account().expect("OS account"));

    // The console, signed in, with everything loaded.
    let mut backend = Backend::new(
        location.clone(),
        StoreOptions::default(),
        "default".into(),
        Box::new(SystemClock),
    );
    let mut state = State::new(
        Config::default(),
        true,
        "demo.db".into(),
        "default".into(),
        false,
    );
    state.size = (120, 40);
    state.pending = 1;
    drive(&mut backend, &mut state, Request::Open);
    drive(&mut backend, &mut state, Request::PeerSignIn);
    let data = state.data.as_ref().expect("loaded");
    let role = data
        .roles
        .iter()
        .find(|r| r.kind == RoleKind::EndUser)
        .expect("an end-user role")
        .key
        .clone();
    let users: Vec<String> = data
        .users
        .iter()
        .filter(|u| u.kind == UserKind::EndUser && u.status == UserStatus::Active)
        .take(BULK)
        .map(|u| u.username.clone())
        .collect();
    assert_eq!(users.len(), BULK);
    let assign = vec![Command::Assign {
        role: role.clone(),
        users: users.clone(),
        scope: ScopeRef::default(),
    }];
    let unassign = vec![Command::Unassign {
        role,
        users,
        scope: ScopeRef::default(),
    }];

    let clock = SystemClock;
    let mut group = c.benchmark_group("bulk_assign_10k_of_100k");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    {
        let mut service = Service::new(&mut store, &clock, "default");
        let operator = service.peer_operator().expect("peer operator");
        group.bench_function("rehearse (plan through every rule, roll back)", |b| {
            b.iter(|| {
                service
                    .rehearse(&operator, &assign)
                    .expect("rehearsal")
                    .changes
                    .len()
            })
        });
        let rehearsal = service.rehearse(&operator, &assign).expect("rehearsal");
        eprintln!("the bulk assign makes {} changes", rehearsal.changes.len());
        let engine: &warden::access::Engine = &state.data.as_ref().expect("loaded").engine;
        // The projection is dropped later, when the staged list or the bulk confirm goes away,
        // so its drop is not part of the wait.
        group.bench_function("project (preview with paths)", |b| {
            b.iter_with_large_drop(|| {
                warden::tui::staging::project(
                    engine,
                    rehearsal.changes.clone(),
                    rehearsal.notes.clone(),
                )
                .expect("projection")
            })
        });
        // What the operator waits for between picking the role and seeing the preview.
        // The projection starts as soon as the plan exists, beside the rest of the rehearsal.
        group.bench_function("preview (rehearse and project, as the console does)", |b| {
            b.iter_with_large_drop(|| {
                let rehearsal =
                    rehearse_and_project(&mut service, &operator, &assign, Some(engine))
                        .expect("rehearsal");
                rehearsal.projection.expect("projection")
            })
        });
        let p = warden::tui::staging::project(engine, rehearsal.changes.clone(), Vec::new())
            .expect("projection");
        eprintln!(
            "projection: {} users change; {}",
            p.users_changed(),
            p.headline
        );
        group.bench_function("commit (one transaction, one audit record)", |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let start = Instant::now();
                    service.execute(&operator, &assign).expect("commit");
                    spent += start.elapsed();
                    service.execute(&operator, &unassign).expect("reset");
                }
                spent
            })
        });
    }
    group.finish();

    // Staged in the console: a cursor move redraws the live pane from the projection.
    let engine = state
        .data
        .as_ref()
        .map(|d| std::sync::Arc::clone(&d.engine));
    drive(
        &mut backend,
        &mut state,
        Request::Rehearse {
            commands: assign.clone(),
            intent: Intent::Stage { commands: assign },
            engine,
        },
    );
    assert!(
        state.staging.projection.is_some(),
        "staged: {:?}",
        state.status.as_ref().map(|s| &s.text)
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut group = c.benchmark_group("console_with_10k_staged");
    group.bench_function("cursor move + live pane (j then k, 2 frames)", |b| {
        b.iter(|| {
            for code in [KeyCode::Char('j'), KeyCode::Char('k')] {
                let _ = update(
                    &mut state,
                    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
                );
                terminal
                    .draw(|frame| warden::tui::view::render(&state, frame))
                    .expect("draw");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bulk);
criterion_main!(benches);
