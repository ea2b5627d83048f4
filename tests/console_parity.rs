//! Everything the command line can change, the console can change: apps and their
//! permissions, implications, a role's grants (with their stage) and included roles, stages,
//! tenants, the policy, API tokens, your own password and every lockout — each picked from
//! what exists, through `update` with the real store worker answering. The last test walks
//! the command line's verbs and fails when one has no console action.
#![allow(clippy::unwrap_used)]

mod common;

use common::console::Console;
use warden::service::GroupRef;
use warden::tui::overlay::Overlay;

fn role_detail(c: &Console, role: &str) -> warden::service::query::RoleDetail {
    c.service_check(|s| s.role_detail(role).unwrap())
}

fn grants(c: &Console, role: &str) -> Vec<(String, Option<String>)> {
    role_detail(c, role)
        .grants
        .into_iter()
        .map(|g| (g.permission, g.stage))
        .collect()
}

#[test]
fn an_app_its_permission_and_an_end_user_role_granting_it_at_qa() {
    let mut c = Console::signed_in();
    // Apps tab: register billing.
    c.keys("6 n billing <Tab> Billing <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    let apps = c.service_check(|s| s.apps().unwrap());
    assert!(apps.iter().any(|a| a.key == "billing"), "{apps:?}");

    // Permissions tab: the app is a choice (billing first), the key starts with it.
    c.keys("4 n <Tab> invoices.approve <Tab> Approve <Space> invoices <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    let p = c.service_check(|s| s.permission_detail("billing.invoices.approve").unwrap());
    assert_eq!(p.permission.app.as_deref(), Some("billing"));
    c.keys("n <Tab> invoices.view <Tab> View <Space> invoices <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());

    // Implication, picked: approve implies view; then taken back.
    c.keys(":perm <Space> billing.invoices.approve <CR> i invoices.view <CR>");
    let p = c.service_check(|s| s.permission_detail("billing.invoices.approve").unwrap());
    assert_eq!(
        p.permission.implies,
        ["billing.invoices.view"],
        "{}",
        c.status()
    );
    c.keys("I <CR>");
    let p = c.service_check(|s| s.permission_detail("billing.invoices.approve").unwrap());
    assert!(p.permission.implies.is_empty(), "{}", c.status());

    // A new end-user role of billing: the form, then its grants picked at QA (Tab cycles
    // every stage → Development → QA).
    c.keys("3 n approver <Tab> Approver <Tab> <Right> <Tab> <Right> <C-s>");
    let Some(Overlay::Picker(picker)) = c.state.overlays.last() else {
        panic!("the grants picker: {}", c.status());
    };
    assert!(
        picker.items.iter().all(|i| i.value.starts_with("billing.")),
        "only billing's permissions: {:?}",
        picker.items
    );
    c.keys("approve <Tab> <Tab> <CR>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    assert_eq!(
        grants(&c, "approver"),
        [(
            "billing.invoices.approve".to_string(),
            Some("QA".to_string())
        )]
    );
    // Created, and focused.
    assert_eq!(c.state.focused_role().unwrap().key, "approver");

    // More grants, then one revoked at the scope it was granted at.
    c.keys("p view <CR>");
    assert_eq!(grants(&c, "approver").len(), 2, "{}", c.status());
    c.keys("P approve <CR>");
    assert_eq!(
        grants(&c, "approver"),
        [("billing.invoices.view".to_string(), None)],
        "{}",
        c.status()
    );

    // Include another billing role, then stop.
    c.keys("n viewer <Tab> Viewer <Tab> <Right> <Tab> <Right> <C-s> view <CR>");
    c.keys(":role <Space> approver <CR> i viewer <CR>");
    let includes: Vec<String> = role_detail(&c, "approver")
        .includes
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(includes, ["viewer"], "{}", c.status());
    c.keys("I <CR>");
    assert!(
        role_detail(&c, "approver").includes.is_empty(),
        "{}",
        c.status()
    );
}

#[test]
fn only_what_may_be_picked_is_offered() {
    let mut c = Console::signed_in();
    // deployer is shop's end-user role: it includes only shop's end-user roles (none other).
    c.keys("3 :role <Space> deployer <CR> i");
    let Some(Overlay::Picker(picker)) = c.state.overlays.last() else {
        panic!("a picker: {}", c.status());
    };
    assert!(picker.items.is_empty(), "{:?}", picker.items);
    c.keys("<Esc>");
    // A built-in role's grants are read-only, and say why.
    c.keys(":role <Space> administrators <CR> p");
    assert!(c.state.overlays.is_empty());
    assert!(c.status().contains("built in"), "{}", c.status());
    // The built-in catalog's permissions cannot be edited.
    c.keys("4 :perm <Space> users.view <CR> e");
    assert!(c.state.overlays.is_empty());
    assert!(c.status().contains("built-in catalog"), "{}", c.status());
}

#[test]
fn stages_tenants_and_every_lockout_from_the_command_line() {
    let mut c = Console::signed_in();
    c.keys(": stage <Space> add <Space> Staging <Space> after <Space> QA <CR>");
    let stages = c.service_check(|s| s.stages().unwrap());
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Development", "QA", "Staging", "Production"],
        "{}",
        c.status()
    );
    // Deleting asks first.
    c.keys(": stage <Space> delete <Space> Staging <CR>");
    assert!(
        matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))),
        "{}",
        c.status()
    );
    c.keys("<Tab> <Tab> <CR>");
    assert_eq!(
        c.service_check(|s| s.stages().unwrap()).len(),
        3,
        "{}",
        c.status()
    );

    c.keys(": tenant <Space> add <Space> emea <CR>");
    let tenants = c.service_check(|s| s.tenants().unwrap());
    assert!(tenants.iter().any(|t| t.name == "emea"), "{}", c.status());

    c.lock_alice();
    c.keys("<C-r> : unlock <Space> all <CR>");
    let alice = c.service_check(|s| s.user_detail("alice").unwrap());
    assert!(!alice.user.locked, "{}", c.status());

    c.keys(": stage <CR>");
    let Some(Overlay::Message(stages)) = c.state.overlays.last() else {
        panic!("the stages: {}", c.status());
    };
    assert_eq!(
        stages.lines[..3],
        ["1. Development", "2. QA", "3. Production"]
    );
    c.keys("<Esc> : stage <Space> rename <CR>");
    assert!(
        c.status().starts_with("usage: :stage add"),
        "{}",
        c.status()
    );
}

#[test]
fn the_policy_is_edited_setting_by_setting_and_checked_by_the_service() {
    let mut c = Console::signed_in();
    c.keys(": policy <CR>");
    let Some(Overlay::Picker(picker)) = c.state.overlays.last() else {
        panic!("the settings: {}", c.status());
    };
    assert!(picker.items.len() > 20);
    c.keys("min_length <CR>");
    let Some(Overlay::Form(form)) = c.state.overlays.last() else {
        panic!("the setting's form: {}", c.status());
    };
    assert_eq!(form.value("value"), "12");
    // Out of bounds: refused on the field, nothing written.
    c.keys("<C-u> 3 <C-s>");
    let Some(Overlay::Form(form)) = c.state.overlays.last() else {
        panic!("the form stays: {}", c.status());
    };
    assert!(
        form.error.is_some() || form.fields.iter().any(|f| f.error.is_some()),
        "{}",
        c.status()
    );
    c.keys("<BS> 16 <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    let policy = c.service_check(|s| s.policy().unwrap());
    assert_eq!(policy.password.min_length, 16);
}

#[test]
fn an_api_clients_tokens_are_created_shown_once_and_revoked() {
    let mut c = Console::signed_in();
    c.keys("n bot <Tab> <Tab> <Tab> <Right> <Right> <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    c.keys(":user <Space> bot <CR>");
    assert_eq!(c.state.focused_user().unwrap().username, "bot");
    c.keys("T");
    let Some(Overlay::Picker(picker)) = c.state.overlays.last() else {
        panic!("the tokens: {}", c.status());
    };
    assert_eq!(picker.items.len(), 1, "only 'create'");
    c.keys("<CR> deploys <C-s>");
    let Some(Overlay::Message(shown)) = c.state.overlays.last() else {
        panic!("the token, shown once: {}", c.status());
    };
    assert!(shown.lines[0].starts_with("wdn_"), "{:?}", shown.lines);
    c.keys("<Esc> T <Down> <CR>");
    assert!(
        matches!(c.state.overlays.last(), Some(Overlay::Bulk(_))),
        "{}",
        c.status()
    );
    c.keys("<Tab> <Tab> <CR>");
    let tokens = c.service_check(|s| s.tokens(Some("bot")).unwrap());
    assert!(tokens[0].revoked_at.is_some(), "{}", c.status());
    // Not an API client: said, nothing opened.
    c.keys(":user <Space> alice <CR> T");
    assert!(c.state.overlays.is_empty());
    assert!(c.status().contains("not an API client"), "{}", c.status());
}

#[test]
fn your_own_password_changes_with_the_checklist() {
    let mut c = Console::signed_in();
    c.keys(": passwd <CR>");
    let Some(Overlay::Form(form)) = c.state.overlays.last() else {
        panic!("the form: {}", c.status());
    };
    assert!(
        form.fields.iter().all(|f| f.name != "current"),
        "signed in with the password: not asked again"
    );
    c.keys("Another-Harbour-2027 <Tab> Another-Harbour-2027 <C-s>");
    assert!(c.state.overlays.is_empty(), "{}", c.status());
    c.service_check(|s| s.sign_in("admin", "Another-Harbour-2027").unwrap());
}

#[test]
fn a_group_takes_members_picked_on_the_groups_tab() {
    let mut c = Console::signed_in();
    c.keys("2 m bob <CR>");
    let members = c.service_check(|s| {
        s.group_detail(&GroupRef {
            name: "ops".into(),
            stage: None,
        })
        .unwrap()
        .members
    });
    assert_eq!(members, ["alice", "bob"]);
}

/// Each command-line verb and the console action that does the same: an action's name (as the
/// help overlay and the config file name it) or a `:` command.
const CONSOLE_EQUIVALENTS: &[(&str, &str)] = &[
    ("user add", "users.new"),
    ("user list", "tab-users"),
    ("user show", "open"),
    ("user edit", "users.edit"),
    ("user activate", "users.activate"),
    ("user deactivate", "users.deactivate"),
    ("user delete", "users.delete"),
    ("user set-password", "users.password"),
    ("user unlock", "users.unlock"),
    ("group add", "groups.new"),
    ("group list", "tab-groups"),
    ("group show", "open"),
    ("group edit", "groups.edit"),
    ("group delete", "groups.delete"),
    ("group add-member", "groups.add-members"),
    ("group remove-member", "groups.remove-members"),
    ("group add-role", "groups.add-roles"),
    ("group remove-role", "groups.remove-roles"),
    ("role add", "roles.new"),
    ("role copy", "roles.copy"),
    ("role list", "tab-roles"),
    ("role show", "open"),
    ("role edit", "roles.edit"),
    ("role delete", "roles.delete"),
    ("role grant", "roles.grant"),
    ("role revoke", "roles.revoke"),
    ("role include", "roles.include"),
    ("role exclude", "roles.exclude"),
    ("perm list", "tab-permissions"),
    ("perm show", "open"),
    ("perm add", "perms.new"),
    ("perm edit", "perms.edit"),
    ("perm delete", "perms.delete"),
    ("perm imply", "perms.imply"),
    ("perm unimply", "perms.unimply"),
    ("app add", "apps.new"),
    ("app list", "tab-apps"),
    ("app show", "open"),
    ("app edit", "apps.edit"),
    ("app delete", "apps.delete"),
    ("stage list", ":stage"),
    ("stage add", ":stage"),
    ("stage delete", ":stage"),
    ("tenant add", ":tenant"),
    ("assign", "users.assign"),
    ("unassign", "users.unassign"),
    ("access", "open"),
    ("explain", "open"),
    ("why-not", "users.why-not"),
    ("who-can", "open"),
    ("check", "open"),
    ("passwd", ":passwd"),
    ("policy show", ":policy"),
    ("policy set", ":policy"),
    ("token create", "users.tokens"),
    ("token list", "users.tokens"),
    ("token revoke", "users.tokens"),
    ("audit list", "tab-audit"),
    ("audit show", "open"),
    ("keys", "help"),
    ("undo", "undo"),
    ("export", ":export"),
    ("import", ":import"),
    // The Users filter's `dormant:90d` term.
    ("report dormant", "filter"),
];

/// Verbs with no place in the console, each with why.
const NOT_IN_CONSOLE: &[(&str, &str)] = &[
    (
        "init",
        "the console's first-run screen creates the store; init is for scripts",
    ),
    (
        "demo",
        "generates a throwaway store to try warden on; the console then opens it",
    ),
    (
        "copy",
        "copies a whole store to another, outside any one console's session",
    ),
    (
        "store check",
        "a whole-store check for scripts and cron; the console runs it at open",
    ),
    (
        "audit verify",
        "recomputes the chain for a script's exit code; the console refuses a damaged store",
    ),
    (
        "verify",
        "checks a password for a script; the console's sign-in screen is that check",
    ),
    (
        "policy test",
        "checks a candidate password; every password form shows the same checklist live",
    ),
    (
        "tenant list",
        "the console works inside one tenant (--tenant)",
    ),
    ("completions", "shell completion scripts"),
    (
        "diff",
        "compares two stores named on the command line; a console has one store open",
    ),
    (
        "sync",
        "changes one store from another named on the command line; a console has one open",
    ),
    (
        "matrix",
        "a spreadsheet of every user's access for auditors; the console shows it per user",
    ),
    (
        "assert",
        "checks a file of access rules for a pipeline's exit code",
    ),
    (
        "report unused-roles",
        "a clean-up list for scripts; the Roles tab shows each role's holders",
    ),
];

/// Every leaf verb of the command line, as words (`user add`).
fn leaf_verbs(command: &clap::Command, prefix: &str, out: &mut Vec<String>) {
    for sub in command.get_subcommands() {
        let path = if prefix.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{prefix} {}", sub.get_name())
        };
        if sub.has_subcommands() {
            leaf_verbs(sub, &path, out);
        } else if sub.get_name() != "help" {
            out.push(path);
        }
    }
}

#[test]
fn every_command_line_verb_has_a_console_action_or_a_reason() {
    use clap::CommandFactory;
    let mut verbs = Vec::new();
    leaf_verbs(&warden::cli::Cli::command(), "", &mut verbs);
    assert!(verbs.len() > 60, "{verbs:?}");
    let actions: Vec<&str> = warden::tui::keymap::ACTIONS
        .iter()
        .map(|a| a.name)
        .collect();
    let commands = warden::tui::update::commands();
    let mut missing = Vec::new();
    for verb in &verbs {
        let equivalent = CONSOLE_EQUIVALENTS.iter().find(|(v, _)| v == verb);
        let excused = NOT_IN_CONSOLE.iter().any(|(v, _)| v == verb);
        match equivalent {
            Some((_, action)) => match action.strip_prefix(':') {
                Some(command) => assert!(
                    commands.contains(&command),
                    "{verb}: :{command} is not a console command"
                ),
                None => assert!(
                    actions.contains(action),
                    "{verb}: {action} is not a console action"
                ),
            },
            None if excused => {}
            None => missing.push(verb.clone()),
        }
    }
    assert!(
        missing.is_empty(),
        "command-line verbs with no console action (add one, or a reason): {missing:?}"
    );
    // The tables name only verbs that exist.
    for (verb, _) in CONSOLE_EQUIVALENTS.iter().chain(NOT_IN_CONSOLE) {
        assert!(verbs.iter().any(|v| v == verb), "{verb} is not a verb");
    }
}

fn user_count(c: &Console) -> usize {
    c.service_check(|s| {
        let mut n = 0;
        s.each_user(&Default::default(), &mut |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        n
    })
}

#[test]
fn an_import_is_reviewed_before_it_is_committed_and_an_export_is_written_whole() {
    let mut c = Console::signed_in();
    let files = tempfile::tempdir().unwrap();
    let csv = files.path().join("people.csv");
    std::fs::write(
        &csv,
        "username,email,kind,display_name\n\
         dave,dave@example.com,end_user,Dave\n\
         erin,not-an-email,end_user,Erin\n",
    )
    .unwrap();
    let path = csv.display().to_string();
    let users_before = user_count(&c);

    // The dry run's report, in the review: nothing saved, the bad row named with its column.
    c.keys(&format!(": import <Space> {path} <CR>"));
    let Some(Overlay::Import(review)) = c.state.overlays.last() else {
        panic!("no import review: {}", c.status());
    };
    assert_eq!(review.report.counts.created, 1);
    assert_eq!(review.report.counts.failed, 1);
    let screen = c.screen(80, 24);
    assert!(screen.contains("Import people.csv"), "{screen}");
    assert!(
        screen.contains("people.csv row 3: failed user erin [email]"),
        "{screen}"
    );
    // A failing row stops an all-or-nothing import: c says so and commits nothing.
    c.keys("c");
    assert!(c.status().contains("1 rows would fail"), "{}", c.status());
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Import(_))));
    c.keys("<Esc>");
    assert!(c.state.overlays.is_empty());
    assert_eq!(user_count(&c), users_before);

    // With skip, the good row is imported on c.
    c.keys(&format!(": import <Space> {path} <Space> skip <CR> c"));
    assert!(
        c.status().starts_with("done: imported: 1 created"),
        "{}",
        c.status()
    );
    assert_eq!(user_count(&c), users_before + 1);
    assert!(c.service_check(|s| s.user_detail("dave").is_ok()));

    // :export writes the whole store as a document, mode 0600.
    let out = files.path().join("store.json");
    c.keys(&format!(": export <Space> {} <CR>", out.display()));
    assert!(
        c.status().starts_with("exported the store"),
        "{}",
        c.status()
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["format"], "warden-export");
    assert!(
        doc["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "dave")
    );
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap()
            .contains("password_hash")
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A file that cannot be read is said on the status line.
    c.keys(": import <Space> /nonexistent/file.csv <CR>");
    assert!(c.status().contains("cannot read"), "{}", c.status());
    assert!(c.state.overlays.is_empty());
}
