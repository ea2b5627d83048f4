//! `warden report ...`: access nobody uses — dormant users and unused roles and permissions.

use clap::Subcommand;

use super::output::{Table, or_dash};
use super::{Context, exit};

#[derive(Subcommand, Debug)]
pub enum ReportVerb {
    /// Active users holding permissions with no sign-in for N days (never: counted from their
    /// creation), longest unseen first
    Dormant {
        /// How many days without a sign-in
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(0..=36500))]
        days: i64,
    },
    /// Roles no active user holds by any path, and permissions no role grants
    UnusedRoles,
}

pub fn run(cx: &mut Context, verb: ReportVerb) -> anyhow::Result<i32> {
    match verb {
        ReportVerb::Dormant { days } => {
            let users = cx.read(|s| {
                let engine = s.engine()?;
                s.dormant(&engine, days)
            })?;
            if cx.out.json() {
                cx.out.list(&users)?;
            } else {
                let mut table = Table::new(&["USERNAME", "KIND", "LAST SIGN-IN", "PERMISSIONS"]);
                for u in &users {
                    table.row(vec![
                        u.username.clone(),
                        u.kind.to_string(),
                        u.last_sign_in_at
                            .map(|t| t.short())
                            .unwrap_or_else(|| "never".into()),
                        u.permissions.to_string(),
                    ]);
                }
                cx.out.table(&table)?;
                cx.out.line(&format!(
                    "{} active users with access and no sign-in for {days} days",
                    users.len()
                ))?;
            }
            Ok(exit::OK)
        }
        ReportVerb::UnusedRoles => {
            let unused = cx.read(|s| {
                let engine = s.engine()?;
                s.unused(&engine)
            })?;
            if cx.out.json() {
                cx.out.value(&unused)?;
            } else {
                cx.out.line(&format!(
                    "roles no active user holds ({}): {}",
                    unused.roles.len(),
                    or_dash((!unused.roles.is_empty()).then(|| unused.roles.join(", ")))
                ))?;
                cx.out.line(&format!(
                    "permissions no role grants ({}): {}",
                    unused.permissions.len(),
                    or_dash(
                        (!unused.permissions.is_empty()).then(|| unused.permissions.join(", "))
                    )
                ))?;
            }
            Ok(exit::OK)
        }
    }
}
