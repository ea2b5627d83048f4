//! `warden store check`: a report of everything wrong with a store (damaged pages or indexes,
//! broken references, the audit chain, cycles); exit 1 when anything is.

use clap::Subcommand;

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
