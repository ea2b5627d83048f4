//! What the console draws: insta snapshots of every screen at 80x24 and 120x40 through
//! ratatui's TestBackend, and the styles that carry meaning (the selection in reverse video,
//! danger in bold red) checked on the buffer's cells.
#![allow(clippy::unwrap_used)]

mod common;

use common::console::Console;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Snapshots `c`'s screen at both sizes as `<name>_<w>x<h>`.
fn snap(c: &mut Console, name: &str) {
    for (w, h) in SIZES {
        let screen = c.screen(w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

/// Where `needle` first appears on screen (top to bottom), or panics.
fn find(buffer: &Buffer, needle: &str) -> (u16, u16) {
    find_from(buffer, needle, 0)
}

/// The screen row of the table row that starts with `start`.
fn table_row(buffer: &Buffer, start: &str) -> u16 {
    (0..buffer.area.height)
        .find(|&y| {
            let line: String = (1..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            line.starts_with(start)
        })
        .unwrap_or_else(|| panic!("no table row starts with {start:?}"))
}

/// Where `needle` first appears at or right of column `left`.
fn find_from(buffer: &Buffer, needle: &str, left: u16) -> (u16, u16) {
    for y in 0..buffer.area.height {
        let line: String = (left..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        if let Some(at) = line.find(needle) {
            let x = left + line[..at].chars().count() as u16;
            return (x, y);
        }
    }
    panic!("{needle:?} is not on screen")
}

#[test]
fn every_tab_at_both_sizes() {
    let mut c = Console::fixed();
    snap(&mut c, "users");
    c.keys("2");
    snap(&mut c, "groups");
    c.keys("3");
    snap(&mut c, "roles");
    c.keys("4");
    snap(&mut c, "permissions");
    c.keys("5");
    snap(&mut c, "audit");
    c.keys("6");
    snap(&mut c, "apps");
}

#[test]
fn the_effective_pane_follows_the_focused_user() {
    let mut c = Console::fixed();
    // alice is in ops (QA), which holds deployer: shop.orders.ship in QA.
    c.keys("j");
    assert_eq!(c.state.focused_user().unwrap().username, "alice");
    let screen = c.screen(120, 40);
    assert!(screen.contains("shop.orders.ship"), "{screen}");
    snap(&mut c, "effective_alice");
}

#[test]
fn a_form_with_a_validation_error() {
    let mut c = Console::fixed();
    c.keys("n no <Space> spaces <C-s>");
    snap(&mut c, "form_error");
    let screen = c.screen(80, 24);
    assert!(
        screen.contains("' ' is not allowed"),
        "the field's own message: {screen}"
    );
    assert!(
        screen.contains("fix username first"),
        "the form points at it: {screen}"
    );
}

#[test]
fn the_delete_confirm_focuses_cancel() {
    let mut c = Console::fixed();
    c.keys("j <C-d>");
    snap(&mut c, "delete_confirm");
    let terminal = c.render(80, 24);
    let buffer = terminal.backend().buffer();
    // The default button is Cancel, drawn selected; the title warns in danger style.
    let (x, y) = find(buffer, "Cancel");
    assert!(
        buffer[(x, y)].modifier.contains(Modifier::REVERSED),
        "Cancel is the focused button"
    );
    let (x, y) = find(buffer, "Delete");
    assert!(
        !buffer[(x + 1, y)].modifier.contains(Modifier::REVERSED),
        "Delete is not focused"
    );
    let (x, y) = find(buffer, "Delete user alice");
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD));
}

#[test]
fn the_help_overlay_and_its_filter() {
    let mut c = Console::fixed();
    c.keys("?");
    snap(&mut c, "help");
    c.keys("unlock");
    let screen = c.screen(80, 24);
    assert!(screen.contains("unlock the user"), "{screen}");
    assert!(
        !screen.contains("invite a user"),
        "the filter hides other keys: {screen}"
    );
}

#[test]
fn read_only_mode_shows_why_writes_are_disabled() {
    let mut c = Console::open(true);
    snap(&mut c, "read_only");
    c.keys("n");
    let screen = c.screen(80, 24);
    assert!(screen.contains("read-only"), "{screen}");
}

#[test]
fn too_small_is_one_line() {
    let mut c = Console::fixed();
    let screen = c.screen(59, 20);
    assert_eq!(screen.trim(), "terminal too small: 59x20, needs 60x15");
    let screen = c.screen(30, 8);
    assert_eq!(screen.trim(), "terminal too small");
    insta::assert_snapshot!("too_small_30x8", screen);
}

#[test]
fn the_selection_is_reversed_and_a_lock_is_danger() {
    let mut c = Console::fixed();
    c.lock_alice();
    c.keys("<C-r> j");
    assert_eq!(c.state.focused_user().unwrap().username, "alice");
    let terminal = c.render(120, 40);
    let buffer = terminal.backend().buffer();
    // The table's row, inside the left border (the detail pane's title names bob too).
    let (x, y) = (1, table_row(buffer, "alice "));
    for dx in 0..3 {
        assert!(
            buffer[(x + dx, y)].modifier.contains(Modifier::REVERSED),
            "the focused row is reversed"
        );
    }
    let (bx, by) = (1, table_row(buffer, "bob "));
    assert!(
        !buffer[(bx, by)].modifier.contains(Modifier::REVERSED),
        "other rows are not"
    );
    // On alice's row of the table (the detail pane's status line says it too).
    let row: String = (0..buffer.area.width / 2)
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect();
    let at = row.find("locked 15m").expect("the badge is on alice's row");
    let (lx, ly) = (row[..at].chars().count() as u16, y);
    assert_eq!(buffer[(lx, ly)].fg, Color::Red);
    assert!(buffer[(lx, ly)].modifier.contains(Modifier::BOLD));
    snap(&mut c, "locked_user");
}

#[test]
fn no_color_keeps_meaning_in_modifiers_only() {
    let mut c = Console::fixed();
    c.state.theme = warden::tui::theme::Theme::new(false);
    c.keys("j <C-d>");
    let terminal = c.render(80, 24);
    let buffer = terminal.backend().buffer();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "a colour at {x},{y} under NO_COLOR: {:?}/{:?}",
                cell.fg,
                cell.bg
            );
        }
    }
    let (x, y) = find(buffer, "Cancel");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

/// Bytes the real terminal backend writes for one frame after `keys`, at `w` × `h`.
fn bytes_for(c: &mut Console, keys: &str, w: u16, h: u16) -> usize {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    let written = Tally::default();
    let backend = CrosstermBackend::new(written.clone());
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
    };
    let mut terminal = Terminal::with_options(backend, options).unwrap();
    let _ = warden::tui::update::update(&mut c.state, warden::tui::event::Msg::Resize(w, h));
    terminal
        .draw(|frame| warden::tui::view::render(&c.state, frame))
        .unwrap();
    let first = written.count();
    c.keys(keys);
    terminal
        .draw(|frame| warden::tui::view::render(&c.state, frame))
        .unwrap();
    written.count() - first
}

/// A terminal writer that counts what it is given.
#[derive(Clone, Default)]
struct Tally(std::rc::Rc<std::cell::Cell<usize>>);

impl Tally {
    fn count(&self) -> usize {
        self.0.get()
    }
}

impl std::io::Write for Tally {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + bytes.len());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn one_step_down_writes_little() {
    let mut c = Console::fixed();
    let down = bytes_for(&mut c, "j", 120, 40);
    eprintln!("admin → alice: {down} bytes");
    assert!(down <= 2048, "admin → alice wrote {down} bytes");
    let mut c = Console::fixed();
    c.keys("j");
    let down = bytes_for(&mut c, "j", 120, 40);
    eprintln!("alice → bob: {down} bytes");
    assert!(down <= 2048, "alice → bob wrote {down} bytes");
}

/// Every form, picker, confirmation and dialog, each opened on the fixture store, at both
/// sizes: nothing runs into anything else, and nothing is cut mid-word.
#[test]
fn every_form_picker_and_dialog() {
    let cases: &[(&str, &str)] = &[
        ("apps_tab", "6"),
        ("new_user_form", "n"),
        ("edit_user_form", "j e"),
        ("temporary_password_form", "j p"),
        ("new_group_form", "2 n"),
        ("edit_group_form", "2 e"),
        ("new_role_form", "3 n"),
        ("new_role_grants_picker", "3 n shipper <Tab> Shipper <C-s>"),
        ("copy_role_form", "3 c"),
        ("new_permission_form", "4 n"),
        ("new_app_form", "6 n"),
        ("edit_app_form", "6 e"),
        ("assign_picker", "j r"),
        ("replace_picker", "j c"),
        ("why_not_picker", "j w"),
        ("members_picker", "2 m"),
        ("group_roles_picker", "2 r"),
        ("grants_picker", "3 :role <Space> deployer <CR> p"),
        ("includes_picker", "3 :role <Space> deployer <CR> i"),
        ("implies_picker", "4 :perm <Space> shop.orders.ship <CR> i"),
        ("bulk_confirm", "j <Space> <Space> r deployer <CR>"),
        ("group_role_confirm", "2 t deployer <CR>"),
        ("review", "<C-t> j r deployer <CR> R"),
        ("access_list", "j <CR>"),
        ("command_line", ": us"),
        ("quit_confirm", "<C-t> j r deployer <CR> q"),
        ("discard_form_confirm", "n carol <Esc>"),
        ("stages_message", ": stage <CR>"),
        ("policy_picker", ": policy <CR>"),
        ("setting_form", ": policy <CR> min_length <CR>"),
        ("own_password_form", ": passwd <CR>"),
        ("group_detail_message", "2 <CR>"),
        ("unknown_command_status", ": frobnicate <CR>"),
    ];
    for (name, keys) in cases {
        let mut c = Console::fixed();
        c.keys(keys);
        snap(&mut c, name);
    }
}

#[test]
fn the_sign_in_and_first_run_screens() {
    let dir = tempfile::tempdir().unwrap();
    let location = common::console::fixture_store_for(dir.path(), "ops-shell");
    let mut c = Console::over(dir, location, false);
    snap(&mut c, "sign_in");
    // The first run suggests this OS account as the administrator: shown as <os> here.
    let dir = tempfile::tempdir().unwrap();
    let location = warden::store::Location::Sqlite(dir.path().join("new.db"));
    let mut c = Console::over(dir, location, false);
    let os = warden::service::operator::os_account().unwrap();
    for (w, h) in SIZES {
        let screen = c.screen(w, h).replace(&os, "<os>");
        insta::assert_snapshot!(format!("first_run_{w}x{h}"), screen);
    }
}

#[test]
fn at_the_smallest_size_an_empty_lock_column_goes_before_status_and_kind() {
    let mut c = Console::fixed();
    let screen = c.screen(60, 15);
    let header = screen.lines().nth(2).unwrap();
    assert!(
        header.contains("KIND") && header.contains("STATUS"),
        "{screen}"
    );
    assert!(!header.contains("LOCK"), "{screen}");
    // With someone locked, the column is kept.
    c.lock_alice();
    c.keys("<C-r>");
    let screen = c.screen(60, 15);
    assert!(screen.lines().nth(2).unwrap().contains("LOCK"), "{screen}");
}

#[test]
fn help_is_searched_by_what_a_key_does() {
    let mut c = Console::fixed();
    c.keys("? take <Space> roles <Space> away");
    let screen = c.screen(120, 40);
    assert!(screen.contains("take roles away"), "{screen}");
    assert!(!screen.contains("invite a user"), "{screen}");
}

#[test]
fn the_import_review_at_both_sizes() {
    let mut c = Console::fixed();
    let files = tempfile::tempdir().unwrap();
    let csv = files.path().join("people.csv");
    std::fs::write(
        &csv,
        "username,email,kind,display_name\n\
         dave,dave@example.com,end_user,Dave\n\
         erin,not-an-email,end_user,Erin\n\
         frank,frank@example.com,member,\"Frank \u{1b}[2J\"\n",
    )
    .unwrap();
    c.keys(&format!(": import <Space> {} <CR>", csv.display()));
    snap(&mut c, "import_review");
}
