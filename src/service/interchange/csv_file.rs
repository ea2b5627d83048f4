//! Reading an import CSV: UTF-8 (a byte-order mark tolerated), RFC 4180 quoting, a header row
//! naming the columns. The header says which table it is — users (`username,email,kind,
//! display_name`, optionally `status,external_id`), memberships (`group,stage,username`) or
//! role assignments (`role,username,stage,app`) — and columns may come in any order. Rows are
//! numbered as a spreadsheet numbers them: the header is row 1.
//!
//! Shape problems are the file's (a wrong column count, a password column); whether a value is
//! acceptable is left to the same rules the verbs apply.

use super::apply::Origin;
use super::document::{AssignmentEntry, UserEntry};
use crate::model::{UserKind, UserStatus, Vocabulary};

/// One row of a CSV, as what it asks for.
#[derive(Clone, Debug)]
pub enum Row {
    User {
        user: UserEntry,
        /// The file has no status column.
        no_status: bool,
    },
    Member {
        group: String,
        stage: String,
        username: String,
    },
    Assignment(AssignmentEntry),
}

/// A row that could not be read, with where and why.
#[derive(Clone, Debug)]
pub struct RowProblem {
    pub origin: Origin,
    pub column: Option<String>,
    pub reason: String,
}

/// Which table a header describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    Users,
    Members,
    Assignments,
}

const USERS_REQUIRED: &[&str] = &["username", "email", "kind", "display_name"];
const USERS_OPTIONAL: &[&str] = &["status", "external_id"];
const MEMBERS: &[&str] = &["group", "stage", "username"];
const ASSIGNMENTS: &[&str] = &["role", "username", "stage", "app"];

/// The columns, by header name.
struct Columns {
    table: Table,
    names: Vec<String>,
}

impl Columns {
    fn of(header: &[String]) -> Result<Columns, (Option<String>, String)> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        if let Some(secret) = names.iter().find(|n| n.contains("password")) {
            return Err((
                Some(secret.clone()),
                "passwords are never imported: import the users invited, or give them \
                 temporary passwords afterwards (warden user set-password USER --temporary)"
                    .into(),
            ));
        }
        let has = |n: &str| names.iter().any(|c| c == n);
        let (table, allowed): (Table, Vec<&str>) = if has("group") {
            (Table::Members, MEMBERS.to_vec())
        } else if has("role") {
            (Table::Assignments, ASSIGNMENTS.to_vec())
        } else if has("username") && has("kind") {
            (
                Table::Users,
                USERS_REQUIRED
                    .iter()
                    .chain(USERS_OPTIONAL)
                    .copied()
                    .collect(),
            )
        } else {
            return Err((
                None,
                format!(
                    "the header names no known table: users need {}, memberships {}, \
                     assignments {}",
                    USERS_REQUIRED.join(","),
                    MEMBERS.join(","),
                    ASSIGNMENTS.join(",")
                ),
            ));
        };
        if let Some(unknown) = names.iter().find(|n| !allowed.contains(&n.as_str())) {
            return Err((
                Some(unknown.clone()),
                format!(
                    "unknown column {unknown:?}; this table's columns are {}",
                    allowed.join(",")
                ),
            ));
        }
        let required: &[&str] = match table {
            Table::Users => USERS_REQUIRED,
            Table::Members => MEMBERS,
            Table::Assignments => ASSIGNMENTS,
        };
        if let Some(missing) = required.iter().find(|r| !has(r)) {
            return Err((
                Some(missing.to_string()),
                format!("the column {missing} is missing from the header"),
            ));
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err((Some(n.clone()), format!("the column {n} appears twice")));
            }
        }
        Ok(Columns { table, names })
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        let i = self.names.iter().position(|n| n == name)?;
        record.get(i)
    }
}

/// Reads a CSV file's rows for the tenant `tenant`. A problem with the file as a whole (not
/// UTF-8, an unknown header, a password column) is one problem on row 1 and no rows.
pub fn read(name: &str, bytes: &[u8], tenant: &str) -> (Vec<(Origin, Row)>, Vec<RowProblem>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let problem = |row: usize, column: Option<String>, reason: String| RowProblem {
        origin: Origin::row(name, row),
        column,
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        problems.push(problem(
            line,
            None,
            format!("not UTF-8 (line {line}); save the file as UTF-8 and import it again"),
        ));
        return (rows, problems);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_string).collect(),
        Some(Err(e)) => {
            problems.push(problem(1, None, format!("the header cannot be read: {e}")));
            return (rows, problems);
        }
        None => {
            problems.push(problem(
                1,
                None,
                "the file is empty; a header row is required".into(),
            ));
            return (rows, problems);
        }
    };
    let columns = match Columns::of(&header) {
        Ok(c) => c,
        Err((column, reason)) => {
            problems.push(problem(1, column, reason));
            return (rows, problems);
        }
    };
    for (i, record) in records.enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(row, None, format!("cannot be read: {e}")));
                continue;
            }
        };
        if record.len() != columns.names.len() {
            problems.push(problem(
                row,
                None,
                format!(
                    "has {} columns where the header has {}",
                    record.len(),
                    columns.names.len()
                ),
            ));
            continue;
        }
        let text = |name: &str| columns.get(&record, name).unwrap_or("").to_string();
        let optional = |name: &str| {
            let value = text(name);
            (!value.trim().is_empty()).then_some(value)
        };
        match columns.table {
            Table::Users => {
                let kind = match UserKind::parse(text("kind").trim()) {
                    Ok(k) => k,
                    Err(reason) => {
                        problems.push(problem(row, Some("kind".into()), reason));
                        continue;
                    }
                };
                let no_status = !columns.names.iter().any(|n| n == "status")
                    || text("status").trim().is_empty();
                let status = if no_status {
                    UserStatus::Invited
                } else {
                    match UserStatus::parse(text("status").trim()) {
                        Ok(s) => s,
                        Err(reason) => {
                            problems.push(problem(row, Some("status".into()), reason));
                            continue;
                        }
                    }
                };
                rows.push((
                    Origin::row(name, row),
                    Row::User {
                        user: UserEntry {
                            tenant: tenant.to_string(),
                            username: text("username"),
                            email: optional("email"),
                            display_name: text("display_name"),
                            kind,
                            status,
                            external_id: optional("external_id"),
                            password_hash: None,
                            must_change_password: false,
                            tokens: Vec::new(),
                        },
                        no_status,
                    },
                ));
            }
            Table::Members => rows.push((
                Origin::row(name, row),
                Row::Member {
                    group: text("group"),
                    stage: text("stage"),
                    username: text("username"),
                },
            )),
            Table::Assignments => rows.push((
                Origin::row(name, row),
                Row::Assignment(AssignmentEntry {
                    tenant: tenant.to_string(),
                    username: text("username"),
                    role: text("role"),
                    stage: optional("stage"),
                    app: optional("app"),
                }),
            )),
        }
    }
    (rows, problems)
}
