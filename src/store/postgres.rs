//! The PostgreSQL driver: connecting (TLS by `sslmode`, the schema on the search path), running
//! the store's SQL (its `?` placeholders numbered, statements prepared once per connection),
//! transactions that honour the [`Connection`] contract (reads on one snapshot; writers
//! serialized by a transaction-scoped advisory lock per schema, then a notification to other
//! consoles at commit), reconnecting after a lost connection, and the one mapping from
//! PostgreSQL errors to [`StoreError`], which names the host and database, never the password.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Statement};

use super::error::StoreError;
use super::postgres_error::{connect_error, connection_gone, map_error};
use super::postgres_target::{Host, PgTarget};
use super::postgres_tls;
use super::sql::{CheckDepth, Connection, Param, Row, TxMode, Value};

/// The channel every write is announced on (the payload is the schema), for live refresh.
pub const CHANGES_CHANNEL: &str = "warden_changes";

/// The first key of the advisory lock that serializes writers (the second is the schema's).
const WRITE_LOCK_CLASS: i32 = 0x5741_5244; // "WARD"

pub struct PgConnection {
    client: Client,
    target: Arc<PgTarget>,
    busy_timeout: Duration,
    statements: HashMap<String, Statement>,
    in_transaction: bool,
    writing: bool,
    /// The server hung up (a restart, a network cut): the next transaction starts on a new
    /// connection.
    broken: bool,
}

/// Opens a client to `target` with the schema on its search path, as nothing else: not the
/// store's own settings (see [`PgConnection::connect`]).
pub fn client(target: &PgTarget, busy_timeout: Duration) -> Result<Client, StoreError> {
    let mut config = postgres::Config::new();
    for host in &target.hosts {
        match host {
            Host::Tcp(name, port) => {
                config.host(name).port(*port);
            }
            Host::Socket(dir, port) => {
                config.host_path(dir).port(*port);
            }
        }
    }
    config
        .user(&target.user)
        .dbname(&target.dbname)
        .application_name(&target.application_name)
        .ssl_mode(postgres_tls::wire_mode(target.ssl));
    if let Some(password) = target.password() {
        config.password(password);
    }
    if let Some(options) = &target.options {
        config.options(options);
    }
    config.connect_timeout(target.connect_timeout.unwrap_or(Duration::from_secs(10)));
    let connected = match postgres_tls::connector(target)? {
        Some(tls) => config.connect(tls),
        None => config.connect(postgres::NoTls),
    };
    let mut client = connected.map_err(|e| connect_error(target, &e))?;
    let lock_ms = busy_timeout.as_millis().max(1);
    client
        .batch_execute(&format!(
            "SET search_path TO {}; SET lock_timeout = '{lock_ms}ms'; SET client_min_messages = warning",
            quote_ident(&target.schema)
        ))
        .map_err(|e| map_error(target, &e))?;
    Ok(client)
}

/// `"name"`, with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl PgConnection {
    pub fn connect(target: Arc<PgTarget>, busy_timeout: Duration) -> Result<Self, StoreError> {
        let client = client(&target, busy_timeout)?;
        Ok(PgConnection {
            client,
            target,
            busy_timeout,
            statements: HashMap::new(),
            in_transaction: false,
            writing: false,
            broken: false,
        })
    }

    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    /// A connection lost between transactions is made again, once per call; one lost in the
    /// middle of a transaction is an error for that transaction (nothing of it was committed).
    fn reconnect_if_lost(&mut self) -> Result<(), StoreError> {
        if !self.broken && !self.client.is_closed() {
            return Ok(());
        }
        self.client = client(&self.target, self.busy_timeout)?;
        self.statements.clear();
        self.broken = false;
        Ok(())
    }

    /// Begins a transaction of `mode` on the current connection.
    fn start(&mut self, mode: TxMode) -> Result<(), StoreError> {
        let sql = match mode {
            TxMode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY".to_string(),
            // Every writer takes the same lock first, so writes are serialized as the audit
            // chain (read the head, append), lockout counting and the post-conditions assume.
            // lock_timeout bounds the wait; readers are never blocked.
            TxMode::Write => format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_CLASS}, hashtext(current_schema()))"
            ),
        };
        if let Err(e) = self.batch(&sql) {
            // A transaction begun but not locked (the wait ran out) must not linger.
            if !self.broken && !self.client.is_closed() {
                let _ = self.client.batch_execute("ROLLBACK");
            }
            return Err(e);
        }
        self.in_transaction = true;
        self.writing = mode == TxMode::Write;
        Ok(())
    }

    /// Maps a driver error, noting when it means the connection is gone.
    fn fail(&mut self, e: &postgres::Error) -> StoreError {
        if connection_gone(e) {
            self.broken = true;
        }
        map_error(&self.target, e)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let prepared = self.client.prepare(&numbered(sql));
        let statement = prepared.map_err(|e| self.fail(&e))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// `?` placeholders as PostgreSQL's `$1, $2, ...`, leaving quoted text and comments alone.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '-' if chars.peek() == Some(&'-') => {
                    // A comment runs to the end of the line.
                    out.push(c);
                    for rest in chars.by_ref() {
                        out.push(rest);
                        if rest == '\n' {
                            break;
                        }
                    }
                }
                '?' => {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                c => out.push(c),
            },
        }
    }
    out
}

/// A parameter, converted to whatever type PostgreSQL inferred for its place.
#[derive(Debug)]
struct PgParam<'a>(Param<'a>);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR | Type::UNKNOWN => {
                    v.to_string().as_str().to_sql(ty, out)
                }
                ref other => Err(format!("an integer cannot be sent as {other}").into()),
            },
            Param::Text(v) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR | Type::UNKNOWN => {
                    v.to_sql(ty, out)
                }
                Type::INT8 => v.parse::<i64>()?.to_sql(ty, out),
                ref other => Err(format!("text cannot be sent as {other}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// One column of a result row as one of the store's three value types.
fn value(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::OID => row
            .try_get::<_, Option<u32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)?
            .map_or(Value::Null, |v| Value::Text(v.to_string())),
        _ => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
    })
}

impl Connection for PgConnection {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        let result = self.client.batch_execute(sql);
        result.map_err(|e| self.fail(&e))
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        let params: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let result = self.client.execute(&statement, &refs);
        result.map_err(|e| self.fail(&e))
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let statement = self.statement(sql)?;
        let params: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
        let target = Arc::clone(&self.target);
        let mut gone = false;
        let result = (|| {
            let mut note = |e: postgres::Error| {
                gone |= connection_gone(&e);
                map_error(&target, &e)
            };
            let mut rows = self
                .client
                .query_raw(&statement, params.iter())
                .map_err(&mut note)?;
            let mut buffer = Row(Vec::new());
            while let Some(row) = rows.next().map_err(&mut note)? {
                buffer.0.clear();
                for i in 0..row.len() {
                    buffer.0.push(value(&row, i).map_err(&mut note)?);
                }
                each(&buffer)?;
            }
            Ok(())
        })();
        if gone {
            self.broken = true;
        }
        result
    }

    fn begin(&mut self, mode: TxMode) -> Result<(), StoreError> {
        if !self.in_transaction {
            self.reconnect_if_lost()?;
        }
        let attempt = self.start(mode);
        match attempt {
            // The connection had gone while idle (a server restart): once more, on a new one.
            Err(_) if self.broken && !self.in_transaction => {
                self.reconnect_if_lost()?;
                self.start(mode)
            }
            other => other,
        }
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.writing {
            // Delivered to listeners only if the transaction commits.
            self.execute(
                "SELECT pg_notify(?, current_schema())",
                &[Param::Text(CHANGES_CHANNEL)],
            )?;
        }
        let result = self.batch("COMMIT");
        self.in_transaction = false;
        self.writing = false;
        result
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if !self.in_transaction {
            return Ok(());
        }
        self.in_transaction = false;
        self.writing = false;
        if self.client.is_closed() {
            // The server rolled it back when the connection went.
            return Ok(());
        }
        self.batch("ROLLBACK")
    }

    fn prepare_for_writing(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    fn damaged_pages(&mut self, _depth: CheckDepth) -> Result<Vec<String>, StoreError> {
        // The server checks its own pages (checksums, WAL); nothing for warden to read.
        Ok(Vec::new())
    }

    fn broken_references(&mut self) -> Result<Vec<String>, StoreError> {
        // The server enforces every foreign key; a row cannot refer to a missing one.
        Ok(Vec::new())
    }

    fn tables(&mut self) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT tablename::text FROM pg_catalog.pg_tables
             WHERE schemaname = current_schema() ORDER BY 1",
            &[],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }

    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?
             ORDER BY ordinal_position",
            &[Param::Text(table)],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }

    fn advance_numbering(&mut self, table: &str) -> Result<(), StoreError> {
        // The next id follows the largest one present (or is 1 in an empty table).
        self.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence(?, 'id'),
                    COALESCE((SELECT max(id) FROM {table}), 1),
                    (SELECT max(id) FROM {table}) IS NOT NULL)"
            ),
            &[Param::Text(table)],
        )?;
        Ok(())
    }

    fn insert_returning_id(
        &mut self,
        table: &str,
        columns: &[&str],
        params: &[Param<'_>],
        id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let new_id = super::sql::insert_row(self, table, columns, params, id)?;
        if id.is_some() {
            // An explicit id (undo re-creating a row) must not be handed out again later.
            self.advance_numbering(table)?;
        }
        Ok(new_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes_and_comments() {
        assert_eq!(
            numbered("SELECT ? , '?' , \"a?\" FROM t WHERE x = ? -- why?\nAND y = ?"),
            "SELECT $1 , '?' , \"a?\" FROM t WHERE x = $2 -- why?\nAND y = $3"
        );
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("warden"), "\"warden\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
    }
}
