//! The two ways libpq writes a connection string, read into key=value parameters:
//! `postgres://user:password@host1:port1,host2/dbname?key=value&...` (percent-encoded) and
//! `key=value key='quoted value'` pairs. What the keys mean is `postgres_target.rs`.

use std::collections::BTreeMap;

use super::error::StoreError;

fn bad(text: impl Into<String>) -> StoreError {
    StoreError::Unavailable(text.into())
}

/// `postgres://user:password@host1:port1,host2/dbname?key=value&...`, percent-decoded.
pub fn parse_url(text: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let (_, rest) = text
        .split_once("://")
        .ok_or_else(|| bad("not a postgres:// URL"))?;
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, dbname) = main.split_once('/').unwrap_or((main, ""));
    let mut params = BTreeMap::new();
    let (userinfo, hostspec) = match authority.rsplit_once('@') {
        Some((userinfo, hostspec)) => (Some(userinfo), hostspec),
        None => (None, authority),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            params.insert("user".into(), decode(user)?);
        }
        if let Some(password) = password {
            params.insert("password".into(), decode(password)?);
        }
    }
    if !hostspec.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for spec in hostspec.split(',') {
            let (host, port) = split_host_port(spec);
            hosts.push(decode(host)?);
            if let Some(port) = port {
                ports.push(port.to_string());
            }
        }
        params.insert("host".into(), hosts.join(","));
        if !ports.is_empty() {
            params.insert("port".into(), ports.join(","));
        }
    }
    if !dbname.is_empty() {
        params.insert("dbname".into(), decode(dbname)?);
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(decode(key)?, decode(value)?);
    }
    Ok(params)
}

/// `host:port`, `[::1]:port`, `host`.
fn split_host_port(spec: &str) -> (&str, Option<&str>) {
    if let Some(rest) = spec.strip_prefix('[') {
        if let Some((host, tail)) = rest.split_once(']') {
            return (host, tail.strip_prefix(':'));
        }
    }
    match spec.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (spec, None),
    }
}

fn decode(text: &str) -> Result<String, StoreError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad("the connection URL has a % not followed by two hex digits"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad("the connection URL does not decode to UTF-8 text"))
}

/// `key=value key='quoted value' key='it\'s'`.
pub fn parse_pairs(text: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let mut params = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(bad(format!(
                "the connection string has {key:?} without a value (write key=value)"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(bad("the connection string has an unclosed quote")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        params.insert(key, value);
    }
    Ok(params)
}
