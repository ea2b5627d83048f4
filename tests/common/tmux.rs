//! The real binary in a real terminal: a private tmux server (its own socket, no config,
//! `escape-time 0`) with one pane running warden, typed at and read back. tmux is required;
//! `.ci/run` installs it.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::WARDEN;

/// How long a screen may take to show what a test waits for (debug build, loaded CI machine).
pub const PATIENCE: Duration = Duration::from_secs(20);

static SERVERS: AtomicUsize = AtomicUsize::new(0);

/// A private tmux server with one pane running warden; killed when dropped.
pub struct Pane {
    socket: String,
    pub dir: tempfile::TempDir,
}

impl Pane {
    /// Starts `warden <args>` in a `width` × `height` pane, in a fresh temporary directory
    /// (its `store.db` is the store unless `args` say otherwise).
    pub fn start(args: &str, width: u16, height: u16) -> Pane {
        let dir = tempfile::tempdir().unwrap();
        Pane::start_in(dir, args, width, height)
    }

    pub fn start_in(dir: tempfile::TempDir, args: &str, width: u16, height: u16) -> Pane {
        let store = dir.path().join("store.db").display().to_string();
        Pane::start_with(dir, &[("WARDEN_STORE", &store)], args, width, height)
    }

    /// Starts `warden <args>` with `env` set (the store among it).
    pub fn start_with(
        dir: tempfile::TempDir,
        env: &[(&str, &str)],
        args: &str,
        width: u16,
        height: u16,
    ) -> Pane {
        // `exec` so that the pane's process is warden itself (signals go straight to it).
        Pane::start_command(dir, env, &format!("{WARDEN} {args}"), width, height)
    }

    /// Starts an interactive shell (job control: ctrl-z and `fg` work) with `env` set.
    pub fn shell(dir: tempfile::TempDir, env: &[(&str, &str)], width: u16, height: u16) -> Pane {
        Pane::start_command(dir, env, "bash --norc --noprofile", width, height)
    }

    fn start_command(
        dir: tempfile::TempDir,
        env: &[(&str, &str)],
        program: &str,
        width: u16,
        height: u16,
    ) -> Pane {
        match Command::new("tmux").arg("-V").output() {
            Ok(out) if out.status.success() => {}
            _ => panic!("tmux is needed for the end-to-end console tests: apt-get install tmux"),
        }
        let socket = format!(
            "warden-e2e-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::SeqCst)
        );
        let pane = Pane { socket, dir };
        let settings: Vec<String> = env
            .iter()
            .map(|(name, value)| format!("{name}='{value}'"))
            .collect();
        let command = format!(
            "exec env WARDEN_CONFIG={config} {} {program}",
            settings.join(" "),
            config = pane.path("no-config.toml").display(),
        );
        let (w, h) = (width.to_string(), height.to_string());
        pane.tmux(&[
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "escape-time",
            "0",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &w,
            "-y",
            &h,
            &command,
            ";",
            // Everything warden writes, to check what it leaves the terminal in.
            "pipe-pane",
            "-t",
            "main",
            &format!("cat >> {}", pane.path("output.log").display()),
        ]);
        pane
    }

    /// Everything the pane's process has written so far.
    pub fn output(&self) -> Vec<u8> {
        std::fs::read(self.path("output.log")).unwrap_or_default()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The pane's text now.
    pub fn screen(&self) -> String {
        String::from_utf8(self.tmux(&["capture-pane", "-p", "-t", "main"]).stdout).unwrap()
    }

    /// A tmux format variable of the pane (`pane_dead`, `alternate_on`, ...).
    pub fn var(&self, name: &str) -> String {
        let format = format!("#{{{name}}}");
        let out = self.tmux(&["display-message", "-p", "-t", "main", &format]);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Waits until the screen satisfies `check`, or fails showing the screen.
    pub fn wait(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!("waited {PATIENCE:?} for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits for the pane's process to end and returns its exit status.
    pub fn wait_exit(&self) -> i32 {
        let start = Instant::now();
        loop {
            if self.var("pane_dead") == "1" {
                if let Ok(code) = self.var("pane_dead_status").parse() {
                    return code;
                }
                let signal = self.var("pane_dead_signal");
                assert!(signal.is_empty(), "warden was killed by signal {signal}");
                // Dead but not reaped: Debian's tmux runs libutempter when a pane's terminal
                // closes, and a SIGCHLD arriving while utempter's own handler is in place is
                // lost (tmux/tmux#311). Nudge the server to reap.
                let server = self.var("pid");
                let _ = Command::new("kill").args(["-CHLD", &server]).status();
            }
            if start.elapsed() > PATIENCE {
                panic!("warden did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Presses keys by tmux name (`Enter`, `Tab`, `C-s`, `Escape`).
    pub fn press(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn pid(&self) -> String {
        self.var("pane_pid")
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
