//! The store as a whole: `warden store check`, a report of everything wrong with a store
//! (damaged pages or indexes, broken references, the audit chain, cycles; exit 1 when anything
//! is), and `warden copy`, a whole store moved to another location or backend.

use std::time::Instant;

use clap::{Args, Subcommand};

use super::{Context, exit};

#[derive(Subcommand, Debug)]
pub enum StoreVerb {
    /// Check the store's pages and indexes, references, audit chain and role and permission
    /// graph; exit 1 if anything is wrong (nothing is repaired)
    Check,
}

pub fn run(cx: &mut Context, verb: StoreVerb) -> anyhow::Result<i32> {
    match verb {
        StoreVerb::Check => {
            let report = cx.read(|s| s.check_store())?;
            if cx.out.json() {
                cx.out.value(&report)?;
            } else {
                let location = cx.location()?.describe();
                for finding in &report.checks {
                    let verdict = match finding.problems.len() {
                        0 => "ok".to_string(),
                        1 => "1 problem".to_string(),
                        n => format!("{n} problems"),
                    };
                    cx.out.line(&format!("{:<11} {verdict}", finding.check))?;
                    for problem in &finding.problems {
                        cx.out.line(&format!("  {problem}"))?;
                    }
                }
                cx.out.line(&if report.ok {
                    format!("{location}: no problems found")
                } else {
                    format!(
                        "{location}: problems found; nothing was repaired — restore a backup, or fix what is named (cycles: remove one of their edges with warden)"
                    )
                })?;
            }
            Ok(if report.ok {
                exit::OK
            } else {
                exit::CHECK_FAILED
            })
        }
    }
}

#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The store to copy: a SQLite file or a PostgreSQL connection string
    #[arg(long, value_name = "PATH|URL")]
    pub from: String,
    /// Where the copy goes (a new store: nothing may be there yet); a PostgreSQL schema is
    /// named in the connection string (options=-csearch_path=NAME), else it is warden
    #[arg(long, value_name = "PATH|URL")]
    pub to: String,
}

/// `warden copy --from A --to B`: every tenant, every row with its id, the audit chain as is.
pub fn copy(cx: &mut Context, args: CopyArgs) -> anyhow::Result<i32> {
    let from = super::given_location(&args.from)?;
    let to = super::given_location(&args.to)?;
    if from == to {
        return Err(
            crate::service::Error::Usage("--from and --to name the same store".into()).into(),
        );
    }
    let started = Instant::now();
    let report = crate::store::copy::copy(&from, &to, cx.store_options())?;
    let seconds = started.elapsed().as_secs_f64();
    if cx.out.json() {
        cx.out
            .value(&serde_json::json!({ "copy": report, "seconds": seconds }))?;
    } else {
        cx.out.line(&format!(
            "copied {} rows from {} to {} in {seconds:.1} s",
            report.rows, report.from, report.to
        ))?;
        for (table, rows) in &report.tables {
            if *rows > 0 {
                cx.out.line(&format!("  {table:<17} {rows}"))?;
            }
        }
        cx.out.line(
            "the audit chain came along as it was: `warden audit verify` on the copy prints the source's head hash",
        )?;
    }
    Ok(exit::OK)
}
