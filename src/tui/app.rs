//! The console's loop, the one impure place: it owns the terminal, starts the input, signal and
//! store-worker threads, feeds every message to `update`, carries out the effects, and draws
//! only when something changed. Bursts of input are drained before drawing once; output goes
//! through one buffer flushed per frame; an idle console writes nothing. The terminal is
//! restored on quit, on panic, and on SIGHUP, SIGTERM and SIGINT; Ctrl-z suspends.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use base64::Engine as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

use super::ConsoleOptions;
use super::config;
use super::event::{Msg, Signal};
use super::state::State;
use super::update::{Effect, update};
use super::view::render;
use super::worker::{Backend, Request, serve};
use crate::model::{Clock, SystemClock};

type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Puts the terminal back as it was: leave the alternate screen, show the cursor, cooked mode.
/// Errors are ignored: after a hang-up there may be no terminal left to write to.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

fn enter_terminal() -> io::Result<Term> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, io::stdout()));
    Terminal::new(backend)
}

/// Restores the terminal when dropped, however the loop ends.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(key)) => Msg::Key(key),
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                // The terminal is gone (hang-up): say so and stop.
                Err(_) => Msg::Signal(Signal::Hangup),
            };
            let stop = matches!(msg, Msg::Signal(_));
            if tx.send(msg).is_err() || stop {
                return;
            }
        }
    });
}

fn spawn_signals(tx: Sender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let msg = if signal == SIGHUP {
                Signal::Hangup
            } else {
                Signal::Terminate
            };
            if tx.send(Msg::Signal(msg)).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// OSC 52: the terminal (and tmux, and most SSH clients) put the text on the clipboard.
fn copy(terminal: &mut Term, text: &str) -> io::Result<()> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let writer = terminal.backend_mut();
    write!(writer, "\x1b]52;c;{encoded}\x07")?;
    writer.flush()
}

/// Gives the terminal back, stops until continued (`fg`), then takes it again with a blank
/// screen and a new `Terminal`, so the next frame is drawn whole. (Not `Terminal::clear`: it
/// asks the terminal for the cursor position, and the input thread, reading the same input,
/// takes the answer — the console then failed with "the cursor position could not be read".)
fn suspend(terminal: &mut Term) -> io::Result<()> {
    restore_terminal();
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        cursor::Hide,
        ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
    )?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, io::stdout()));
    *terminal = Terminal::new(backend)?;
    Ok(())
}

/// How long the loop waits for a message when nothing animates.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// The spinner's pace while the store works.
const BUSY_WAIT: Duration = Duration::from_millis(120);

pub fn run(options: ConsoleOptions) -> anyhow::Result<i32> {
    let config = config::load(
        options
            .config
            .as_deref()
            .or(config::default_path().as_deref()),
    );
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let clock = SystemClock;
    let mut state = State::new(
        config,
        colour,
        options.location.describe(),
        options.tenant.clone(),
        options.store_options.read_only,
    );
    state.now = clock.now();

    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        default_hook(info);
    }));
    let _guard = Guard;
    let mut terminal = enter_terminal()?;
    let size = terminal.size()?;
    state.size = (size.width, size.height);

    let (tx, rx) = mpsc::channel::<Msg>();
    spawn_input(tx.clone());
    spawn_signals(tx.clone())?;
    let (requests, worker_requests) = mpsc::channel::<Request>();
    let mut backend = Backend::new(
        options.location.clone(),
        options.store_options,
        options.tenant.clone(),
        Box::new(SystemClock),
    );
    backend.wake_with(requests.clone());
    let worker_tx = tx.clone();
    std::thread::spawn(move || serve(backend, worker_requests, worker_tx));
    drop(tx);

    state.pending = 1;
    requests.send(Request::Open)?;
    terminal.draw(|frame| render(&state, frame))?;
    state.dirty = false;

    loop {
        let wait = if state.pending > 0 {
            BUSY_WAIT
        } else {
            IDLE_WAIT
        };
        let first = match rx.recv_timeout(wait) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => Msg::Tick(clock.now()),
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Drain what else has arrived: a burst of keys costs one frame.
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        // Keep the clock current under steady input too (lock badges are relative to it).
        if !matches!(batch.last(), Some(Msg::Tick(_))) {
            batch.push(Msg::Tick(clock.now()));
        }
        for msg in batch {
            for effect in update(&mut state, msg) {
                match effect {
                    Effect::Send(request) => {
                        if requests.send(request).is_err() {
                            state.quit = true;
                        }
                    }
                    Effect::Quit => state.quit = true,
                    Effect::Suspend => {
                        suspend(&mut terminal)?;
                        state.dirty = true;
                    }
                    Effect::Copy(text) => copy(&mut terminal, text.as_str())?,
                }
            }
            if state.quit {
                break;
            }
        }
        if state.quit {
            break;
        }
        if state.dirty {
            terminal.draw(|frame| render(&state, frame))?;
            state.dirty = false;
        }
    }
    drop(terminal);
    Ok(0)
}
