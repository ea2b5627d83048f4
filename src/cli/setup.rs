//! `warden init` and `warden demo`: creating stores.

use std::time::Instant;

use clap::Args;

use super::{Context, exit};
use crate::service::demo::{DemoSpec, create_demo_store};
use crate::service::init::{InitReport, InitRequest, create_store};
use crate::service::operator::os_account;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Username of the first Administrator [default: your OS account name]
    #[arg(long, value_name = "NAME")]
    pub admin: Option<String>,
    /// The first Administrator's email
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many users to generate
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// The random seed: the same seed gives the same store
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Username of the Administrator [default: your OS account name]
    #[arg(long, value_name = "NAME")]
    pub admin: Option<String>,
}

fn request(
    admin: Option<String>,
    email: Option<String>,
) -> Result<InitRequest, crate::service::Error> {
    let os = os_account()?;
    Ok(InitRequest {
        admin: admin.unwrap_or_else(|| os.clone()),
        email,
        os_account: os,
    })
}

fn print_init(cx: &mut Context, report: &InitReport) -> std::io::Result<()> {
    cx.out.line(&format!("created store {}", report.store))?;
    cx.out.line(&format!(
        "  tenant {}, stages {}, {} catalog permissions, built-in roles {}",
        report.tenant,
        report.stages.join(", "),
        report.permissions,
        report.roles.join(", ")
    ))?;
    cx.out.line(&format!(
        "  administrator {}, signed in as peer operator from OS account {}",
        report.administrator, report.peer_os_account
    ))
}

pub fn init(cx: &mut Context, args: InitArgs) -> anyhow::Result<i32> {
    let location = cx.location()?;
    let request = request(args.admin, args.email)?;
    let (_store, report, _operator) =
        create_store(&location, cx.store_options(), &request, &cx.clock)?;
    if cx.out.json() {
        cx.out.value(&report)?;
    } else {
        print_init(cx, &report)?;
    }
    Ok(exit::OK)
}

pub fn demo(cx: &mut Context, args: DemoArgs) -> anyhow::Result<i32> {
    let location = cx.location()?;
    let request = request(args.admin, None)?;
    let spec = DemoSpec {
        users: args.users,
        seed: args.seed,
    };
    let started = Instant::now();
    let (_store, init, report) =
        create_demo_store(&location, cx.store_options(), &request, spec, &cx.clock)?;
    let elapsed = started.elapsed();
    if cx.out.json() {
        cx.out.value(&serde_json::json!({
            "init": init, "demo": report, "seconds": elapsed.as_secs_f64()
        }))?;
    } else {
        print_init(cx, &init)?;
        cx.out.line(&format!(
            "generated (seed {}) in {:.1} s: {} users (members and end users sign in with {:?}), {} groups, {} apps, {} app permissions, {} roles, {} memberships, {} direct assignments, {} group roles, {} hostile strings",
            report.seed,
            elapsed.as_secs_f64(),
            report.users,
            report.password,
            report.groups,
            report.apps,
            report.permissions,
            report.roles,
            report.memberships,
            report.assignments,
            report.group_roles,
            report.hostile_strings
        ))?;
    }
    Ok(exit::OK)
}
