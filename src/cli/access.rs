//! `warden access`, `explain`, `why-not`, `who-can`, `check`: questions about who can do what,
//! and why.

use clap::Args;

use super::output::{Table, scope_text};
use super::role::ScopeArgs;
use super::{Context, exit};

#[derive(Args, Debug)]
pub struct AccessArgs {
    /// The user (username or email)
    pub user: String,
    /// Only what applies within this stage and/or app
    #[command(flatten)]
    pub scope: ScopeArgs,
}

#[derive(Args, Debug)]
pub struct QuestionArgs {
    /// The user (username or email)
    pub user: String,
    /// The permission key
    pub permission: String,
    /// The scope asked about [default: organization: every stage and app]
    #[command(flatten)]
    pub scope: ScopeArgs,
}

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// The permission key
    pub permission: String,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// How many paths a listing shows per permission (`--json` and `explain` show all).
const PATHS_SHOWN: usize = 1;

pub fn access(cx: &mut Context, args: AccessArgs) -> anyhow::Result<i32> {
    let scope = args.scope.scope();
    let view = cx.read(|s| {
        let engine = s.engine()?;
        s.access(&engine, &args.user, &scope)
    })?;
    if cx.out.json() {
        cx.out.value(&view)?;
        return Ok(exit::OK);
    }
    let mut facts = vec![view.status.to_string()];
    if view.locked {
        facts.push("locked: keeps these permissions but cannot sign in".into());
    }
    cx.out
        .line(&format!("{} ({})", view.user, facts.join(", ")))?;
    if view.status != crate::model::UserStatus::Active {
        cx.out.line(&format!(
            "no access: only active users hold permissions ({} is {})",
            view.user, view.status
        ))?;
        return Ok(exit::OK);
    }
    if view.permissions.is_empty() {
        cx.out.line("no permissions")?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["PERMISSION", "SCOPE", "VIA"]);
    for p in &view.permissions {
        let mut via = p
            .via
            .iter()
            .take(PATHS_SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if p.via.len() > PATHS_SHOWN {
            via.push_str(&format!("  (+{} more)", p.via.len() - PATHS_SHOWN));
        }
        table.row(vec![
            p.permission.clone(),
            scope_text(&p.stage, &p.app),
            via,
        ]);
    }
    cx.out.table(&table)?;
    Ok(exit::OK)
}

pub fn explain(cx: &mut Context, args: QuestionArgs) -> anyhow::Result<i32> {
    let scope = args.scope.scope();
    let view = cx.read(|s| {
        let engine = s.engine()?;
        s.explain(&engine, &args.user, &args.permission, &scope)
    })?;
    if cx.out.json() {
        cx.out.value(&view)?;
    } else if view.holds {
        cx.out.line(&format!(
            "{} holds {} at {} through {} path{}:",
            view.user,
            view.permission,
            scope_text(&view.stage, &view.app),
            view.paths.len(),
            if view.paths.len() == 1 { "" } else { "s" }
        ))?;
        for path in &view.paths {
            cx.out.line(&format!("  {path}"))?;
        }
        if view.truncated {
            cx.out.line(&format!(
                "  ... stopped after {} paths",
                crate::access::MAX_PATHS
            ))?;
        }
    } else {
        cx.out.line(&format!(
            "{} does not hold {} at {}{}; ask `warden why-not {} {}`",
            view.user,
            view.permission,
            scope_text(&view.stage, &view.app),
            within(&view.held_within),
            view.user,
            view.permission
        ))?;
    }
    Ok(if view.holds {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

pub fn why_not(cx: &mut Context, args: QuestionArgs) -> anyhow::Result<i32> {
    let scope = args.scope.scope();
    let view = cx.read(|s| {
        let engine = s.engine()?;
        s.why_not(&engine, &args.user, &args.permission, &scope)
    })?;
    if cx.out.json() {
        cx.out.value(&view)?;
        return Ok(exit::OK);
    }
    let at = scope_text(&view.stage, &view.app);
    if view.holds {
        cx.out.line(&format!(
            "{} does hold {} at {at}: {}",
            view.user,
            view.permission,
            view.via.clone().unwrap_or_default()
        ))?;
    } else if view.would_hold_if.is_empty() {
        cx.out.line(&format!(
            "{} does not hold {} at {at}, and no role or group in the store grants it there",
            view.user, view.permission
        ))?;
    } else {
        cx.out.line(&format!(
            "{} does not hold {} at {at}{}; it would hold if",
            view.user,
            view.permission,
            within(&view.held_within)
        ))?;
        for reason in &view.would_hold_if {
            cx.out.line(&format!("  {reason}"))?;
        }
    }
    Ok(exit::OK)
}

pub fn who_can(cx: &mut Context, args: WhoCanArgs) -> anyhow::Result<i32> {
    let scope = args.scope.scope();
    let view = cx.read(|s| {
        let engine = s.engine()?;
        s.who_can(&engine, &args.permission, &scope)
    })?;
    if cx.out.json() {
        cx.out.value(&view)?;
        return Ok(exit::OK);
    }
    cx.out.line(&format!(
        "{} user{} can {} at {}",
        view.users.len(),
        if view.users.len() == 1 { "" } else { "s" },
        view.permission,
        scope_text(&view.stage, &view.app)
    ))?;
    let mut table = Table::new(&["USER", "VIA"]);
    for holder in view.users {
        table.row(vec![holder.username, holder.via]);
    }
    if !table.is_empty() {
        cx.out.table(&table)?;
    }
    Ok(exit::OK)
}

/// ` (holds it only at stage QA, app shop)`, or nothing.
fn within(held: &[crate::service::access::AtomView]) -> String {
    if held.is_empty() {
        return String::new();
    }
    let scopes: Vec<String> = held.iter().map(|a| scope_text(&a.stage, &a.app)).collect();
    format!(" (holds it only at {})", scopes.join("; "))
}

pub fn check(cx: &mut Context, args: QuestionArgs) -> anyhow::Result<i32> {
    let scope = args.scope.scope();
    let holds = cx.read(|s| {
        let engine = s.engine()?;
        s.check(&engine, &args.user, &args.permission, &scope)
    })?;
    if cx.out.json() {
        cx.out.value(&serde_json::json!({ "holds": holds }))?;
    } else {
        cx.out.line(if holds { "yes" } else { "no" })?;
    }
    Ok(if holds { exit::OK } else { exit::CHECK_FAILED })
}
