//! The one channel into the console's loop: keys, resizes, the store worker's replies, ticks
//! and signals.

use ratatui::crossterm::event::KeyEvent;

use super::worker::Reply;
use crate::model::Timestamp;

pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    Reply(Reply),
    /// Time passes (spinner, lock countdowns).
    Tick(Timestamp),
    Signal(Signal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The terminal went away (SSH dropped).
    Hangup,
    Terminate,
}
