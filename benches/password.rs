//! Password benchmarks at the default OWASP parameters (argon2id, m = 19456 KiB, t = 2,
//! p = 1): hashing, verifying, and a whole `verify_password` for a known user versus an
//! unknown one, which must cost the same (within 20%) so timing does not tell them apart.
//! Run with `cargo bench --bench password`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use warden::model::*;
use warden::policy::hash::{self, HashParams};
use warden::service::init::{InitRequest, create_store};
use warden::service::{Command, NewUser, Service};
use warden::store::{Location, StoreOptions};

const PASSWORD: &str = "Blue-Harbour-2026";

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id default parameters");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    let params = HashParams::default();
    group.bench_function("hash a password", |b| {
        b.iter(|| black_box(hash::hash(PASSWORD, params).expect("hash")))
    });
    let stored = hash::hash(PASSWORD, params).expect("hash");
    group.bench_function("verify a password", |b| {
        b.iter(|| black_box(hash::verify(PASSWORD, &stored).expect("verify")))
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let clock = SystemClock;
    let (mut store, _, admin) = create_store(
        &Location::Sqlite(dir.path().join("bench.db")),
        StoreOptions::default(),
        &InitRequest {
            admin: "admin".into(),
            email: None,
            os_account: "bench".into(),
        },
        &clock,
    )
    .expect("store");
    {
        let mut service = Service::new(&mut store, &clock, "default");
        service
            .execute(
                &admin,
                &[Command::AddUser(NewUser {
                    username: "alice".into(),
                    email: None,
                    display_name: String::new(),
                    kind: UserKind::EndUser,
                    external_id: None,
                    status: UserStatus::Active,
                })],
            )
            .expect("user");
        service
            .set_password(&admin, "alice", PASSWORD, false)
            .expect("password");
    }
    group.bench_function("sign-in check: known user, right password", |b| {
        b.iter(|| {
            let mut service = Service::new(&mut store, &clock, "default");
            black_box(
                service
                    .verify_password("alice", PASSWORD, SignInVia::Verify)
                    .is_ok(),
            )
        })
    });
    group.bench_function("sign-in check: unknown user", |b| {
        b.iter(|| {
            let mut service = Service::new(&mut store, &clock, "default");
            black_box(
                service
                    .verify_password("nobody", PASSWORD, SignInVia::Verify)
                    .is_ok(),
            )
        })
    });
    group.finish();
}

criterion_group!(password, benches);
criterion_main!(password);
