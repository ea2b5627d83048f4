//! One test per rule of SPEC §3 (and its neighbours), through the real binary: each violation
//! exits 3, names the rule, and leaves every table — the audit trail included — as it was.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Env};

/// Runs `args`, expects a refusal by `rule`, and checks nothing changed.
fn refused(env: &Env, args: &[&str], rule: &str) -> String {
    let before = env.dump();
    let run = env.run(args);
    assert_eq!(run.code, 3, "{args:?} should be refused: {run:?}");
    assert!(
        run.stderr.contains(&format!("refused by rule {rule}:")),
        "{args:?} should name rule {rule}: {}",
        run.stderr
    );
    assert_eq!(env.dump(), before, "{args:?} changed the store");
    run.stderr
}

/// A store with an app, an end user, a member, a QA group and an end-user role.
/// The first Administrator (and peer operator) is `admin`.
fn fixture(backend: Backend) -> Env {
    let env = Env::empty_on(backend);
    env.ok(&["init", "--admin", "admin"]);
    env.script(
        r#"
        app add shop --name Shop
        app add crm --name CRM
        perm add shop.orders.ship --name "Ship orders" --app shop
        perm add shop.orders.view --name "View orders" --app shop
        perm add crm.leads.view --name "View leads" --app crm
        user add alice --email alice@example.com --kind end_user
        user add bob --email bob@example.com --kind member
        group add ops --stage QA
        role add deployer --name Deployer --kind end_user --app shop --grant shop.orders.ship
        role add auditor --name Auditor --grant monitoring.audit
        "#,
    );
    env.set_password("bob", "Blue-Harbour-2026");
    env.ok(&["user", "activate", "bob"]);
    env
}

fn builtin_roles_cannot_be_edited_or_deleted(backend: Backend) {
    let env = fixture(backend);
    let msg = refused(
        &env,
        &["role", "edit", "Administrators", "--name", "Admins"],
        "builtin-role-read-only",
    );
    assert!(msg.contains("role copy"), "says what to do instead: {msg}");
    refused(
        &env,
        &["role", "delete", "Developers"],
        "builtin-role-read-only",
    );
    refused(
        &env,
        &["role", "grant", "Developers", "users.delete"],
        "builtin-role-read-only",
    );
    refused(
        &env,
        &["role", "revoke", "administrators", "users.view"],
        "builtin-role-read-only",
    );
    refused(
        &env,
        &["role", "include", "developers", "auditor"],
        "builtin-role-read-only",
    );
}

fn no_custom_role_takes_a_builtin_name(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &[
            "role",
            "add",
            "admins",
            "--name",
            "administrators",
            "--grant",
            "users.view",
        ],
        "reserved-role-name",
    );
    refused(
        &env,
        &["role", "edit", "auditor", "--name", "Developers"],
        "reserved-role-name",
    );
    refused(
        &env,
        &["role", "copy", "auditor", "--name", "Administrators"],
        "reserved-role-name",
    );
}

fn a_custom_organization_role_needs_a_permission(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["role", "add", "empty", "--name", "Empty"],
        "role-needs-permission",
    );
    refused(
        &env,
        &["role", "revoke", "auditor", "monitoring.audit"],
        "role-needs-permission",
    );
    // Through inclusion counts: a role whose only permission comes from an included role.
    env.ok(&[
        "role",
        "add",
        "wrapper",
        "--name",
        "Wrapper",
        "--include",
        "auditor",
    ]);
    refused(
        &env,
        &["role", "exclude", "wrapper", "auditor"],
        "role-needs-permission",
    );
    refused(
        &env,
        &["role", "revoke", "auditor", "monitoring.audit"],
        "role-needs-permission",
    );
}

fn a_groups_stage_never_changes(backend: Backend) {
    let env = fixture(backend);
    let msg = refused(
        &env,
        &["group", "edit", "ops", "--stage", "Production"],
        "group-stage-fixed",
    );
    assert!(msg.contains("QA"), "{msg}");
    // Selecting it by its own stage still edits it.
    env.ok(&[
        "group",
        "edit",
        "ops",
        "--stage",
        "QA",
        "--description",
        "Operations",
    ]);
}

fn only_end_users_join_groups(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["group", "add-member", "ops", "alice", "bob"],
        "group-members-end-users",
    );
    env.ok(&["group", "add-member", "ops", "alice"]);
    refused(
        &env,
        &["user", "edit", "alice", "--kind", "member"],
        "group-members-end-users",
    );
}

fn groups_hold_end_user_roles_usable_in_their_stage(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["group", "add-role", "ops", "auditor"],
        "group-roles-end-user",
    );
    env.ok(&[
        "role",
        "add",
        "prod-only",
        "--name",
        "Prod only",
        "--kind",
        "end_user",
        "--app",
        "shop",
        "--grant",
        "shop.orders.view",
        "--stage",
        "Production",
    ]);
    let msg = refused(
        &env,
        &["group", "add-role", "ops", "prod-only"],
        "group-roles-end-user",
    );
    assert!(msg.contains("grants nothing in stage QA"), "{msg}");
    env.ok(&["group", "add-role", "ops", "deployer"]);
}

fn usernames_are_unique_per_tenant_case_insensitively(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["user", "add", "ALICE", "--email", "other@example.com"],
        "unique-username",
    );
    refused(
        &env,
        &["user", "edit", "bob", "--username", "Alice"],
        "unique-username",
    );
    // Another tenant is another namespace.
    env.ok(&["tenant", "add", "acme"]);
    env.ok(&[
        "--tenant",
        "acme",
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.com",
    ]);
}

fn emails_are_unique_per_tenant_case_insensitively(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["user", "add", "carol", "--email", "ALICE@Example.com"],
        "unique-email",
    );
    refused(
        &env,
        &["user", "edit", "bob", "--email", "alice@example.com"],
        "unique-email",
    );
}

fn external_ids_link_to_one_user_per_tenant(backend: Backend) {
    let env = fixture(backend);
    env.ok(&["user", "edit", "alice", "--external-id", "EM-1"]);
    refused(
        &env,
        &["user", "add", "carol", "--external-id", "EM-1"],
        "unique-external-id",
    );
}

fn the_last_active_administrator_is_kept(backend: Backend) {
    let env = fixture(backend);
    let admin = "admin";
    refused(
        &env,
        &["unassign", "Administrators", admin],
        "last-administrator",
    );
    refused(
        &env,
        &["user", "edit", admin, "--kind", "end_user"],
        "last-administrator",
    );
    // With a second administrator, the first may be demoted; then the second is the last.
    env.ok(&["assign", "Administrators", "bob"]);
    refused(
        &env,
        &["unassign", "Administrators", admin, "bob"],
        "last-administrator",
    );
    env.ok(&["unassign", "Administrators", "bob"]);
    env.ok(&["assign", "Administrators", "bob"]);
    env.ok(&["user", "deactivate", "bob"]);
    refused(
        &env,
        &["unassign", "Administrators", admin],
        "last-administrator",
    );
}

fn operators_cannot_delete_or_deactivate_themselves(backend: Backend) {
    let env = fixture(backend);
    let me = "admin";
    refused(&env, &["user", "deactivate", me], "operator-self");
    refused(&env, &["user", "delete", me], "operator-self");
    refused(&env, &["user", "delete", "alice", me], "operator-self");
}

fn inclusion_and_implication_cycles_are_refused_naming_the_cycle(backend: Backend) {
    let env = fixture(backend);
    env.script(
        "role add a --name A --grant users.view\nrole add b --name B --include a\nrole add c --name C --include b",
    );
    let msg = refused(&env, &["role", "include", "a", "c"], "no-cycles");
    assert!(
        msg.contains("role a includes c includes b includes a"),
        "{msg}"
    );
    let msg = refused(&env, &["role", "include", "a", "a"], "no-cycles");
    assert!(msg.contains("role a includes a"), "{msg}");
    env.ok(&["perm", "imply", "shop.orders.ship", "shop.orders.view"]);
    let msg = refused(
        &env,
        &["perm", "imply", "shop.orders.view", "shop.orders.ship"],
        "no-cycles",
    );
    assert!(
        msg.contains(
            "permission shop.orders.view implies shop.orders.ship implies shop.orders.view"
        ),
        "{msg}"
    );
}

fn the_builtin_catalog_is_read_only(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["perm", "edit", "apps.view", "--name", "See apps"],
        "catalog-read-only",
    );
    refused(
        &env,
        &["perm", "delete", "users.delete"],
        "catalog-read-only",
    );
    refused(
        &env,
        &["perm", "imply", "apps.view", "apps.debug"],
        "catalog-read-only",
    );
}

fn end_user_roles_stay_inside_their_app(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["role", "grant", "deployer", "users.delete"],
        "end-user-role-scope",
    );
    refused(
        &env,
        &["role", "grant", "deployer", "crm.leads.view"],
        "end-user-role-scope",
    );
    refused(
        &env,
        &["role", "include", "deployer", "auditor"],
        "end-user-role-scope",
    );
    refused(
        &env,
        &["assign", "deployer", "alice", "--app", "crm"],
        "end-user-role-scope",
    );
    env.ok(&["assign", "deployer", "alice", "--app", "shop"]);
}

fn app_permissions_imply_only_their_own_app(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["perm", "imply", "shop.orders.ship", "crm.leads.view"],
        "app-permission-scope",
    );
    refused(
        &env,
        &["perm", "imply", "shop.orders.ship", "users.delete"],
        "app-permission-scope",
    );
}

fn names_are_unique_where_they_identify(backend: Backend) {
    let env = fixture(backend);
    refused(
        &env,
        &["group", "add", "OPS", "--stage", "QA"],
        "unique-name",
    );
    env.ok(&["group", "add", "ops", "--stage", "Production"]);
    refused(
        &env,
        &[
            "role",
            "add",
            "deployer",
            "--name",
            "Other",
            "--grant",
            "users.view",
        ],
        "unique-name",
    );
    refused(
        &env,
        &[
            "role",
            "add",
            "other",
            "--name",
            "auditor",
            "--grant",
            "users.view",
        ],
        "unique-name",
    );
    refused(
        &env,
        &["app", "add", "shop", "--name", "Shop again"],
        "unique-name",
    );
    refused(
        &env,
        &[
            "perm",
            "add",
            "shop.orders.ship",
            "--name",
            "Again",
            "--app",
            "shop",
        ],
        "unique-name",
    );
    refused(&env, &["stage", "add", "qa"], "unique-name");
}

fn things_in_use_are_not_deleted(backend: Backend) {
    let env = fixture(backend);
    let msg = refused(&env, &["app", "delete", "shop"], "in-use");
    assert!(
        msg.contains("2 permissions") && msg.contains("1 role"),
        "{msg}"
    );
    refused(&env, &["stage", "delete", "QA"], "in-use");
    env.ok(&["stage", "add", "Staging", "--after", "QA"]);
    env.ok(&["stage", "delete", "Staging"]);
}

crate::on_both_backends!(
    builtin_roles_cannot_be_edited_or_deleted,
    no_custom_role_takes_a_builtin_name,
    a_custom_organization_role_needs_a_permission,
    a_groups_stage_never_changes,
    only_end_users_join_groups,
    groups_hold_end_user_roles_usable_in_their_stage,
    usernames_are_unique_per_tenant_case_insensitively,
    emails_are_unique_per_tenant_case_insensitively,
    external_ids_link_to_one_user_per_tenant,
    the_last_active_administrator_is_kept,
    operators_cannot_delete_or_deactivate_themselves,
    inclusion_and_implication_cycles_are_refused_naming_the_cycle,
    the_builtin_catalog_is_read_only,
    end_user_roles_stay_inside_their_app,
    app_permissions_imply_only_their_own_app,
    names_are_unique_where_they_identify,
    things_in_use_are_not_deleted,
);
