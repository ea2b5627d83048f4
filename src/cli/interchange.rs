//! `warden export`, `import`, `diff` and `sync`: data in and out between environments, by
//! natural keys. Handlers read files and print reports; what a row may do is the service's.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Context, exit};
use crate::service::Error;
use crate::service::interchange::diff::{StoreDiff, diff_stores, read_store};
use crate::service::interchange::export::CsvTable;
use crate::service::interchange::read::Reading;
use crate::service::interchange::{ImportReport, OnConflict, Parts, RowOutcome, Source};
use crate::store::Store;

/// How many rows a human report lists before summarising (failures are always all listed).
const ROWS_SHOWN: usize = 50;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

fn parts(text: &str) -> Result<Parts, String> {
    Parts::parse(text)
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Only these parts, comma-separated: stages, apps, permissions, roles, users, groups,
    /// assignments, policy [default: all]
    #[arg(long, value_name = "PARTS", value_parser = parts)]
    pub only: Option<Parts>,
    /// json: the whole document; csv: one table (--only users, groups or assignments)
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Include password hashes (never to a terminal; the file is written mode 0600)
    #[arg(long)]
    pub with_secrets: bool,
    /// Write to this file (created whole, mode 0600) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Export documents (JSON) and CSV files of users, memberships or assignments, imported
    /// together as one change (`-`: standard input, once)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A row whose item exists with other values: fail (nothing is imported), skip (keep the
    /// stored values; rows that fail are skipped too and the rest is imported), or overwrite
    #[arg(long, value_name = "POLICY", default_value = "fail", value_parser = OnConflict::parse)]
    pub on_conflict: OnConflict,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The store that is as things should be
    #[arg(long, value_name = "PATH|URL")]
    pub from: String,
    /// The store compared with it (and, for sync, changed)
    #[arg(long, value_name = "PATH|URL")]
    pub to: String,
    /// Only these parts, comma-separated [default: all]
    #[arg(long, value_name = "PARTS", value_parser = parts)]
    pub only: Option<Parts>,
    /// Sync: delete users, groups, roles, permissions, apps and stages only --to has
    /// (without it they are kept)
    #[arg(long)]
    pub prune: bool,
    /// Compare and copy password hashes too (never shown; without it they are left alone)
    #[arg(long)]
    pub with_secrets: bool,
}

fn reading(cx: &Context, with_secrets: bool) -> Reading {
    Reading {
        tenant: cx.global.tenant.clone(),
        with_secrets,
    }
}

/// `warden export`.
pub fn export(cx: &mut Context, args: ExportArgs) -> anyhow::Result<i32> {
    let parts = args.only.clone().unwrap_or_else(Parts::all);
    let csv_table = match args.format {
        Format::Json => None,
        Format::Csv => Some(CsvTable::of(&parts)?),
    };
    if args.with_secrets && csv_table.is_some() {
        return Err(
            Error::Usage("CSV never carries password hashes; use --format json".into()).into(),
        );
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    if args.with_secrets && to_terminal {
        return Err(Error::Usage(
            "--with-secrets writes password hashes, which are not shown on a terminal: \
             give --output FILE or redirect to a file"
                .into(),
        )
        .into());
    }
    // A CSV table is one tenant's (the default one unless --tenant names another).
    let mut reading = reading(cx, args.with_secrets);
    if csv_table.is_some() {
        reading.tenant = Some(cx.global.tenant());
    }
    let mut store = cx.open()?;
    let mut service = cx.service(&mut store);
    match &args.output {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
            service.export(&parts, &reading, csv_table, to_terminal, &mut out)?;
            out.flush()?;
        }
        Some(path) => {
            let counts = crate::files::write_whole(path, |out| {
                service.export(&parts, &reading, csv_table, false, out)
            })
            .map_err(|e| match e {
                // Say which file, and that nothing is left half-written.
                Error::Write(io) => Error::Usage(format!(
                    "cannot write {}: {io}; nothing was written",
                    path.display()
                )),
                other => other,
            })?;
            if cx.out.json() {
                cx.out.value(&counts)?;
            } else {
                let described: Vec<String> = counts
                    .parts
                    .iter()
                    .map(|(part, n)| format!("{n} {part}"))
                    .collect();
                cx.out.line(&format!(
                    "exported {} to {}",
                    described.join(", "),
                    path.display()
                ))?;
            }
        }
    }
    Ok(exit::OK)
}

/// A file's bytes; `-` is standard input (`warden export | ssh host warden import -`).
fn read_source(path: &Path) -> Result<Source, Error> {
    let max = crate::files::READ_MAX_BYTES;
    if path == Path::new("-") {
        let bytes = crate::files::read_all_bounded(std::io::stdin().lock(), "standard input", max)
            .map_err(Error::Usage)?;
        return Ok(Source {
            name: "stdin".into(),
            bytes,
        });
    }
    let bytes = crate::files::read_bounded(path, max).map_err(Error::Usage)?;
    Ok(Source {
        name: path.display().to_string(),
        bytes,
    })
}

/// `warden import FILE...`.
pub fn import(cx: &mut Context, args: ImportArgs) -> anyhow::Result<i32> {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Error::Usage("standard input (-) can be read once".into()).into());
    }
    let sources = args
        .files
        .iter()
        .map(|p| read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut store, operator) = cx.signed_in(false)?;
    let mut service = cx.service(&mut store);
    let dry_run = cx.global.dry_run;
    let asking = !dry_run && !cx.global.yes && super::consent::can_ask();
    let (report, preview) = if dry_run || asking {
        let rehearsal = service.import(&operator, &sources, args.on_conflict, true)?;
        let preview = service.preview_changes(&rehearsal.changes)?;
        if dry_run || rehearsal.counts.failed > 0 {
            (rehearsal, Some(preview))
        } else {
            let summary = format!("import {}", totals(&rehearsal));
            if !super::consent::ask(&summary, &preview)? {
                cx.out.line("cancelled: nothing was changed")?;
                return Ok(exit::REFUSED);
            }
            let report = service.import(&operator, &sources, args.on_conflict, false)?;
            (report, None)
        }
    } else {
        let report = service.import(&operator, &sources, args.on_conflict, false)?;
        (report, None)
    };
    print_import(cx, &report, preview.as_ref())?;
    Ok(if !report.every_row_applied() {
        exit::REFUSED
    } else {
        exit::OK
    })
}

fn totals(report: &ImportReport) -> String {
    let c = &report.counts;
    format!(
        "{} created, {} updated, {} unchanged, {} skipped, {} failed",
        c.created, c.updated, c.unchanged, c.skipped, c.failed
    )
}

fn print_import(
    cx: &mut Context,
    report: &ImportReport,
    preview: Option<&crate::service::access::PreviewView>,
) -> anyhow::Result<()> {
    if cx.out.json() {
        let mut value = serde_json::to_value(report)?;
        if let Some(preview) = preview {
            value["preview"] = serde_json::to_value(preview)?;
        }
        cx.out.value(&value)?;
        return Ok(());
    }
    let mut shown = 0;
    for row in &report.rows {
        let listed_always = matches!(row.outcome, RowOutcome::Failed | RowOutcome::Skipped);
        if !listed_always {
            if row.outcome == RowOutcome::Unchanged || shown >= ROWS_SHOWN {
                continue;
            }
            shown += 1;
        }
        let mut line = String::new();
        if let Some(at) = row.origin.describe() {
            line.push_str(&at);
            line.push_str(": ");
        }
        let outcome = serde_json::to_value(row.outcome)?;
        line.push_str(outcome.as_str().unwrap_or_default());
        if !row.subject.is_empty() {
            line.push(' ');
            line.push_str(&row.subject);
        }
        if let Some(column) = &row.column {
            line.push_str(&format!(" [column {column}]"));
        }
        if let Some(reason) = &row.reason {
            line.push_str(&format!(": {reason}"));
        }
        cx.out.line(&line)?;
    }
    let changed = report.counts.created + report.counts.updated;
    if changed > shown {
        cx.out.line(&format!(
            "... and {} more rows created or updated (--json lists every row)",
            changed - shown
        ))?;
    }
    if let Some(preview) = preview {
        super::outcome::print_preview(&mut cx.out, preview)?;
    }
    let verdict = if report.committed {
        "imported"
    } else if cx.global.dry_run {
        "dry run, nothing was saved"
    } else {
        "nothing was imported"
    };
    cx.out.line(&format!("{verdict}: {}", totals(report)))?;
    Ok(())
}

fn open_other(cx: &Context, text: &str) -> Result<Store, Error> {
    let location = super::given_location(text)?;
    Ok(Store::open(&location, cx.store_options())?)
}

/// `warden diff --from A --to B`: exit 0 when they match, 1 when they differ.
pub fn diff(cx: &mut Context, args: CompareArgs) -> anyhow::Result<i32> {
    let parts = args.only.clone().unwrap_or_else(Parts::all);
    let mut from = open_other(cx, &args.from)?;
    let mut to = open_other(cx, &args.to)?;
    let reading = reading(cx, args.with_secrets);
    let diff = diff_stores(&mut from, &mut to, &parts, &reading, true)?;
    print_diff(cx, &diff)?;
    Ok(if diff.differences.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

fn print_diff(cx: &mut Context, diff: &StoreDiff) -> anyhow::Result<()> {
    if cx.out.json() {
        cx.out.value(diff)?;
        return Ok(());
    }
    for d in &diff.differences {
        cx.out.line(&d.line())?;
    }
    if diff.differences.is_empty() {
        cx.out.line("the stores match")?;
        return Ok(());
    }
    cx.out.line(&format!(
        "{} differences; access of {} users would change were --to made like --from:",
        diff.differences.len(),
        diff.access.len()
    ))?;
    for user in &diff.access {
        let mut parts: Vec<String> = user.gained.iter().map(|a| format!("+{a}")).collect();
        parts.extend(user.lost.iter().map(|a| format!("-{a}")));
        cx.out
            .line(&format!("  {}  {}", user.username, parts.join(" ")))?;
    }
    Ok(())
}

/// `warden sync --from A --to B`: B made like A as one transaction in B.
pub fn sync(cx: &mut Context, args: CompareArgs) -> anyhow::Result<i32> {
    let parts = args.only.clone().unwrap_or_else(Parts::all);
    let reading = reading(cx, args.with_secrets);
    let mut from = open_other(cx, &args.from)?;
    let (source_doc, _, _) = read_store(&mut from, &parts, &reading)?;
    drop(from);
    let target_cx = Context::new(super::Global {
        store: Some(args.to.clone()),
        ..cx.global.clone()
    });
    let (mut store, operator) = target_cx.signed_in(false)?;
    let mut service = target_cx.service(&mut store);
    let dry_run = cx.global.dry_run;
    let request = crate::service::interchange::diff::SyncRequest {
        parts: &parts,
        reading: &reading,
        prune: args.prune,
        dry_run,
        from: &args.from,
    };
    let report = service.sync_from(&operator, &source_doc, &request)?;
    if cx.out.json() {
        cx.out.value(&report)?;
    } else {
        for d in &report.differences {
            cx.out.line(&d.line())?;
        }
        for (subject, why) in &report.refused {
            cx.out.line(&format!("refused {subject}: {why}"))?;
        }
        let verdict = if report.committed {
            format!("synced: {} differences applied", report.differences.len())
        } else if report.differences.is_empty() {
            "nothing to change: the stores match".to_string()
        } else if dry_run {
            format!(
                "dry run: {} differences would be applied; nothing was saved",
                report.differences.len()
            )
        } else {
            "nothing was changed".to_string()
        };
        cx.out.line(&verdict)?;
    }
    Ok(if report.refused.is_empty() {
        exit::OK
    } else {
        exit::REFUSED
    })
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// csv (a header row, one row per user and permission) or json (one object per line)
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Only permissions held within this app
    #[arg(long, value_name = "APP")]
    pub app: Option<String>,
    /// Only permissions held within this stage
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
}

/// `warden matrix`: every user of the tenant × each effective permission, streamed.
pub fn matrix(cx: &mut Context, args: MatrixArgs) -> anyhow::Result<i32> {
    let within = crate::service::ScopeRef {
        stage: args.stage,
        app: args.app,
    };
    let for_terminal = std::io::stdout().is_terminal();
    let shown = |v: &str| {
        if for_terminal {
            crate::text::terminal_safe(v).to_string()
        } else {
            v.to_string()
        }
    };
    let mut store = cx.open()?;
    let mut service = cx.service(&mut store);
    let engine = service.engine()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    if matches!(args.format, Format::Json) || cx.out.json() {
        service.matrix(&engine, &within, &mut |row| {
            let line = crate::text::safe_json(&row).map_err(Error::Write)?;
            writeln!(out, "{line}").map_err(Error::Write)
        })?;
        out.flush()?;
        return Ok(exit::OK);
    }
    let mut csv = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| Error::Write(std::io::Error::other(e));
    csv.write_record(["username", "permission", "stage", "app", "via"])
        .map_err(csv_error)?;
    service.matrix(&engine, &within, &mut |row| {
        csv.write_record([
            shown(&row.username),
            row.permission,
            row.stage.map(|s| shown(&s)).unwrap_or_default(),
            row.app.unwrap_or_default(),
            shown(&row.via),
        ])
        .map_err(csv_error)
    })?;
    csv.flush()?;
    Ok(exit::OK)
}

#[derive(Args, Debug)]
pub struct AssertArgs {
    /// Lines like `alice can apps.deploy at QA`, `bob cannot users.delete`, `only
    /// Administrators can users.delete`, `nobody can shop.refund at Production`, `group ops
    /// can shop.orders.ship at QA` (`in APP` narrows to an app; # starts a comment)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `warden assert FILE`: exit 1 listing every line that does not hold, with its path.
pub fn assert(cx: &mut Context, args: AssertArgs) -> anyhow::Result<i32> {
    let source = read_source(&args.file)?;
    let text = String::from_utf8(source.bytes)
        .map_err(|_| Error::Usage(format!("{} is not UTF-8 text", source.name)))?;
    let mut store = cx.open()?;
    let mut service = cx.service(&mut store);
    let engine = service.engine()?;
    let (checked, failed) = service.check_assertions(&engine, &text)?;
    if cx.out.json() {
        cx.out.value(&serde_json::json!({
            "checked": checked,
            "failed": failed,
        }))?;
    } else {
        for f in &failed {
            cx.out.line(&format!(
                "{}:{}: does not hold: {}",
                source.name, f.line, f.text
            ))?;
            for why in &f.why {
                cx.out.line(&format!("  {why}"))?;
            }
        }
        cx.out.line(&format!(
            "{} of {checked} assertions hold",
            checked - failed.len()
        ))?;
    }
    Ok(if failed.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}
