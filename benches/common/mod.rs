//! What the benchmarks start from: a `warden demo` store, generated once per run in a
//! temporary directory that lives as long as the returned [`Demo`].

use warden::model::SystemClock;
use warden::service::demo::{DemoSpec, create_demo_store};
use warden::service::init::InitRequest;
use warden::store::{Location, Store, StoreOptions};

pub struct Demo {
    pub _dir: tempfile::TempDir,
    pub location: Location,
    pub store: Store,
}

/// A demo store of `users` users (seed 1) whose first Administrator, `admin`, is mapped to
/// `os_account` as the peer operator. What it holds is printed, to read the figures against.
pub fn demo_store(users: usize, os_account: String) -> Demo {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = Location::Sqlite(dir.path().join("demo.db"));
    let request = InitRequest {
        admin: "admin".into(),
        email: None,
        os_account,
    };
    let spec = DemoSpec { users, seed: 1 };
    let (store, _, report) = create_demo_store(
        &location,
        StoreOptions::default(),
        &request,
        spec,
        &SystemClock,
    )
    .expect("demo store");
    eprintln!("demo store: {report:?}");
    Demo {
        _dir: dir,
        location,
        store,
    }
}
