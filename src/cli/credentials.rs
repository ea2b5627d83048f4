//! Credentials on the command line: `user set-password`, `user unlock`, `verify`, `passwd`,
//! `policy show|set|test`, `token create|list|revoke`.

use clap::{Args, Subcommand};

use super::output::Table;
use super::{Context, exit, secret};
use crate::model::SignInVia;
use crate::policy::settings::SETTINGS;
use crate::service::{Command, Error};

#[derive(Args, Debug)]
pub struct SetPasswordArgs {
    /// The user (username or email)
    pub name: String,
    /// The user must change it at next sign-in
    #[arg(long)]
    pub temporary: bool,
}

#[derive(Args, Debug)]
pub struct UnlockArgs {
    /// Users to unlock
    #[arg(value_name = "USER", required_unless_present = "all")]
    pub names: Vec<String>,
    /// Unlock every locked user
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The user signing in (username or email); the password is read from standard input
    pub user: String,
}

#[derive(Subcommand, Debug)]
pub enum PolicyVerb {
    /// Every password, lockout and hashing setting, with defaults and meanings
    Show,
    /// Change a setting (`warden policy show` lists them)
    Set { key: String, value: String },
    /// Check a candidate password (read from standard input) against every rule; exit 1 if
    /// any fails. With a user, also their names and recent passwords.
    Test { user: Option<String> },
}

#[derive(Subcommand, Debug)]
pub enum TokenVerb {
    /// Create a token for an API client; the token is printed once, only its digest is kept
    Create {
        client: String,
        /// What the token is for
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens (never their secrets)
    List { client: Option<String> },
    /// Revoke a token by its id (the TOKEN column of `token list`)
    Revoke {
        #[arg(value_name = "ID")]
        id: String,
    },
}

pub fn set_password(cx: &mut Context, args: SetPasswordArgs) -> anyhow::Result<i32> {
    let dry_run = cx.global.dry_run;
    let (mut store, operator) = cx.signed_in(false)?;
    let mut service = cx.service(&mut store);
    // Check the user and the operator's right first: nobody should type a password only to be
    // told they may not set it.
    let rehearsed = service.rehearse(
        &operator,
        &[Command::SetPassword {
            user: args.name.clone(),
            hash: String::new(),
            temporary: args.temporary,
            expected_version: None,
        }],
    )?;
    let password = secret::new_password(&format!("new password for {}", args.name))?;
    let outcome = if dry_run {
        let list = service.password_checklist(Some(&args.name), &password)?;
        if !list.passed() {
            return Err(Error::refused(
                crate::service::Rule::PasswordPolicy,
                format!("the password does not meet the policy: {}", list.summary()),
            )
            .into());
        }
        rehearsed
    } else {
        service.set_password(&operator, &args.name, &password, args.temporary)?
    };
    super::outcome::print_outcome(&mut cx.out, &outcome, None, None)?;
    Ok(exit::OK)
}

pub fn unlock(cx: &mut Context, args: UnlockArgs) -> anyhow::Result<i32> {
    cx.write(vec![Command::Unlock { users: args.names }])
}

pub fn verify(cx: &mut Context, args: VerifyArgs) -> anyhow::Result<i32> {
    let password = secret::password(&format!("password for {}", args.user))?;
    let mut store = cx.open()?;
    let mut service = cx.service(&mut store);
    let result = service.verify_password(&args.user, &password, SignInVia::Verify);
    let json = cx.out.json();
    match result {
        Ok(verified) => {
            if json {
                cx.out.value(&serde_json::json!({
                    "ok": true,
                    "user": verified.user.username,
                    "must_change_password": verified.must_change,
                }))?;
            } else if verified.must_change {
                cx.out.line("ok: the password must be changed now")?;
            } else {
                cx.out.line("ok")?;
            }
            Ok(exit::OK)
        }
        Err(Error::SignInRefused) => {
            if json {
                cx.out.value(&serde_json::json!({ "ok": false }))?;
            } else {
                eprintln!("warden: {}", Error::SignInRefused);
            }
            Ok(exit::CHECK_FAILED)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn passwd(cx: &mut Context) -> anyhow::Result<i32> {
    let dry_run = cx.global.dry_run;
    let (mut store, operator) = cx.signed_in(true)?;
    let mut service = cx.service(&mut store);
    let needs_current = !matches!(operator.sign_in, crate::service::SignIn::Password)
        && service
            .user_detail(&operator.username)
            .map(|d| d.user.has_password)?;
    let current = if needs_current {
        Some(secret::password("current password")?)
    } else {
        None
    };
    let new = secret::new_password("new password")?;
    if dry_run {
        let list = service.password_checklist(Some(&operator.username), &new)?;
        print_checklist(&mut cx.out, &list)?;
        cx.out.line("dry run: nothing was saved")?;
        return Ok(if list.passed() {
            exit::OK
        } else {
            exit::CHECK_FAILED
        });
    }
    let outcome =
        service.change_own_password(&operator, current.as_deref().map(|s| s.as_str()), &new)?;
    super::outcome::print_outcome(&mut cx.out, &outcome, None, None)?;
    Ok(exit::OK)
}

fn print_checklist(
    out: &mut super::output::Output,
    list: &crate::policy::password::Checklist,
) -> std::io::Result<()> {
    if out.json() {
        return out.value(&serde_json::json!({ "passed": list.passed(), "checks": list.checks }));
    }
    for check in &list.checks {
        let mark = if check.passed { "ok  " } else { "FAIL" };
        out.line(&format!("{mark}  {}", check.requirement))?;
    }
    Ok(())
}

pub fn policy(cx: &mut Context, verb: PolicyVerb) -> anyhow::Result<i32> {
    match verb {
        PolicyVerb::Show => {
            let stored = cx.read(|s| {
                s.store()
                    .read(|tx| Ok::<_, Error>((tx.settings()?, tx.policy()?.problems)))
            })?;
            let (values, problems) = stored;
            let rows: Vec<serde_json::Value> = SETTINGS
                .iter()
                .map(|s| {
                    let value = values
                        .get(s.key)
                        .cloned()
                        .unwrap_or_else(|| s.default.to_string());
                    serde_json::json!({
                        "key": s.key,
                        "value": value,
                        "default": s.default,
                        "description": s.description,
                    })
                })
                .collect();
            if cx.out.json() {
                cx.out
                    .value(&serde_json::json!({ "settings": rows, "problems": problems }))?;
                return Ok(exit::OK);
            }
            let mut table = Table::new(&["SETTING", "VALUE", "DEFAULT", "MEANING"]);
            for row in &rows {
                let cell = |k: &str| row[k].as_str().unwrap_or("").to_string();
                let value = cell("value");
                let default = cell("default");
                table.row(vec![
                    cell("key"),
                    value.clone(),
                    if value == default {
                        String::new()
                    } else {
                        default
                    },
                    cell("description"),
                ]);
            }
            cx.out.table(&table)?;
            for problem in problems {
                cx.out.line(&format!("warning: {problem}"))?;
            }
            Ok(exit::OK)
        }
        PolicyVerb::Set { key, value } => cx.write(vec![Command::SetSetting { key, value }]),
        PolicyVerb::Test { user } => {
            let candidate = secret::password("candidate password")?;
            let list = cx.read(|s| s.password_checklist(user.as_deref(), &candidate))?;
            print_checklist(&mut cx.out, &list)?;
            Ok(if list.passed() {
                exit::OK
            } else {
                exit::CHECK_FAILED
            })
        }
    }
}

pub fn token(cx: &mut Context, verb: TokenVerb) -> anyhow::Result<i32> {
    match verb {
        TokenVerb::Create { client, name } => {
            let dry_run = cx.global.dry_run;
            let (mut store, operator) = cx.signed_in(false)?;
            let mut service = cx.service(&mut store);
            let (outcome, token) = service.create_token(&operator, &client, &name, dry_run)?;
            if cx.out.json() {
                let mut value = serde_json::json!({
                    "summary": outcome.summary,
                    "committed": outcome.committed,
                    "audit_id": outcome.audit.map(|a| a.0),
                });
                if outcome.committed {
                    value["token"] = serde_json::Value::String(token);
                }
                cx.out.value(&value)?;
            } else if outcome.committed {
                cx.out.line(&format!(
                    "token for {client} (shown once, only its digest is kept; set WARDEN_TOKEN to it):"
                ))?;
                cx.out.line(&token)?;
            } else {
                super::outcome::print_outcome(&mut cx.out, &outcome, None, None)?;
            }
            Ok(exit::OK)
        }
        TokenVerb::List { client } => {
            let tokens = cx.read(|s| s.tokens(client.as_deref()))?;
            if cx.out.json() {
                cx.out.list(&tokens)?;
                return Ok(exit::OK);
            }
            let mut table =
                Table::new(&["TOKEN", "CLIENT", "NAME", "CREATED", "LAST USED", "REVOKED"]);
            for t in tokens {
                table.row(vec![
                    t.token,
                    t.client,
                    t.name,
                    t.created_at.short(),
                    t.last_used_at.map_or("never".into(), |x| x.short()),
                    t.revoked_at.map_or(String::new(), |x| x.short()),
                ]);
            }
            cx.out.table(&table)?;
            Ok(exit::OK)
        }
        TokenVerb::Revoke { id } => cx.write(vec![Command::RevokeToken { token: id }]),
    }
}
