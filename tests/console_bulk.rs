//! Marks, filter terms, bulk actions, staged edits, live previews and undo in the console,
//! through `update` with the real store worker answering.
#![allow(clippy::unwrap_used)]

mod common;

use common::console::{ADMIN_PASSWORD, Console};
use warden::access::{Atom, Engine};
use warden::model::*;
use warden::service::{Command, GroupRef, NewUser, Service};
use warden::tui::overlay::Overlay;
use warden::tui::state::Tab;

/// The fixture console with five more active end users, team1 … team5.
fn with_team() -> Console {
    let mut c = Console::signed_in();
    as_admin(&c, |s, admin| {
        let commands: Vec<Command> = (1..=5)
            .map(|i| {
                Command::AddUser(NewUser {
                    username: format!("team{i}"),
                    email: None,
                    display_name: format!("Team Member {i}"),
                    kind: UserKind::EndUser,
                    external_id: None,
                    status: UserStatus::Active,
                })
            })
            .collect();
        s.execute(admin, &commands).unwrap();
    });
    c.keys("<C-r>");
    c
}

/// Runs `body` as admin signed in with a password, from another connection (another client).
fn as_admin<T>(
    c: &Console,
    body: impl FnOnce(&mut Service<'_>, &warden::service::Operator) -> T,
) -> T {
    c.service_check(|s| {
        let (admin, _) = s.sign_in("admin", ADMIN_PASSWORD).unwrap();
        body(s, &admin)
    })
}

fn audit_count(c: &Console) -> usize {
    c.service_check(|s| s.audit(100_000, None).unwrap().len())
}

fn visible_names(c: &Console) -> Vec<String> {
    let data = c.state.data.as_ref().unwrap();
    c.state
        .listing(Tab::Users)
        .visible
        .iter()
        .map(|&r| data.users[r as usize].username.clone())
        .collect()
}

/// What `user` gains and loses going from `before` to `after`, judged by `check`: an atom is
/// gained when `after` reports it and `before` does not cover it, and lost the other way.
fn engine_diff(before: &Engine, after: &Engine, user: UserId) -> (Vec<Atom>, Vec<Atom>) {
    let atoms = |e: &Engine| e.atoms(&e.effective(user).unwrap_or_default());
    let mut gained: Vec<Atom> = atoms(after)
        .into_iter()
        .filter(|a| !before.check(user, a.permission, a.scope))
        .collect();
    let mut lost: Vec<Atom> = atoms(before)
        .into_iter()
        .filter(|a| !after.check(user, a.permission, a.scope))
        .collect();
    gained.sort();
    lost.sort();
    (gained, lost)
}

#[test]
fn a_bulk_assign_reaches_hidden_marks_and_its_preview_is_what_the_commit_does() {
    let mut c = with_team();
    c.keys("/ team <CR>");
    assert_eq!(
        visible_names(&c),
        ["team1", "team2", "team3", "team4", "team5"]
    );
    // Mark three; then narrow the filter so one of them is hidden.
    c.keys("<Space> <Space> <Space>");
    assert_eq!(c.state.marks.len(), 3);
    c.keys("/ <C-u> team <Space> !team3 <CR>");
    assert_eq!(visible_names(&c), ["team1", "team2", "team4", "team5"]);
    assert_eq!(c.state.marks.describe(), "3 marked (1 hidden by filter)");
    let screen = c.screen(120, 40);
    assert!(screen.contains("3 marked (1 hidden by filter)"), "{screen}");

    // Assign deployer (at organization: every stage) to the marked users: planned, previewed, confirmed.
    c.keys("r deployer <CR>");
    let Some(Overlay::Bulk(bulk)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(bulk.reach(), "3 users (1 hidden by filter)");
    assert_eq!(bulk.projection.users_changed(), 3);
    assert!(
        bulk.required.is_none(),
        "3 users and nothing sensitive: no count to type"
    );
    let preview = bulk.projection.users.clone();
    let screen = c.screen(120, 40);
    assert!(
        screen.contains("for 3 users (1 hidden by filter)"),
        "{screen}"
    );
    assert!(screen.contains("+ shop.orders.ship"), "{screen}");
    let before_engine = c.state.data.as_ref().unwrap().engine.clone();
    let audit = audit_count(&c);

    // Enter on the focused Cancel does nothing; Tab Tab reaches Commit.
    c.keys("<CR>");
    assert!(c.state.overlays.is_empty());
    assert_eq!(audit_count(&c), audit);
    c.keys("r deployer <CR> <Tab> <Tab> <CR>");
    assert_eq!(audit_count(&c), audit + 1, "exactly one audit record");
    let Some(Overlay::Message(report)) = c.state.overlays.last() else {
        panic!("a report: {}", c.status());
    };
    assert_eq!(
        report.lines[0].split(" · ").next().unwrap(),
        "3 done, 0 skipped, 0 unchanged"
    );
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.starts_with("done       team3: assign")),
        "{:?}",
        report.lines
    );
    assert!(c.state.marks.is_empty(), "marks are cleared on success");

    // The preview equals the engine's diff after the commit.
    let after_engine = &c.state.data.as_ref().unwrap().engine;
    for (user, projected) in &preview {
        let (gained, lost) = engine_diff(&before_engine, after_engine, *user);
        let mut p_gained: Vec<Atom> = projected.gained.clone();
        let mut p_lost: Vec<Atom> = projected.lost.clone();
        p_gained.sort();
        p_lost.sort();
        assert_eq!(p_gained, gained, "user {user:?}");
        assert_eq!(p_lost, lost, "user {user:?}");
    }
}

#[test]
fn staged_edits_unstage_review_commit_and_undo_restore_the_store() {
    let mut c = Console::signed_in();
    let warden::store::Location::Sqlite(path) = c.location.clone() else {
        panic!("a SQLite fixture");
    };
    let before = common::store_state(&path);
    c.keys("<C-t>");
    assert!(c.state.staging.on);
    // 1: alice gets deployer at QA (picker, Tab to the first stage after "organization").
    c.keys("j r deployer <Tab> <Tab> <CR>");
    // 2: bob joins ops (from the Groups tab).
    c.keys("2 m bob <CR>");
    // 3: a new user through the form.
    c.keys("1 n dave <C-s>");
    assert_eq!(c.state.staging.edits.len(), 3, "{}", c.status());
    assert_eq!(common::store_state(&path), before, "staged is not written");
    let summary = c.state.staging.summary().unwrap();
    assert!(
        summary.starts_with("3 staged edits: assign 1 · add-member 1 · add-user 1"),
        "{summary}"
    );

    // Review, unstage the third, commit the two left.
    c.keys("R");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Review(_))));
    c.keys("j j x");
    assert_eq!(c.state.staging.edits.len(), 2);
    let screen = c.screen(120, 40);
    assert!(screen.contains("2 staged edits"), "{screen}");
    let audit = audit_count(&c);
    // Committing goes through the same gate as any change to access: previewed, Cancel first.
    c.keys("c");
    let Some(Overlay::Bulk(commit)) = c.state.overlays.last() else {
        panic!("a commit confirmation: {}", c.status());
    };
    assert_eq!(commit.draft.kind, warden::tui::intent::DraftKind::Staged);
    assert_eq!(
        commit.buttons().len(),
        2,
        "what is staged is committed or not"
    );
    let alice = commit.projection.order.first().copied().unwrap();
    assert_eq!(
        commit.projection.username(alice),
        "alice",
        "alice gains deployer's grants"
    );
    c.keys("<CR>");
    assert_eq!(audit_count(&c), audit, "cancelled");
    assert_eq!(c.state.staging.edits.len(), 2, "still staged");
    c.keys("R c <Tab> <CR>");
    assert_eq!(audit_count(&c), audit + 1, "one transaction, one record");
    assert!(c.state.staging.is_empty());
    assert!(
        c.service_check(|s| s.user_detail("dave")).is_err(),
        "the unstaged edit was not made"
    );
    assert_eq!(
        c.service_check(|s| s.user_detail("bob").unwrap().groups.len()),
        1
    );

    // Undo: previewed, confirmed, committed as a new record; the store is as it was.
    c.keys("U");
    let Some(Overlay::Bulk(undo)) = c.state.overlays.last() else {
        panic!("an undo confirmation: {}", c.status());
    };
    assert_eq!(undo.draft.kind, warden::tui::intent::DraftKind::Undo);
    assert_eq!(undo.buttons().len(), 2, "an undo is not staged");
    c.keys("<Tab> <CR>");
    assert_eq!(audit_count(&c), audit + 2);
    assert_eq!(common::store_state(&path), before);
}

#[test]
fn a_commit_that_fails_part_way_applies_nothing_says_who_and_keeps_the_marks() {
    let mut c = with_team();
    c.keys("/ team <CR> <Space> <Space>");
    assert_eq!(c.state.marks.len(), 2);
    c.keys("r deployer <CR>");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))));
    // Meanwhile another client deletes team2.
    as_admin(&c, |s, admin| {
        s.execute(
            admin,
            &[Command::DeleteUsers {
                users: vec!["team2".into()],
            }],
        )
        .unwrap();
    });
    let audit = audit_count(&c);
    c.keys("<Tab> <Tab> <CR>");
    let Some(Overlay::Message(message)) = c.state.overlays.last() else {
        panic!("a message: {}", c.status());
    };
    assert!(
        message.title.contains("nothing was committed"),
        "{}",
        message.title
    );
    assert!(
        message.lines[0].contains("team2"),
        "says which user: {:?}",
        message.lines
    );
    assert_eq!(audit_count(&c), audit);
    assert!(
        c.service_check(|s| s.user_detail("team1").unwrap().roles.is_empty()),
        "nothing applied"
    );
    assert_eq!(c.state.marks.len(), 2, "the marks are kept");
}

#[test]
fn filter_terms_select_by_group_role_status_kind_and_lock() {
    let mut c = Console::signed_in();
    c.keys("/ group:ops <CR>");
    assert_eq!(visible_names(&c), ["alice"]);
    c.keys("/ <C-u> role:deployer <CR>");
    assert_eq!(visible_names(&c), ["alice"], "through the group ops");
    c.keys("/ <C-u> status:invited <CR>");
    assert_eq!(visible_names(&c), ["bob"]);
    c.keys("/ <C-u> kind:member <CR>");
    assert_eq!(visible_names(&c), ["admin"]);
    c.keys("/ <C-u> stage:QA <Space> status:active <CR>");
    assert_eq!(visible_names(&c), ["alice"]);
    c.keys("/ <C-u> locked <CR>");
    assert!(visible_names(&c).is_empty());
    // A name that matches nothing says so while typing.
    c.keys("/ <C-u> group:nope");
    assert_eq!(
        c.state.listing(Tab::Users).problems,
        ["no group named nope"]
    );
    let screen = c.screen(120, 40);
    assert!(screen.contains("no group named nope"), "{screen}");
    c.keys("<Esc>");
    assert_eq!(visible_names(&c).len(), 3);
}

#[test]
fn marks_are_ids_that_survive_sorting_filtering_and_reloads() {
    let mut c = with_team();
    // v … v marks a range; * marks everything shown; ~ inverts what is shown.
    c.keys("/ team <CR> v j j v");
    assert_eq!(c.state.marks.len(), 3, "team1..team3: {}", c.status());
    c.keys("S");
    c.keys("<C-r>");
    c.keys("/ <C-u> alice <CR>");
    assert_eq!(c.state.marks.describe(), "3 marked (3 hidden by filter)");
    c.keys("*");
    assert_eq!(c.state.marks.len(), 4);
    c.keys("~");
    assert_eq!(c.state.marks.len(), 3, "alice unmarked again");
    // Esc clears the filter first, then the marks.
    c.keys("<Esc>");
    assert_eq!(c.state.marks.len(), 3);
    c.keys("<Esc>");
    assert!(c.state.marks.is_empty());
}

#[test]
fn the_effective_pane_and_the_detail_panes_preview_staged_edits() {
    let mut c = Console::signed_in();
    c.keys("<C-t> j r deployer <CR>");
    assert_eq!(c.state.staging.edits.len(), 1, "{}", c.status());
    // alice holds shop.orders.ship at QA through ops; deployer everywhere widens it.
    let screen = c.screen(120, 40);
    assert!(screen.contains("staged: +1 −0"), "{screen}");
    assert!(screen.contains("+shop.orders.ship"), "{screen}");
    assert!(
        screen.contains("1 staged edit: assign 1 — affects 1 user"),
        "{screen}"
    );
    c.keys("3 j");
    assert_eq!(c.state.focused_role().unwrap().key, "deployer");
    let screen = c.screen(120, 40);
    assert!(
        screen.contains("held by   1: 0 direct, 1 via groups, 0 via inclusion"),
        "{screen}"
    );
    assert!(
        screen.contains("staged    1 users change, 1 holding it"),
        "{screen}"
    );
    c.keys("2");
    let screen = c.screen(120, 40);
    assert!(screen.contains("1 of its members"), "{screen}");
    // Moving the cursor needs nothing from the store.
    c.keys("1 k j");
    assert_eq!(c.state.pending, 0);
}

#[test]
fn enter_lists_a_users_permissions_and_explains_one() {
    let mut c = Console::signed_in();
    c.keys("j <CR>");
    let Some(Overlay::Access(list)) = c.state.overlays.last() else {
        panic!("an access list");
    };
    assert_eq!(list.username, "alice");
    assert_eq!(list.items.len(), 1);
    c.keys("<CR>");
    let Some(Overlay::Message(m)) = c.state.overlays.last() else {
        panic!("an explanation");
    };
    assert!(m.lines[0].starts_with("1 path"), "{:?}", m.lines);
    assert!(m.lines[1].contains("group ops"), "{:?}", m.lines);
}

#[test]
fn why_not_names_the_nearest_missing_edges() {
    let mut c = Console::signed_in();
    c.keys("j j w shop.orders.ship <CR>");
    let Some(Overlay::Message(m)) = c.state.overlays.last() else {
        panic!("an answer: {}", c.status());
    };
    assert!(
        m.lines[0].contains("bob does not hold shop.orders.ship"),
        "{:?}",
        m.lines
    );
    assert!(
        m.lines.iter().any(|l| l.contains("bob were active")),
        "{:?}",
        m.lines
    );
}

#[test]
fn the_console_keeps_taking_keys_while_a_commit_runs() {
    let mut c = with_team();
    c.keys("/ team <CR> * r deployer <CR>");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))));
    c.hold = true;
    c.keys("<Tab> <Tab> <CR>");
    assert_eq!(c.state.pending, 1, "the commit is on its way");
    let cursor = c.state.listing(Tab::Users).cursor;
    c.keys("j");
    assert_eq!(
        c.state.listing(Tab::Users).cursor,
        cursor + 1,
        "keys still move the cursor"
    );
    let screen = c.screen(120, 40);
    assert!(screen.contains("working"), "a spinner shows: {screen}");
    c.release();
    assert_eq!(c.state.pending, 0);
    assert!(c.status().starts_with("committed"), "{}", c.status());
}

#[test]
fn many_users_must_be_confirmed_by_typing_their_count() {
    let mut c = Console::signed_in();
    as_admin(&c, |s, admin| {
        let commands: Vec<Command> = (0..60)
            .map(|i| {
                Command::AddUser(NewUser {
                    username: format!("bulk{i:02}"),
                    email: None,
                    display_name: String::new(),
                    kind: UserKind::EndUser,
                    external_id: None,
                    status: UserStatus::Active,
                })
            })
            .collect();
        s.execute(admin, &commands).unwrap();
    });
    c.keys("<C-r> / bulk <CR> * 2 <Esc> 1");
    assert_eq!(c.state.marks.len(), 60);
    c.keys("m ops <CR>");
    let Some(Overlay::Bulk(bulk)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(bulk.required, Some(60));
    let audit = audit_count(&c);
    c.keys("<Tab> <Tab> <CR>");
    assert_eq!(audit_count(&c), audit, "not without the count");
    c.keys("6 0 <CR>");
    assert_eq!(audit_count(&c), audit + 1);
    let members = c.service_check(|s| {
        s.group_detail(&GroupRef {
            name: "ops".into(),
            stage: None,
        })
        .unwrap()
        .members
        .len()
    });
    assert_eq!(members, 61);
}

#[test]
fn a_rehearsal_projects_early_and_remakes_the_projection_when_applying_gives_ids() {
    use warden::service::ScopeRef;
    use warden::tui::rehearsal::rehearse_and_project;
    let c = with_team();
    let engine = std::sync::Arc::clone(&c.state.data.as_ref().unwrap().engine);
    let audited = audit_count(&c);
    let assign = Command::Assign {
        role: "deployer".into(),
        users: vec!["team1".into(), "team2".into()],
        scope: ScopeRef::default(),
    };
    let newcomer = Command::AddUser(NewUser {
        username: "newcomer".into(),
        email: None,
        display_name: "New Comer".into(),
        kind: UserKind::EndUser,
        external_id: None,
        status: UserStatus::Active,
    });
    as_admin(&c, |s, admin| {
        // The plan is the final list: the early projection is the one kept.
        let plain = s.rehearse(admin, std::slice::from_ref(&assign)).unwrap();
        let r =
            rehearse_and_project(s, admin, std::slice::from_ref(&assign), Some(&engine)).unwrap();
        let p = r.projection.unwrap();
        assert_eq!(p.changes, plain.changes);
        assert_eq!(p.users_changed(), 2);
        assert_eq!(r.summaries, plain.summaries);

        // The last command is a create: its id comes from applying it, so the projection is
        // made again from the final changes, and the newcomer is in it.
        let commands = vec![assign.clone(), newcomer.clone()];
        let plain = s.rehearse(admin, &commands).unwrap();
        let r = rehearse_and_project(s, admin, &commands, Some(&engine)).unwrap();
        let p = r.projection.unwrap();
        assert_eq!(p.changes, plain.changes);
        let Some(Change::AddUser { id, .. }) = p.changes.last() else {
            panic!("the create is last: {:?}", p.changes);
        };
        assert_ne!(id.0, 0, "the newcomer has the id the store gave it");

        // A refusal is the rehearsal's answer, projection or not.
        let unknown = Command::Assign {
            role: "deployer".into(),
            users: vec!["nobody-by-that-name".into()],
            scope: ScopeRef::default(),
        };
        let refused = rehearse_and_project(s, admin, &[unknown], Some(&engine)).unwrap_err();
        assert!(
            refused.to_string().contains("nobody-by-that-name"),
            "{refused}"
        );

        // Nothing loaded: the rehearsal still answers, the projection says why it is missing.
        let r = rehearse_and_project(s, admin, std::slice::from_ref(&assign), None).unwrap();
        assert_eq!(r.projection.unwrap_err(), "nothing is loaded yet");
    });
    assert_eq!(audit_count(&c), audited, "rehearsals keep nothing");
}

/// Whether alice holds shop.orders.ship anywhere, by the store's own engine.
fn alice_ships(c: &Console) -> bool {
    c.service_check(|s| {
        let detail = s.user_detail("alice").unwrap();
        let engine = s.engine().unwrap();
        let set = engine.effective(detail.user.id).unwrap_or_default();
        engine
            .atoms(&set)
            .iter()
            .any(|a| engine.permission_key(a.permission) == Some("shop.orders.ship"))
    })
}

#[test]
fn a_groups_roles_change_access_only_through_the_confirmation() {
    let mut c = Console::signed_in();
    assert!(alice_ships(&c), "alice ships through ops → deployer");
    let audit = audit_count(&c);
    // Taking deployer from ops: alice loses access, so it is previewed first.
    c.keys("2 t deployer <CR>");
    let Some(Overlay::Bulk(confirm)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(confirm.draft.kind, warden::tui::intent::DraftKind::Edit);
    assert_eq!(confirm.projection.users_changed(), 1);
    let screen = c.screen(120, 40);
    assert!(screen.contains("− shop.orders.ship"), "{screen}");
    assert_eq!(
        audit_count(&c),
        audit,
        "nothing written before the confirmation"
    );
    c.keys("<CR>");
    assert!(c.state.overlays.is_empty());
    assert!(alice_ships(&c), "Cancel changed nothing");
    assert_eq!(audit_count(&c), audit);
    c.keys("t deployer <CR> <Tab> <Tab> <CR>");
    assert!(!alice_ships(&c), "{}", c.status());
    assert_eq!(audit_count(&c), audit + 1);
    // Giving it back is gated the same way.
    c.keys("r deployer <CR>");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))));
    c.keys("<Tab> <Tab> <CR>");
    assert!(alice_ships(&c));
}

#[test]
fn one_focused_user_gaining_user_management_asks_for_the_count() {
    let mut c = Console::signed_in();
    let audit = audit_count(&c);
    // Nothing marked: the focused user, alice.
    c.keys("j");
    assert_eq!(c.state.focused_user().unwrap().username, "alice");
    c.keys("r administrators <CR>");
    let Some(Overlay::Bulk(confirm)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(confirm.required, Some(1));
    assert!(confirm.projection.consent.sensitive());
    // One permission is named; the others that change are counted, never hidden.
    assert!(
        confirm
            .projection
            .headline
            .ends_with("and 37 more permissions)"),
        "{}",
        confirm.projection.headline
    );
    let screen = c.screen(120, 40);
    assert!(screen.contains("(User management): type 1"), "{screen}");
    c.keys("<Tab> <Tab> <CR>");
    assert_eq!(audit_count(&c), audit, "not without the count");
    c.keys("1 <CR>");
    assert_eq!(audit_count(&c), audit + 1, "{}", c.status());
    let roles = c.service_check(|s| s.user_detail("alice").unwrap().roles);
    assert!(
        roles.iter().any(|r| r.role == "administrators"),
        "{roles:?}"
    );
}

#[test]
fn committing_staged_edits_that_grant_user_management_asks_for_the_count() {
    let mut c = Console::signed_in();
    let audit = audit_count(&c);
    c.keys("<C-t> j r administrators <CR>");
    assert_eq!(c.state.staging.edits.len(), 1, "{}", c.status());
    assert!(c.state.overlays.is_empty(), "staging asks nothing yet");
    c.keys("R c");
    let Some(Overlay::Bulk(confirm)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(confirm.required, Some(1));
    c.keys("<Tab> <CR>");
    assert_eq!(audit_count(&c), audit, "not without the count");
    c.keys("1 <CR>");
    assert_eq!(audit_count(&c), audit + 1, "{}", c.status());
    assert!(c.state.staging.is_empty());
}

#[test]
fn an_edit_that_changes_nobodys_access_applies_at_once() {
    let mut c = Console::signed_in();
    let audit = audit_count(&c);
    // bob is invited: joining ops changes nothing he can do yet.
    c.keys("2 m bob <CR>");
    assert!(c.state.overlays.is_empty(), "no confirmation");
    assert!(c.status().starts_with("done: "), "{}", c.status());
    assert_eq!(audit_count(&c), audit + 1);
}

#[test]
fn u_undoes_the_newest_change_whoever_made_it() {
    // Another client added team1…team5; this console committed nothing.
    let mut c = with_team();
    assert_eq!(visible_names(&c).len(), 8);
    c.keys("U");
    let Some(Overlay::Bulk(undo)) = c.state.overlays.last() else {
        panic!("an undo confirmation: {}", c.status());
    };
    assert_eq!(undo.draft.kind, warden::tui::intent::DraftKind::Undo);
    assert!(
        undo.draft.title.starts_with("Undo #"),
        "{}",
        undo.draft.title
    );
    assert_eq!(undo.draft.users.len(), 5);
    c.keys("<Tab> <CR>");
    assert_eq!(
        visible_names(&c),
        ["admin", "alice", "bob"],
        "{}",
        c.status()
    );
    // The undo is now the newest change: U again offers to take it back (a redo).
    c.keys("<Esc> U");
    let Some(Overlay::Bulk(redo)) = c.state.overlays.last() else {
        panic!("a redo confirmation: {}", c.status());
    };
    assert!(redo.draft.title.contains("undo #"), "{}", redo.draft.title);
}
