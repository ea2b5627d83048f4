//! TLS to the PostgreSQL store, through the real binary, against a test server that accepts
//! the application role only over TLS: `sslmode=disable` is turned away, `require` connects
//! without checking the certificate, `verify-full` connects with the right certificate
//! authority and refuses a wrong one, and a verifying mode without a CA says what it needs.
//! (Alone in its test binary: it turns TLS on in its cluster.)
#![allow(clippy::unwrap_used)]

mod common;

use common::Run;
use common::pg::{self, APP_PASSWORD, APP_ROLE};

/// A certificate authority and a server certificate for 127.0.0.1 / localhost signed by it.
struct Pki {
    ca_pem: String,
    server_pem: String,
    server_key: String,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_pem: server.pem(),
        server_key: server_key.serialize_pem(),
    }
}

fn run(url: &str, args: &[&str]) -> Run {
    common::run_with_password(url, APP_PASSWORD, args)
}

#[test]
fn tls_is_used_and_checked_as_sslmode_says() {
    let Some(cluster) = pg::cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let authority = pki();
    let (cert, key, ca) = (
        dir.path().join("server.crt"),
        dir.path().join("server.key"),
        dir.path().join("root.crt"),
    );
    std::fs::write(&cert, &authority.server_pem).unwrap();
    std::fs::write(&key, &authority.server_key).unwrap();
    std::fs::write(&ca, &authority.ca_pem).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    cluster.give_to_server(&cert);
    cluster.give_to_server(&key);
    // The application role only over TLS; the superuser still over the socket.
    cluster.reconfigure(
        "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        &[
            ("ssl", "on"),
            ("ssl_cert_file", &cert.display().to_string()),
            ("ssl_key_file", &key.display().to_string()),
        ],
    );
    let db = cluster.database();
    let url = |mode: &str| {
        format!(
            "postgres://{APP_ROLE}@127.0.0.1:{}/{db}?sslmode={mode}",
            cluster.port
        )
    };

    let plain = run(&url("disable"), &["user", "list"]);
    assert_eq!(plain.code, 4, "{plain:?}");
    assert!(plain.stderr.contains("127.0.0.1"), "{}", plain.stderr);

    let init = run(&url("require"), &["init", "--admin", "admin"]);
    assert_eq!(init.code, 0, "require connects over TLS: {init:?}");

    let verified = format!("{}&sslrootcert={}", url("verify-full"), ca.display());
    let listed = run(&verified, &["user", "list"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains("admin"));

    let ca_only = format!("{}&sslrootcert={}", url("verify-ca"), ca.display());
    assert_eq!(run(&ca_only, &["user", "list"]).code, 0);

    // A certificate authority that did not sign the server's certificate.
    let other = dir.path().join("other.crt");
    std::fs::write(&other, pki().ca_pem).unwrap();
    let wrong = format!("{}&sslrootcert={}", url("verify-full"), other.display());
    let refused = run(&wrong, &["user", "list"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(
        refused.stderr.contains("certificate that was not accepted")
            && refused.stderr.contains("sslrootcert"),
        "{}",
        refused.stderr
    );

    let no_ca = run(&url("verify-full"), &["user", "list"]);
    assert_eq!(no_ca.code, 4, "{no_ca:?}");
    assert!(no_ca.stderr.contains("sslrootcert"), "{}", no_ca.stderr);
}
