//! Writing an export. JSON: the [`Document`] with one entry per line, so a changed user is a
//! changed line in `git diff`; each part is read, written and dropped before the next. CSV: one
//! table per file, in the columns `warden import` reads (users, memberships or assignments).

use std::io::Write;

use serde::Serialize;

use super::document::*;
use super::read::{Names, PartRows, Reading, read_part, tenant_names};
use crate::model::Vocabulary;
use crate::service::Error;
use crate::store::Tx;

/// What an export wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExportCounts {
    /// `(part, entries)` in the order written.
    pub parts: Vec<(String, usize)>,
}

fn io(e: std::io::Error) -> Error {
    Error::Write(e)
}

/// Compact JSON with unsafe characters (controls, bidi overrides, invisible ones) escaped:
/// lossless for any reader, inert when the export is shown on a terminal.
fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    crate::text::safe_json(value).map_err(Error::Write)
}

/// Writes `items` as a JSON array, one compact entry per line.
fn write_array<T: Serialize>(out: &mut dyn Write, key: &str, items: &[T]) -> Result<(), Error> {
    write!(out, ",\n  \"{key}\": [").map_err(io)?;
    for (i, item) in items.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}\n    {}", json(item)?).map_err(io)?;
    }
    let close = if items.is_empty() { "]" } else { "\n  ]" };
    out.write_all(close.as_bytes()).map_err(io)
}

/// Streams the parts of the store as an export document.
pub fn write_json(
    tx: &mut Tx<'_>,
    parts: &Parts,
    reading: &Reading,
    out: &mut dyn Write,
) -> Result<ExportCounts, Error> {
    let mut counts = ExportCounts::default();
    write!(
        out,
        "{{\n  \"format\": {},\n  \"version\": {VERSION},\n  \"tenants\": {}",
        json(&FORMAT)?,
        json(&tenant_names(tx, reading)?)?
    )
    .map_err(io)?;
    let names = Names::load(tx)?;
    for part in parts.iter() {
        let key = part.as_str();
        let n = match read_part(tx, part, reading, &names)? {
            PartRows::Stages(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Apps(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Permissions(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Roles(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Users(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Groups(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Assignments(v) => {
                write_array(out, key, &v)?;
                v.len()
            }
            PartRows::Policy(v) => {
                write!(out, ",\n  \"{key}\": {{").map_err(io)?;
                for (i, (k, value)) in v.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "," };
                    write!(out, "{sep}\n    {}: {}", json(k)?, json(value)?).map_err(io)?;
                }
                let close = if v.is_empty() { "}" } else { "\n  }" };
                out.write_all(close.as_bytes()).map_err(io)?;
                v.len()
            }
        };
        counts.parts.push((key.to_string(), n));
    }
    out.write_all(b"\n}\n").map_err(io)?;
    Ok(counts)
}

/// The one table a CSV export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    Users,
    Memberships,
    Assignments,
}

impl CsvTable {
    /// The table `--only` names for a CSV export.
    pub fn of(parts: &Parts) -> Result<CsvTable, Error> {
        let named: Vec<Part> = parts.iter().collect();
        match named.as_slice() {
            [Part::Users] => Ok(CsvTable::Users),
            [Part::Groups] => Ok(CsvTable::Memberships),
            [Part::Assignments] => Ok(CsvTable::Assignments),
            _ => Err(Error::Usage(
                "a CSV file holds one table: --only users, --only groups (memberships) or \
                 --only assignments; use --format json for the others"
                    .into(),
            )),
        }
    }

    /// The header row, as `warden import` reads it.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            CsvTable::Users => &[
                "username",
                "email",
                "kind",
                "display_name",
                "status",
                "external_id",
            ],
            CsvTable::Memberships => &["group", "stage", "username"],
            CsvTable::Assignments => &["role", "username", "stage", "app"],
        }
    }
}

/// Writes one table of one tenant as CSV (RFC 4180 quoting, a header row). `for_terminal`:
/// the output is a terminal, so unsafe characters are shown escaped (a file gets them as
/// they are).
pub fn write_csv(
    tx: &mut Tx<'_>,
    table: CsvTable,
    reading: &Reading,
    for_terminal: bool,
    out: &mut dyn Write,
) -> Result<usize, Error> {
    let mut csv = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| Error::Write(std::io::Error::other(e));
    csv.write_record(table.header()).map_err(csv_error)?;
    let mut rows = 0;
    let names = Names::load(tx)?;
    let shown = |v: &str| {
        if for_terminal {
            crate::text::terminal_safe(v).to_string()
        } else {
            v.to_string()
        }
    };
    let opt = |v: &Option<String>| shown(v.as_deref().unwrap_or_default());
    match table {
        CsvTable::Users => {
            if let PartRows::Users(users) = read_part(tx, Part::Users, reading, &names)? {
                for u in users {
                    csv.write_record([
                        shown(&u.username).as_str(),
                        &opt(&u.email),
                        u.kind.as_str(),
                        &shown(&u.display_name),
                        u.status.as_str(),
                        &opt(&u.external_id),
                    ])
                    .map_err(csv_error)?;
                    rows += 1;
                }
            }
        }
        CsvTable::Memberships => {
            if let PartRows::Groups(groups) = read_part(tx, Part::Groups, reading, &names)? {
                for g in groups {
                    for member in &g.members {
                        csv.write_record([shown(&g.name), shown(&g.stage), shown(member)])
                            .map_err(csv_error)?;
                        rows += 1;
                    }
                }
            }
        }
        CsvTable::Assignments => {
            if let PartRows::Assignments(assignments) =
                read_part(tx, Part::Assignments, reading, &names)?
            {
                for a in assignments {
                    csv.write_record([
                        shown(&a.role),
                        shown(&a.username),
                        opt(&a.stage),
                        opt(&a.app),
                    ])
                    .map_err(csv_error)?;
                    rows += 1;
                }
            }
        }
    }
    csv.flush().map_err(io)?;
    Ok(rows)
}

impl crate::service::Service<'_> {
    /// Writes the export, read in one snapshot: the JSON document, or one CSV table.
    pub fn export(
        &mut self,
        parts: &Parts,
        reading: &Reading,
        csv_table: Option<CsvTable>,
        for_terminal: bool,
        out: &mut dyn Write,
    ) -> Result<ExportCounts, Error> {
        self.store.read(|tx| match csv_table {
            None => write_json(tx, parts, reading, out),
            Some(table) => {
                let rows = write_csv(tx, table, reading, for_terminal, out)?;
                Ok(ExportCounts {
                    parts: vec![(format!("{table:?}").to_lowercase(), rows)],
                })
            }
        })
    }
}
