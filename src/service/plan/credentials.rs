//! Credentials and policy: passwords (already checked and hashed by the caller), unlocking,
//! policy settings and API client tokens.

use super::{Ctx, Plan, check_version};
use crate::model::*;
use crate::policy::settings;
use crate::service::error::{Error, Rule};
use crate::service::resolve;

pub fn set_password(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    hash: &str,
    temporary: bool,
    expected_version: Option<i64>,
) -> Result<Plan, Error> {
    let user = resolve::user(cx.tx, cx.tenant, name)?;
    check_version(cx, "user", &user.username, expected_version, user.version)?;
    if user.kind == UserKind::ApiClient {
        return Err(Error::refused(
            Rule::Credentials,
            format!(
                "{} is an API client; API clients sign in with tokens: warden token create {}",
                user.username, user.username
            ),
        ));
    }
    let summary = if temporary {
        format!("set a temporary password for {}", user.username)
    } else {
        format!("set a new password for {}", user.username)
    };
    Ok(Plan::new(summary).with(Change::SetPassword {
        user: Named::new(user.id, user.username),
        temporary,
        hash: hash.to_string(),
    }))
}

pub fn unlock(cx: &mut Ctx<'_, '_>, names: &[String]) -> Result<Plan, Error> {
    let users = if names.is_empty() {
        cx.tx.locked_users(cx.now)?
    } else {
        resolve::users(cx.tx, cx.tenant, names)?
    };
    let mut plan = Plan::default();
    for user in users {
        if user.lock.failed_attempts == 0 && user.lock.locked_until.is_none() {
            plan.skip(&user.username, "not locked and no failed attempts");
            continue;
        }
        plan.change(
            user.username.clone(),
            Change::Unlock {
                user: Named::new(user.id, user.username),
                failed_attempts: user.lock.failed_attempts,
            },
        );
    }
    Ok(plan.summarize(|names| {
        if names.is_empty() {
            "no locked users".to_string()
        } else {
            format!("unlock {names}")
        }
    }))
}

pub fn set_setting(cx: &mut Ctx<'_, '_>, key: &str, value: &str) -> Result<Plan, Error> {
    let setting = settings::setting(key).ok_or_else(|| {
        let keys: Vec<&str> = settings::SETTINGS.iter().map(|s| s.key).collect();
        Error::Usage(format!(
            "no policy setting {key:?}; the settings are {}",
            keys.join(", ")
        ))
    })?;
    let after = setting.parse(value).map_err(Error::Usage)?;
    let stored = cx.tx.settings()?;
    let before = stored
        .get(key)
        .cloned()
        .unwrap_or_else(|| setting.default.to_string());
    // Settings that bound each other are checked together.
    let mut next = stored.clone();
    next.insert(key.to_string(), after.clone());
    let policy = crate::policy::Policy::from_values(&next);
    if policy.password.max_length < policy.password.min_length {
        return Err(Error::Usage(format!(
            "password.max_length ({}) must not be below password.min_length ({})",
            policy.password.max_length, policy.password.min_length
        )));
    }
    if policy.lockout.hard_limit < policy.lockout.threshold {
        return Err(Error::Usage(format!(
            "lockout.hard_limit ({}) must not be below lockout.threshold ({})",
            policy.lockout.hard_limit, policy.lockout.threshold
        )));
    }
    let mut plan = Plan::new(format!("{key} = {after}"));
    if before == after {
        plan.skip(key, format!("already {after}"));
        return Ok(plan);
    }
    Ok(plan.with(Change::SetSetting {
        key: key.to_string(),
        before,
        after,
    }))
}

pub fn create_token(
    cx: &mut Ctx<'_, '_>,
    client: &str,
    name: &str,
    token: &str,
    secret_digest: &str,
) -> Result<Plan, Error> {
    let user = resolve::user(cx.tx, cx.tenant, client)?;
    if user.kind != UserKind::ApiClient {
        return Err(Error::refused(
            Rule::Credentials,
            format!(
                "{} is a {} user; tokens are for API clients (user add NAME --kind api_client)",
                user.username, user.kind
            ),
        ));
    }
    let name = crate::model::validate::text("token name", name, crate::model::validate::NAME_MAX)?;
    Ok(
        Plan::new(format!("create token {token} for {}", user.username)).with(
            Change::CreateToken {
                token: token.to_string(),
                user: Named::new(user.id, user.username),
                name,
                secret_digest: secret_digest.to_string(),
            },
        ),
    )
}

pub fn revoke_token(cx: &mut Ctx<'_, '_>, token: &str) -> Result<Plan, Error> {
    let record = cx.tx.token(token)?.ok_or_else(|| {
        Error::NotFound(format!(
            "no token {token:?}; list them with `warden token list`"
        ))
    })?;
    let user = resolve::user_by_id(cx.tx, record.user)?;
    let mut plan = Plan::new(format!("revoke token {token} of {}", user.username));
    if record.revoked_at.is_some() {
        plan.skip(token, "already revoked");
        return Ok(plan);
    }
    Ok(plan.with(Change::RevokeToken {
        token: token.to_string(),
        user: Named::new(user.id, user.username),
    }))
}
