//! The organization's frame: apps, stages and tenants. Deleting one that is still referred to is
//! refused with what still uses it.

use super::{Ctx, Plan};
use crate::model::validate;
use crate::model::*;
use crate::service::error::{Error, Rule};
use crate::service::resolve;
use crate::store::read::Usage;

fn describe_usage(usage: &Usage) -> String {
    let parts: Vec<String> = [
        (usage.groups, "group"),
        (usage.roles, "role"),
        (usage.permissions, "permission"),
        (usage.grants, "grant"),
        (usage.assignments, "assignment"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
    .collect();
    parts.join(", ")
}

pub fn add_app(
    cx: &mut Ctx<'_, '_>,
    key: &str,
    name: &str,
    description: &str,
) -> Result<Plan, Error> {
    let key = validate::key("app key", key)?;
    let name = validate::name("app name", name)?;
    let description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    if let Some(existing) = cx.tx.app_by_key(&key)? {
        return Err(Error::refused(
            Rule::UniqueName,
            format!("the app key {key} is taken ({})", existing.name),
        ));
    }
    Ok(Plan::new(format!("add app {key}")).with(Change::AddApp {
        id: AppId(0),
        key,
        fields: AppFields { name, description },
    }))
}

pub fn edit_app(
    cx: &mut Ctx<'_, '_>,
    key: &str,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Plan, Error> {
    let app = resolve::app(cx.tx, key)?;
    let before = AppFields {
        name: app.name.clone(),
        description: app.description.clone(),
    };
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = validate::name("app name", name)?;
    }
    if let Some(description) = description {
        after.description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    }
    let summary = format!("edit app {}", app.key);
    if after == before {
        let mut plan = Plan::new(summary);
        plan.skip(&app.key, "nothing to change");
        return Ok(plan);
    }
    Ok(Plan::new(summary).with(Change::EditApp {
        app: Named::new(app.id, app.key),
        before,
        after,
    }))
}

pub fn delete_app(cx: &mut Ctx<'_, '_>, key: &str) -> Result<Plan, Error> {
    let app = resolve::app(cx.tx, key)?;
    let usage = cx.tx.app_usage(app.id)?;
    if !usage.is_unused() {
        return Err(Error::refused(
            Rule::InUse,
            format!(
                "app {} still has {}; delete or re-scope them first",
                app.key,
                describe_usage(&usage)
            ),
        ));
    }
    Ok(
        Plan::new(format!("delete app {}", app.key)).with(Change::DeleteApp {
            app: Named::new(app.id, app.key),
            before: AppFields {
                name: app.name,
                description: app.description,
            },
        }),
    )
}

pub fn add_stage(cx: &mut Ctx<'_, '_>, name: &str, after: Option<&str>) -> Result<Plan, Error> {
    let name = validate::name("stage name", name)?;
    if let Some(existing) = cx.tx.stage_by_name(&name)? {
        return Err(Error::refused(
            Rule::UniqueName,
            format!("the stage {} already exists", existing.name),
        ));
    }
    let stages = cx.tx.stages()?;
    let position = match after {
        Some(after) => resolve::stage(cx.tx, after)?.position + 1,
        None => stages.iter().map(|s| s.position).max().unwrap_or(0) + 1,
    };
    Ok(
        Plan::new(format!("add stage {name}")).with(Change::AddStage {
            id: StageId(0),
            name,
            position,
        }),
    )
}

pub fn delete_stage(cx: &mut Ctx<'_, '_>, name: &str) -> Result<Plan, Error> {
    let stage = resolve::stage(cx.tx, name)?;
    let usage = cx.tx.stage_usage(stage.id)?;
    if !usage.is_unused() {
        return Err(Error::refused(
            Rule::InUse,
            format!(
                "stage {} is still used by {}; remove those first",
                stage.name,
                describe_usage(&usage)
            ),
        ));
    }
    Ok(
        Plan::new(format!("delete stage {}", stage.name)).with(Change::DeleteStage {
            stage: Named::new(stage.id, stage.name),
            position: stage.position,
        }),
    )
}

pub fn add_tenant(cx: &mut Ctx<'_, '_>, name: &str) -> Result<Plan, Error> {
    let name = validate::key("tenant name", name)?;
    if cx.tx.tenant_by_name(&name)?.is_some() {
        return Err(Error::refused(
            Rule::UniqueName,
            format!("the tenant {name} already exists"),
        ));
    }
    Ok(
        Plan::new(format!("add tenant {name}")).with(Change::AddTenant {
            id: TenantId(0),
            name,
        }),
    )
}
