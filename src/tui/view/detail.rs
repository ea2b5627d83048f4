//! The detail pane beside the table: the focused user, group, role, permission or audit record,
//! read from the loaded lists and the engine's relationships (no query per cursor move). The
//! same lines make the full view that `Enter` opens.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::state::{AppRow, State, Tab};
use super::safe;
use super::table::lock_badge;
use crate::model::{Scope, UserStatus, Vocabulary};
use crate::service::query::{GroupView, PermissionView, RoleView, UserView};

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".into()
    } else {
        text.to_string()
    }
}

fn scope_suffix(state: &State, scope: Scope) -> String {
    match state.data.as_ref() {
        Some(data) if !scope.is_organization() => {
            format!(" (at {})", data.engine.describe_scope(scope))
        }
        _ => String::new(),
    }
}

pub fn user_lines(state: &State, u: &UserView) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let e = &data.engine;
    let mut status = u.status.to_string();
    let lock = lock_badge(u.locked_until, state.now);
    if !lock.is_empty() {
        status.push_str(&format!(
            " · {lock} ({} failed attempts)",
            u.failed_attempts
        ));
    }
    let password = match (u.has_password, u.must_change_password) {
        (false, _) => "not set",
        (true, true) => "temporary: must change at next sign-in",
        (true, false) => "set",
    };
    let groups: Vec<String> = e
        .user_groups(u.id)
        .into_iter()
        .map(|g| e.group_label(g))
        .collect();
    let roles: Vec<String> = e
        .user_roles(u.id)
        .into_iter()
        .map(|(r, s)| format!("{}{}", e.role_key(r).unwrap_or("?"), scope_suffix(state, s)))
        .collect();
    // What decides access first: on a short pane (80x24) the last lines are the ones cut.
    vec![
        format!("{} · {}", u.username, u.kind),
        format!("status    {status}"),
        format!("groups    {}", or_dash(&groups.join(", "))),
        format!("roles     {}", or_dash(&roles.join(", "))),
        format!("name      {}", or_dash(&u.display_name)),
        format!("email     {}", or_dash(u.email.as_deref().unwrap_or(""))),
        format!("password  {password}"),
        format!(
            "sign-in   {}",
            u.last_sign_in_at.map_or("never".into(), |t| t.short())
        ),
        format!(
            "external  {}",
            or_dash(u.external_id.as_ref().map_or("", |x| x.0.as_str()))
        ),
        format!("created   {}", u.created_at.short()),
    ]
}

pub fn group_lines(state: &State, g: &GroupView) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let e = &data.engine;
    let roles: Vec<String> = e
        .group_roles(g.id)
        .into_iter()
        .filter_map(|r| e.role_key(r).map(String::from))
        .collect();
    let mut lines = vec![
        format!("{} · stage {} (fixed)", g.name, g.stage),
        format!("about     {}", or_dash(&g.description)),
        format!("members   {}", g.members),
        format!("roles     {}", or_dash(&roles.join(", "))),
        format!("updated   {}", g.updated_at.short()),
    ];
    if let Some(p) = &state.staging.projection {
        let reached = e
            .group_members(g.id)
            .into_iter()
            .filter(|u| p.users.contains_key(u))
            .count();
        lines.push(format!(
            "staged    {} users change, {reached} of its members",
            p.users_changed()
        ));
    }
    lines
}

pub fn role_lines(state: &State, r: &RoleView) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let e = &data.engine;
    let keys = |ids: Vec<crate::model::RoleId>| -> String {
        or_dash(
            &ids.into_iter()
                .filter_map(|id| e.role_key(id).map(String::from))
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let mut lines = vec![format!("{} · {}", r.key, r.name)];
    if r.builtin {
        lines.push("built in: read-only; copy it (c) to make an editable role".into());
    }
    lines.push(format!(
        "kind      {}{}",
        r.kind,
        r.app
            .as_ref()
            .map(|a| format!(" of app {a}"))
            .unwrap_or_default()
    ));
    lines.push(format!("about     {}", or_dash(&r.description)));
    lines.push(format!("includes  {}", keys(e.role_includes(r.id))));
    lines.push(format!("included  {}", keys(e.role_included_by(r.id))));
    let groups: Vec<String> = e
        .role_groups(r.id)
        .into_iter()
        .map(|g| e.group_label(g))
        .collect();
    lines.push(format!("groups    {}", or_dash(&groups.join(", "))));
    let holders = e.role_holders(r.id);
    lines.push(format!(
        "held by   {}: {} direct, {} via groups, {} via inclusion",
        holders.len(),
        holders.direct.len(),
        holders.through_groups.len(),
        holders.through_inclusion.len()
    ));
    if let Some(p) = &state.staging.projection {
        let reached = holders.all().filter(|u| p.users.contains_key(u)).count();
        lines.push(format!(
            "staged    {} users change, {reached} holding it",
            p.users_changed()
        ));
    }
    let grants = e.role_grants(r.id);
    lines.push(format!("grants    {}", grants.len()));
    lines.extend(grants.into_iter().map(|a| format!("  {}", e.atom_label(a))));
    lines
}

pub fn permission_lines(state: &State, p: &PermissionView) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let e = &data.engine;
    let granted: Vec<String> = e
        .granted_by(p.id)
        .into_iter()
        .map(|(r, s)| format!("{}{}", e.role_key(r).unwrap_or("?"), scope_suffix(state, s)))
        .collect();
    vec![
        format!("{} · {}", p.key, p.name),
        format!("section   {}", p.section),
        format!(
            "owner     {}",
            p.app
                .as_ref()
                .map_or("built-in catalog (read-only)".to_string(), |a| format!(
                    "app {a}"
                ))
        ),
        format!("about     {}", or_dash(&p.description)),
        format!("implies   {}", or_dash(&p.implies.join(", "))),
        format!("implied   {}", or_dash(&p.implied_by.join(", "))),
        format!("granted   {}", or_dash(&granted.join(", "))),
    ]
}

pub fn app_lines(state: &State, row: &AppRow) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let key = row.app.key.as_str();
    let permissions: Vec<&str> = data
        .permissions
        .iter()
        .filter(|p| p.app.as_deref() == Some(key))
        .map(|p| p.key.as_str())
        .collect();
    let roles: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.app.as_deref() == Some(key))
        .map(|r| r.key.as_str())
        .collect();
    vec![
        format!("{} · {}", row.app.key, row.app.name),
        format!("about     {}", or_dash(&row.app.description)),
        format!("perms     {}", or_dash(&permissions.join(", "))),
        format!("roles     {}", or_dash(&roles.join(", "))),
    ]
}

fn audit_lines(state: &State) -> Vec<String> {
    let Some(a) = state.focused_audit() else {
        return Vec::new();
    };
    let mut lines = vec![
        format!("#{} · {}", a.id, a.at.rfc3339()),
        format!("by        {}", a.operator),
        format!("action    {}", a.action),
        a.summary.clone(),
        String::new(),
    ];
    if let Some(changes) = a.detail.get("changes").and_then(|c| c.as_array()) {
        lines.push(format!("{} change(s):", changes.len()));
        for change in changes.iter().take(50) {
            lines.push(format!("  {}", change_line(change)));
        }
        if changes.len() > 50 {
            lines.push(format!(
                "  … {} more (warden audit show {})",
                changes.len() - 50,
                a.id
            ));
        }
    }
    lines
}

/// One recorded change for people: its operation, then its fields by name; an edit shows only
/// the fields that changed, as `field: before → after`.
fn change_line(change: &serde_json::Value) -> String {
    use serde_json::Value;
    let Some(fields) = change.as_object() else {
        return change.to_string();
    };
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut parts = vec![
        fields
            .get("op")
            .map(scalar)
            .unwrap_or_default()
            .replace('_', " "),
    ];
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("op" | "before" | "after", _) | (_, Value::Null) => {}
            (_, Value::String(text)) if text.is_empty() => {}
            (_, Value::Array(items)) => parts.push(format!("{key}: {} item(s)", items.len())),
            (_, Value::Object(_)) => parts.push(format!("{key}: {value}")),
            _ => parts.push(format!("{key}={}", scalar(value))),
        }
    }
    if let (Some(Value::Object(before)), Some(Value::Object(after))) =
        (fields.get("before"), fields.get("after"))
    {
        for (key, new) in after {
            let old = before.get(key).unwrap_or(&Value::Null);
            if old != new {
                parts.push(format!("{key}: {} → {}", scalar(old), scalar(new)));
            }
        }
    } else if let (Some(before), Some(after)) = (fields.get("before"), fields.get("after")) {
        parts.push(format!("{} → {}", scalar(before), scalar(after)));
    }
    parts.join(" ")
}

pub fn pane(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let lines = match state.tab {
        Tab::Users => state.focused_user().map(|u| user_lines(state, u)),
        Tab::Groups => state.focused_group().map(|g| group_lines(state, g)),
        Tab::Roles => state.focused_role().map(|r| role_lines(state, r)),
        Tab::Permissions => state
            .focused_permission()
            .map(|p| permission_lines(state, p)),
        Tab::Audit => Some(audit_lines(state)),
        Tab::Apps => state.focused_app().map(|a| app_lines(state, a)),
    }
    .unwrap_or_default();
    let danger = state.focused_user().is_some_and(|u| u.locked) && state.tab == Tab::Users;
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let style = if i == 0 {
                state.theme.title()
            } else if danger && l.starts_with("status") {
                state.theme.danger()
            } else if state.tab == Tab::Users
                && l.starts_with("status")
                && l.contains(UserStatus::Deactivated.as_str())
            {
                state.theme.dim()
            } else {
                state.theme.normal()
            };
            Line::from(Span::styled(safe(l).into_owned(), style))
        })
        .collect();
    let paragraph = Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .block(Block::default().borders(Borders::ALL).title(" Detail "));
    frame.render_widget(paragraph, area);
}
