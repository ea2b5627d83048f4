//! Console flows through `update`, no terminal: keys in, the real store worker answering,
//! the store checked afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use common::console::Console;
use warden::store::Location;
use warden::tui::overlay::Overlay;
use warden::tui::state::{Screen, Tab};

#[test]
fn create_filter_edit_assign_and_delete_a_user() {
    let mut c = Console::signed_in();
    // Create through the form.
    c.keys("n carol <Tab> carol@example.com <Tab> Carol <Space> Danvers <C-s>");
    assert!(
        c.state.overlays.is_empty(),
        "the form closed: {}",
        c.status()
    );
    assert!(
        c.status().starts_with("done: add end_user carol"),
        "{}",
        c.status()
    );
    let carol = c.service_check(|s| s.user_detail("carol").unwrap());
    assert_eq!(carol.user.display_name, "Carol Danvers");

    // A fuzzy filter ranks her first ("car" also matches admin's "example.com administrator");
    // an exact one narrows to her alone.
    c.keys("/ car <CR>");
    assert_eq!(c.state.focused_user().unwrap().username, "carol");
    assert_eq!(c.state.listing(Tab::Users).visible.len(), 2);
    c.keys("/ <C-u> 'carol <CR>");
    assert_eq!(c.state.focused_user().unwrap().username, "carol");
    assert_eq!(c.state.listing(Tab::Users).visible.len(), 1);

    // Edit her display name.
    c.keys("e <Tab> <Tab> <C-u> Carol <Space> D. <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    assert_eq!(
        c.service_check(|s| s.user_detail("carol").unwrap().user.display_name),
        "Carol D."
    );

    // Assign a role at a stage through the picker.
    c.keys("r deployer <Tab> <Tab> <Tab> <CR>");
    let roles = c.service_check(|s| s.user_detail("carol").unwrap().roles);
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, "deployer");
    assert_eq!(
        roles[0].stage.as_deref(),
        Some("Production"),
        "every stage → Development → QA → Production"
    );

    // Delete: asked with a preview of what it does to access; Enter on the focused Cancel
    // deletes nothing.
    c.keys("<C-d>");
    let Some(Overlay::Bulk(delete)) = c.state.overlays.last() else {
        panic!("a delete confirmation: {}", c.status());
    };
    assert_eq!(delete.draft.title, "Delete user carol?");
    assert_eq!(delete.buttons().len(), 3, "Cancel · Stage · Commit");
    c.keys("<CR>");
    assert!(c.state.overlays.is_empty());
    assert!(
        c.service_check(|s| s.user_detail("carol")).is_ok(),
        "Cancel kept carol"
    );
    // Tab past Stage to Commit, then Enter.
    c.keys("<C-d> <Tab> <Tab> <CR>");
    assert!(
        c.service_check(|s| s.user_detail("carol")).is_err(),
        "carol is gone"
    );
    assert!(
        c.status().starts_with("done: delete carol"),
        "{}",
        c.status()
    );
    // The filter stays and now matches nobody.
    assert_eq!(c.state.listing(Tab::Users).visible.len(), 0);
    c.keys("<Esc>");
    assert_eq!(c.state.listing(Tab::Users).visible.len(), 3);
}

#[test]
fn the_peer_shortcut_signs_in_with_enter() {
    let mut c = Console::open(false);
    match &c.state.screen {
        Screen::SignIn(s) => assert_eq!(s.peer.as_deref(), Some("admin")),
        _ => panic!("the command line is open"),
    }
    c.keys("<CR>");
    assert!(matches!(c.state.screen, Screen::Main));
    assert!(c.state.data.is_some());
}

#[test]
fn a_wrong_password_is_refused_on_the_sign_in_screen_and_counts() {
    let mut c = Console::open(false);
    c.keys("<Tab> admin <Tab> Wrong-Password-1 <CR>");
    match &c.state.screen {
        Screen::SignIn(s) => {
            assert!(s.form.error.as_deref().unwrap().contains("sign-in refused"));
            assert_eq!(
                s.form.value("password"),
                "",
                "the typed password is cleared"
            );
        }
        _ => panic!("the command line is open"),
    }
    let failed = c.service_check(|s| s.user_detail("admin").unwrap().user.failed_attempts);
    assert_eq!(failed, 1, "the console's sign-in goes through lockout");
}

#[test]
fn service_errors_land_on_their_field() {
    let mut c = Console::signed_in();
    c.keys("n alice <Tab> other@example.com <C-s>");
    match c.state.overlays.last() {
        Some(Overlay::Form(form)) => {
            assert!(
                form.error
                    .as_deref()
                    .unwrap_or("")
                    .contains("unique-username")
                    || form.fields[0].error.is_some(),
                "{form:?}"
            );
            let text = form.error.clone().unwrap_or_default();
            assert!(text.contains("the username alice is taken"), "{text}");
        }
        _ => panic!("the form stays open on an error"),
    }
    // A shape error shows as typed, before saving.
    c.keys("<Esc> <Tab> <CR>");
    c.keys("<Esc>");
    c.keys("n bad <Space> name");
    match c.state.overlays.last() {
        Some(Overlay::Form(form)) => {
            assert!(
                form.fields[0]
                    .error
                    .as_deref()
                    .unwrap()
                    .contains("not allowed")
            );
        }
        _ => panic!(),
    }
}

#[test]
fn leaving_a_changed_form_asks_first() {
    let mut c = Console::signed_in();
    c.keys("n dave <Esc>");
    assert!(
        matches!(c.state.overlays.last(), Some(Overlay::Confirm(_))),
        "asks"
    );
    c.keys("<CR>");
    assert!(
        matches!(c.state.overlays.last(), Some(Overlay::Form(_))),
        "Enter on Keep editing keeps the form"
    );
    c.keys("<Esc> <Tab> <CR>");
    assert!(c.state.overlays.is_empty(), "discarded");
    c.keys("n <Esc>");
    assert!(
        c.state.overlays.is_empty(),
        "an untouched form closes at once"
    );
}

#[test]
fn read_only_mode_browses_and_says_why_writes_are_disabled() {
    let mut c = Console::open(true);
    assert!(matches!(c.state.screen, Screen::Main), "no sign-in");
    c.keys("n");
    assert!(c.state.overlays.is_empty());
    assert!(
        c.status().contains("read-only: started with --read-only"),
        "{}",
        c.status()
    );
    c.keys("<C-d>");
    assert!(c.status().contains("read-only"), "{}", c.status());
    c.keys("2 <CR>");
    assert!(
        matches!(c.state.overlays.last(), Some(Overlay::Message(_))),
        "browsing works"
    );
}

#[test]
fn built_in_roles_explain_why_they_cannot_be_edited() {
    let mut c = Console::signed_in();
    c.keys("3 /administrators <CR> e");
    assert!(
        c.status().contains("built in and read-only"),
        "{}",
        c.status()
    );
    c.keys("c <C-s>");
    let copied = c.service_check(|s| s.role_detail("administrators-copy").unwrap().builtin);
    assert!(!copied, "the copy is custom");
}

#[test]
fn groups_take_members_and_roles_through_pickers() {
    let mut c = Console::signed_in();
    c.keys("2 /ops <CR> m bob <CR>");
    let members = c.service_check(|s| {
        s.group_detail(&warden::service::GroupRef {
            name: "ops".into(),
            stage: None,
        })
        .unwrap()
        .members
    });
    assert_eq!(members, ["alice", "bob"]);
    // Taking alice out changes her access: confirmed like any other such change.
    c.keys("M <Space> <Space> <CR>");
    let Some(Overlay::Bulk(confirm)) = c.state.overlays.last() else {
        panic!("a confirmation: {}", c.status());
    };
    assert_eq!(
        confirm.projection.users_changed(),
        1,
        "alice loses ops' roles"
    );
    c.keys("<Tab> <Tab> <CR>");
    let members = c.service_check(|s| {
        s.group_detail(&warden::service::GroupRef {
            name: "ops".into(),
            stage: None,
        })
        .unwrap()
        .members
    });
    assert!(
        members.is_empty(),
        "both marked and removed in one go: {members:?}"
    );
    let record = c.service_check(|s| s.audit(1, None).unwrap()[0].action.clone());
    assert_eq!(record, "group.remove-member");
}

#[test]
fn the_command_line_switches_tabs_and_quits() {
    let mut c = Console::signed_in();
    c.keys(": groups <CR>");
    assert_eq!(c.state.tab, Tab::Groups);
    c.keys(": perms <CR>");
    assert_eq!(c.state.tab, Tab::Permissions);
    c.keys(": nonsense <CR>");
    assert!(
        c.state.overlays.is_empty(),
        "no dialog left to catch the next key"
    );
    assert!(
        c.status().contains(":nonsense is not a command"),
        "{}",
        c.status()
    );
    c.keys(": q <CR>");
    assert!(c.quit);
}

#[test]
fn an_unknown_command_never_lets_the_next_keys_act_on_the_screen() {
    let mut c = Console::signed_in();
    c.keys("2");
    let before = c.service_check(|s| s.audit(100, None).unwrap().len());
    // What happened in the report: the rest of the line ran as keys (a group got renamed
    // and given two roles). Now each command runs, the unknown one on the status line.
    c.keys(": foo <CR> : user <Space> alice <CR>");
    assert_eq!(c.state.tab, Tab::Users);
    assert_eq!(c.state.focused_user().unwrap().username, "alice");
    assert!(c.state.overlays.is_empty());
    assert_eq!(
        c.service_check(|s| s.audit(100, None).unwrap().len()),
        before,
        "nothing was changed"
    );
}

#[test]
fn the_command_line_jumps_remembers_and_completes() {
    let input = |c: &Console| match c.state.overlays.last() {
        Some(Overlay::Command(line)) => line.input.clone(),
        _ => panic!("the command line is open"),
    };
    let mut c = Console::signed_in();
    c.keys(": group <Space> ops <CR>");
    assert_eq!(c.state.tab, Tab::Groups);
    c.keys(": role <Space> deployer <CR>");
    assert_eq!(c.state.tab, Tab::Roles);
    c.keys(": user <Space> nobody <CR>");
    assert!(c.status().contains("no user nobody"), "{}", c.status());
    // ↑ recalls, newest first; Enter runs it again.
    c.keys(": <Up> <Up>");
    assert_eq!(input(&c), "role deployer");
    c.keys("<CR>");
    assert_eq!(c.state.tab, Tab::Roles);
    // Tab completes a command, then a name.
    c.keys(": gro <Tab>");
    assert_eq!(input(&c), "group");
    c.keys("<BS> <BS> <BS> <BS> <BS> user <Space> al <Tab>");
    assert_eq!(input(&c), "user alice");
    c.keys("<CR>");
    assert_eq!(c.state.focused_user().unwrap().username, "alice");
}

#[test]
fn quitting_with_staged_edits_asks_first() {
    let mut c = Console::signed_in();
    c.keys("<C-t> / 'bob <CR> a");
    // Activating bob was staged (the confirm for a single activation applies or stages).
    if matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))) {
        c.keys("<Tab> <CR>");
    }
    assert!(!c.state.staging.is_empty(), "{}", c.status());
    c.keys("q");
    assert!(!c.quit, "q asks when edits are staged");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Confirm(_))));
    c.keys("<CR>");
    assert!(!c.quit, "Cancel is focused");
    assert!(!c.state.staging.is_empty(), "nothing lost");
    c.keys("q <Tab> <CR>");
    assert!(c.quit, "Quit, chosen, quits");
}

#[test]
fn copy_sends_the_focused_name() {
    let mut c = Console::signed_in();
    c.keys("/bob <CR> y");
    assert_eq!(c.copied, ["bob"]);
}

#[test]
fn copy_puts_only_paste_safe_text_on_the_clipboard() {
    let mut c = Console::signed_in();
    // A username another program wrote into the store: pasted into a shell as is, the newline
    // would run `echo PWNED` and the escape sequence would clear the screen.
    let Location::Sqlite(path) = &c.location else {
        panic!("a SQLite store")
    };
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute(
        "INSERT INTO users (tenant_id, username, username_key, kind, status, created_at, updated_at)
         VALUES (1, ?1, ?1, 'end_user', 'active', 0, 0)",
        ["evil\necho PWNED\n\u{1b}[2J"],
    )
    .unwrap();
    c.keys("<C-r> /evil <CR> y");
    assert_eq!(c.copied, ["evil\\x0aecho PWNED\\x0a\\x1b[2J"]);
    let status = c.status();
    assert!(status.contains("escaped"), "says what was copied: {status}");
}

#[test]
fn temporary_passwords_are_set_with_the_checklist() {
    let mut c = Console::signed_in();
    c.keys("/alice <CR> p short");
    match c.state.overlays.last() {
        Some(Overlay::Form(form)) => assert!(!form.checklist.as_ref().unwrap().passed()),
        _ => panic!(),
    }
    c.keys("<C-u> Green-Valley-2026 <Tab> Green-Valley-2026 <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    let detail = c.service_check(|s| s.user_detail("alice").unwrap());
    assert!(detail.user.must_change_password);
}

#[test]
fn an_idle_console_redraws_for_a_countdown_only() {
    use warden::model::Timestamp;
    use warden::tui::event::Msg;
    let mut c = Console::signed_in();
    c.state.dirty = false;
    let next_minute = Timestamp(c.state.now.0 + 60_000);
    let _ = warden::tui::update::update(&mut c.state, Msg::Tick(next_minute));
    assert!(!c.state.dirty, "nothing on screen depends on the minute");

    c.lock_alice();
    c.keys("<C-r>");
    c.state.dirty = false;
    let later = Timestamp(next_minute.0 + 60_000);
    let _ = warden::tui::update::update(&mut c.state, Msg::Tick(later));
    assert!(c.state.dirty, "alice's lock badge counts down");
}

#[test]
fn a_bad_config_entry_is_reported_on_the_first_screen_after_sign_in() {
    let config = warden::tui::config::parse(
        "[keys]\nquit = [\"ctrl-q\"]\nfrobnicate = [\"f\"]\n",
        "config.toml",
    );
    let mut c = Console::open_with(config).sign_in();
    let screen = c.screen(120, 40);
    assert!(
        screen.contains("config.toml:3: no action \"frobnicate\""),
        "{screen}"
    );
    // The remapped key works; the default one no longer quits.
    c.keys("q");
    assert!(!c.quit);
    c.keys("<C-q>");
    assert!(c.quit);
}

/// What the console's engine says of every user: each one's effective permissions by name.
fn access_of(engine: &warden::access::Engine) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = engine
        .user_ids()
        .map(|id| {
            let atoms = engine
                .atoms(&engine.effective(id).unwrap())
                .into_iter()
                .map(|a| engine.atom_label(a))
                .collect();
            (engine.username(id).unwrap().to_string(), atoms)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn other_clients_changes_to_users_are_caught_up_with_not_reloaded() {
    use warden::service::{Command, GroupRef, NewUser, ScopeRef};
    let mut c = Console::signed_in();
    let engine_before = std::sync::Arc::clone(&c.state.data.as_ref().unwrap().engine);
    // Another client: a new user in ops, bob activated and given a role, a rename, a lockout.
    c.service_check(|s| {
        let admin = s.peer_operator().unwrap();
        s.execute(
            &admin,
            &[
                Command::AddUser(NewUser {
                    username: "carol".into(),
                    email: None,
                    display_name: "Carol".into(),
                    kind: warden::model::UserKind::EndUser,
                    external_id: None,
                    status: warden::model::UserStatus::Active,
                }),
                Command::AddMembers {
                    group: GroupRef {
                        name: "ops".into(),
                        stage: None,
                    },
                    users: vec!["carol".into()],
                },
                Command::SetUserStatus {
                    users: vec!["bob".into()],
                    status: warden::model::UserStatus::Active,
                },
                Command::Assign {
                    role: "deployer".into(),
                    users: vec!["bob".into()],
                    scope: ScopeRef::default(),
                },
            ],
        )
        .unwrap();
    });
    c.lock_alice();
    c.store_changed();
    let data = c.state.data.as_ref().unwrap();
    assert!(
        !std::sync::Arc::ptr_eq(&engine_before, &data.engine),
        "the engine moved on"
    );
    assert!(c.status().contains("changed elsewhere"), "{}", c.status());
    // The users' rows, in username order, the lockout among them.
    let names: Vec<&str> = data.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["admin", "alice", "bob", "carol"]);
    assert!(data.users[1].locked, "alice's lockout shows");
    // The caught-up engine says what a freshly built one says.
    let rebuilt = c.service_check(|s| s.engine().unwrap());
    assert_eq!(access_of(&data.engine), access_of(&rebuilt));
    assert!(
        access_of(&data.engine)
            .iter()
            .any(|(user, atoms)| user == "bob" && !atoms.is_empty()),
        "bob gained through the assignment"
    );
    // A user deleted and another renamed elsewhere.
    c.service_check(|s| {
        let admin = s.peer_operator().unwrap();
        s.execute(
            &admin,
            &[
                Command::DeleteUsers {
                    users: vec!["carol".into()],
                },
                Command::EditUser {
                    user: "bob".into(),
                    edit: warden::service::UserEdit {
                        username: Some("robert".into()),
                        ..Default::default()
                    },
                    expected_version: None,
                },
            ],
        )
        .unwrap();
    });
    c.store_changed();
    let data = c.state.data.as_ref().unwrap();
    let names: Vec<&str> = data.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["admin", "alice", "robert"]);
    let rebuilt = c.service_check(|s| s.engine().unwrap());
    assert_eq!(access_of(&data.engine), access_of(&rebuilt));
}

#[test]
fn an_edit_that_conflicts_keeps_the_input_and_saves_over_the_other_change() {
    use warden::service::{Command, UserEdit};
    let mut c = Console::signed_in();
    c.keys("/ 'alice <CR> e <Tab> <Tab> <C-u> Alice <Space> Console");
    // Meanwhile another admin edits her.
    c.service_check(|s| {
        let admin = s.peer_operator().unwrap();
        s.execute(
            &admin,
            &[Command::EditUser {
                user: "alice".into(),
                edit: UserEdit {
                    email: Some(Some("alice@elsewhere.example".into())),
                    ..Default::default()
                },
                expected_version: None,
            }],
        )
        .unwrap();
    });
    c.keys("<C-s>");
    let Some(Overlay::Form(form)) = c.state.overlays.last() else {
        panic!("the form stays open: {}", c.status());
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("was changed by admin") && error.contains("your input is kept"),
        "{error}"
    );
    assert!(
        form.fields.iter().any(|f| f.value == "Alice Console"),
        "the input is kept"
    );
    // Saving again applies the input over the other change.
    c.keys("<C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    let alice = c.service_check(|s| s.user_detail("alice").unwrap().user);
    assert_eq!(alice.display_name, "Alice Console");
    assert_eq!(alice.email.as_deref(), Some("alice@elsewhere.example"));
}

#[test]
fn below_the_smallest_size_keys_do_nothing_but_quit() {
    let mut c = Console::signed_in();
    let before = c.state.listing(Tab::Users).cursor;
    c.state.size = (40, 10);
    c.keys("j j 2 n");
    assert_eq!(
        c.state.listing(Tab::Users).cursor,
        before,
        "the cursor did not move unseen"
    );
    assert_eq!(c.state.tab, Tab::Users);
    assert!(c.state.overlays.is_empty(), "no form opened unseen");
    c.keys("q");
    assert!(c.quit);
}

#[test]
fn filter_terms_take_quoted_names_and_complete_their_values() {
    let mut c = Console::signed_in();
    c.service_check(|s| {
        let (admin, _) = s.sign_in("admin", common::console::ADMIN_PASSWORD).unwrap();
        s.execute(
            &admin,
            &[
                warden::service::Command::AddRole(warden::service::NewRole {
                    key: "night-shift".into(),
                    name: "Night Shift".into(),
                    description: String::new(),
                    kind: warden::model::RoleKind::EndUser,
                    app: Some("shop".into()),
                    grants: vec!["shop.orders.ship".into()],
                    grant_scope: Default::default(),
                    includes: vec![],
                }),
                warden::service::Command::Assign {
                    role: "night-shift".into(),
                    users: vec!["bob".into()],
                    scope: Default::default(),
                },
            ],
        )
        .unwrap();
    });
    c.keys("<C-r>");
    let visible = |c: &Console| -> Vec<String> {
        let data = c.state.data.as_ref().unwrap();
        c.state
            .listing(Tab::Users)
            .visible
            .iter()
            .map(|&r| data.users[r as usize].username.clone())
            .collect()
    };
    // A role by its name, quoted because it has a space.
    c.keys("/ role:\"Night <Space> Shift\" <CR>");
    assert_eq!(
        visible(&c),
        ["bob"],
        "{:?}",
        c.state.listing(Tab::Users).problems
    );
    // Tab completes a term's value: one match is finished (and quoted when it has spaces).
    c.keys("/ <C-u> role:depl <Tab>");
    assert_eq!(c.state.listing(Tab::Users).filter.query, "role:deployer ");
    c.keys("<CR>");
    assert_eq!(visible(&c), ["alice"]);
    c.keys("/ <C-u> role:\"night <Tab>");
    assert_eq!(
        c.state.listing(Tab::Users).filter.query,
        "role:night-shift "
    );
    c.keys("<C-u> status:ac <Tab>");
    assert_eq!(c.state.listing(Tab::Users).filter.query, "status:active ");
}

#[test]
fn audit_terms_ask_what_warden_audit_list_asks() {
    let mut c = Console::signed_in();
    c.service_check(|s| {
        let (admin, _) = s.sign_in("admin", common::console::ADMIN_PASSWORD).unwrap();
        s.execute(
            &admin,
            &[warden::service::Command::SetUserStatus {
                users: vec!["bob".into()],
                status: warden::model::UserStatus::Deactivated,
            }],
        )
        .unwrap();
    });
    c.keys("<C-r> 5");
    let shown = |c: &Console| -> Vec<String> {
        let data = c.state.data.as_ref().unwrap();
        c.state
            .listing(Tab::Audit)
            .visible
            .iter()
            .map(|&r| data.audit[r as usize].action.clone())
            .collect()
    };
    let everything = shown(&c).len();
    assert!(everything > 2, "{:?}", shown(&c));
    // Bob was created in the fixture's batch and deactivated since.
    c.keys("/ user:bob <Space> op:admin <CR>");
    assert_eq!(
        shown(&c),
        ["user.deactivate", "batch"],
        "{:?}",
        c.state.listing(Tab::Audit).problems
    );
    c.keys("/ <C-u> user:bob <Space> action:user <CR>");
    assert_eq!(shown(&c), ["user.deactivate"]);
    // The same question on the command line gives the same record.
    let listed = c.service_check(|s| {
        let query = warden::service::audit_query::AuditQuery {
            user: Some("bob".into()),
            operator: Some("admin".into()),
            action: Some("user".into()),
            ..Default::default()
        };
        s.audit_matching(&query, 50, None).unwrap()
    });
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].action, "user.deactivate");
    c.keys("/ <C-u> since:2999-01-01 <CR>");
    assert!(shown(&c).is_empty());
    c.keys("/ <C-u> since:soon <CR>");
    assert!(shown(&c).is_empty());
    assert!(!c.state.listing(Tab::Audit).problems.is_empty());
    c.keys("/ <C-u> <CR>");
    assert_eq!(shown(&c).len(), everything);
}

#[test]
fn the_dormant_term_lists_who_holds_access_unused() {
    let mut c = Console::signed_in();
    let visible = |c: &Console| -> Vec<String> {
        let data = c.state.data.as_ref().unwrap();
        c.state
            .listing(Tab::Users)
            .visible
            .iter()
            .map(|&r| data.users[r as usize].username.clone())
            .collect()
    };
    // Ten days after the fixture was made (and admin signed in), nobody is 30 days unseen...
    c.state.now = warden::model::Timestamp(common::console::NOW.0 + 10 * 24 * 60 * 60 * 1000);
    c.keys("/ dormant:30d <CR>");
    assert!(visible(&c).is_empty(), "{:?}", visible(&c));
    // ...and everyone active holding some permission is a week unseen; bob, deactivated, is not.
    c.keys("/ <C-u> dormant:7d <CR>");
    let shown = visible(&c);
    assert!(
        shown.contains(&"alice".to_string()) && shown.contains(&"admin".to_string()),
        "{shown:?}"
    );
    assert!(!shown.contains(&"bob".to_string()), "{shown:?}");
    c.keys("/ <C-u> dormant:soon <CR>");
    assert!(visible(&c).is_empty());
    assert!(
        c.state.listing(Tab::Users).problems[0].contains("dormant:90d"),
        "{:?}",
        c.state.listing(Tab::Users).problems
    );
}

#[test]
fn audit_terms_find_records_older_than_those_the_console_holds() {
    let mut c = Console::signed_in();
    c.keys("5");
    // As if the store's first record were older than the newest the console loaded.
    {
        let data = c.state.data.as_mut().unwrap();
        data.audit.retain(|r| r.action != "init");
        data.index();
    }
    warden::tui::update::listing::resort(&mut c.state, Tab::Audit);
    let shown = |c: &Console| -> Vec<String> {
        let data = c.state.data.as_ref().unwrap();
        c.state
            .listing(Tab::Audit)
            .visible
            .iter()
            .map(|&r| data.audit[r as usize].action.clone())
            .collect()
    };
    assert!(!shown(&c).contains(&"init".to_string()));
    // Typing narrows what is held; Enter asks the whole trail.
    c.keys("/ action:init");
    assert!(shown(&c).is_empty());
    c.keys("<CR>");
    assert_eq!(shown(&c), ["init"], "{}", c.status());
    assert!(c.status().contains("older audit records"), "{}", c.status());
}
