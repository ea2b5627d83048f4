//! Console benchmarks on a `warden demo --users 100000` store (generated once, in a temporary
//! directory), through the real `update` and `render` into a 120x40 TestBackend: a filter
//! keystroke at 100,001 users (the budget is 16 ms, update and render together), a step down
//! the list, and one full-list scan with nucleo (the matcher the console uses) against
//! fuzzy-matcher's skim matcher (the one the design first named). Run with
//! `cargo bench --bench console`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as NucleoConfig, Matcher, Utf32Str};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::model::SystemClock;
use warden::store::StoreOptions;
use warden::tui::config::Config;
use warden::tui::event::Msg;
use warden::tui::state::{State, Tab};
use warden::tui::update::{Effect, update};
use warden::tui::worker::{Backend, Request};

mod common;

const USERS: usize = 100_000;
const SIZE: (u16, u16) = (120, 40);

struct Fixture {
    _dir: tempfile::TempDir,
    state: State,
    terminal: Terminal<TestBackend>,
}

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

fn fixture() -> Fixture {
    let common::Demo {
        _dir: dir,
        location,
        store,
        ..
    } = common::demo_store(USERS, "bench".into());
    // The console opens its own connection.
    drop(store);
    // Read-only: browsing needs no sign-in.
    let options = StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    };
    let mut backend = Backend::new(location, options, "default".into(), Box::new(SystemClock));
    let mut state = State::new(
        Config::default(),
        true,
        "demo.db".into(),
        "default".into(),
        true,
    );
    state.size = SIZE;
    state.pending = 1;
    drive(&mut backend, &mut state, Request::Open);
    assert_eq!(
        state.data.as_ref().map(|d| d.users.len()),
        Some(USERS + 1),
        "loaded"
    );
    let terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    Fixture {
        _dir: dir,
        state,
        terminal,
    }
}

fn key(state: &mut State, code: KeyCode) {
    let _ = update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn frame(f: &mut Fixture) {
    let state = &f.state;
    f.terminal
        .draw(|frame| warden::tui::view::render(state, frame))
        .expect("draw");
}

fn console(c: &mut Criterion) {
    let mut f = fixture();
    frame(&mut f);
    let mut group = c.benchmark_group("console_100k");
    group.measurement_time(Duration::from_secs(10));

    // The first character of a query: every user scanned and the matches ranked.
    key(&mut f.state, KeyCode::Char('/'));
    group.bench_function("filter_first_keystroke", |b| {
        b.iter(|| {
            key(&mut f.state, KeyCode::Char('e'));
            frame(&mut f);
            black_box(f.state.listing(Tab::Users).visible.len());
            // Back to no query (the list's own order: a copy, no scan).
            key(&mut f.state, KeyCode::Backspace);
        })
    });

    // Typing a query letter by letter ("mart"), a frame after each: four keystrokes, the
    // first a full scan, the others narrowing.
    group.bench_function("filter_type_mart_4_keystrokes", |b| {
        b.iter(|| {
            for c in "mart".chars() {
                key(&mut f.state, KeyCode::Char(c));
                frame(&mut f);
            }
            black_box(f.state.listing(Tab::Users).visible.len());
            for _ in 0..4 {
                key(&mut f.state, KeyCode::Backspace);
            }
        })
    });

    // A keystroke that narrows a query ("mar" → "mart"), and the Backspace that goes back to
    // the kept result: two keystrokes per iteration.
    for c in "mar".chars() {
        key(&mut f.state, KeyCode::Char(c));
    }
    group.bench_function("filter_narrow_then_backspace_2_keystrokes", |b| {
        b.iter(|| {
            key(&mut f.state, KeyCode::Char('t'));
            frame(&mut f);
            key(&mut f.state, KeyCode::Backspace);
            frame(&mut f);
            black_box(f.state.listing(Tab::Users).visible.len());
        })
    });
    key(&mut f.state, KeyCode::Esc);
    frame(&mut f);

    // A step down the whole list and back.
    group.bench_function("step_down_and_up_2_keystrokes", |b| {
        b.iter(|| {
            key(&mut f.state, KeyCode::Char('j'));
            frame(&mut f);
            key(&mut f.state, KeyCode::Char('k'));
            frame(&mut f);
        })
    });
    group.finish();

    // The two matchers over the same 100,001 filter texts.
    let haystacks = f.state.data.as_ref().expect("data").haystacks[Tab::Users.index()].clone();
    let mut group = c.benchmark_group("matcher_100k_full_scan");
    group.measurement_time(Duration::from_secs(10));
    for query in ["e", "mar", "garcia active"] {
        group.bench_function(format!("nucleo/{query}"), |b| {
            let mut matcher = Matcher::new(NucleoConfig::DEFAULT);
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut buffer = Vec::new();
            b.iter(|| {
                haystacks
                    .iter()
                    .filter(|h| {
                        pattern
                            .score(Utf32Str::new(h, &mut buffer), &mut matcher)
                            .is_some()
                    })
                    .count()
            })
        });
        group.bench_function(format!("nucleo-greedy/{query}"), |b| {
            let mut matcher = Matcher::new(NucleoConfig::DEFAULT);
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut buffer = Vec::new();
            b.iter(|| {
                haystacks
                    .iter()
                    .filter(|h| {
                        pattern.atoms.iter().all(|atom| {
                            matcher.config.ignore_case = true;
                            matcher
                                .fuzzy_match_greedy(
                                    Utf32Str::new(h, &mut buffer),
                                    atom.needle_text(),
                                )
                                .is_some()
                        })
                    })
                    .count()
            })
        });
        group.bench_function(format!("fuzzy-matcher/{query}"), |b| {
            let matcher = SkimMatcherV2::default();
            b.iter(|| {
                haystacks
                    .iter()
                    .filter(|h| matcher.fuzzy_match(h, query).is_some())
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, console);
criterion_main!(benches);
