//! Password hashing: argon2id, stored as PHC strings. Parameters come from the policy (OWASP
//! defaults) and are bounded by a ceiling compiled into warden. A stored hash is parsed and its
//! parameters checked against the ceiling *before* anything is computed, so a hash rewritten
//! to ask for 4 GiB is refused without allocating it. An unknown user is verified against a
//! dummy hash of the same parameters: the same work, the same answer.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use zeroize::Zeroizing;

/// The most memory a hash may ask for (256 MiB).
pub const MAX_MEMORY_KIB: u32 = 256 * 1024;
/// The fewest KiB the policy may set (OWASP's lowest recommended configuration is 7 MiB).
pub const MIN_MEMORY_KIB: u32 = 8 * 1024;
pub const MAX_ITERATIONS: u32 = 10;
pub const MAX_PARALLELISM: u32 = 8;

/// A password in memory: wiped when dropped.
pub type Secret = Zeroizing<String>;

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP: m = 19456 KiB, t = 2, p = 1.
    fn default() -> Self {
        HashParams {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error(
        "the stored password hash asks for m={memory_kib} KiB, t={iterations}, p={parallelism}, beyond the ceiling (m ≤ {MAX_MEMORY_KIB} KiB, t ≤ {MAX_ITERATIONS}, p ≤ {MAX_PARALLELISM}); it was not checked — set a new password"
    )]
    OverCeiling {
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    },
    #[error("the stored password hash is not a valid argon2id PHC string; set a new password")]
    Malformed,
    #[error("hashing failed: {0}")]
    Internal(String),
}

impl HashParams {
    fn argon2(&self) -> Result<Argon2<'static>, HashError> {
        self.within_ceiling()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| HashError::Internal(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    fn within_ceiling(&self) -> Result<(), HashError> {
        if self.memory_kib > MAX_MEMORY_KIB
            || self.iterations > MAX_ITERATIONS
            || self.parallelism > MAX_PARALLELISM
        {
            return Err(HashError::OverCeiling {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
            });
        }
        Ok(())
    }
}

/// Hashes a password with a fresh random salt; returns the PHC string.
pub fn hash(password: &str, params: HashParams) -> Result<String, HashError> {
    let hashed = params
        .argon2()?
        .hash_password(password.as_bytes())
        .map_err(|e| HashError::Internal(e.to_string()))?;
    Ok(hashed.to_string())
}

/// The parameters a stored PHC string asks for, checked to be argon2id within the ceiling.
pub fn stored_params(phc: &str) -> Result<HashParams, HashError> {
    let parsed = PasswordHash::new(phc).map_err(|_| HashError::Malformed)?;
    if parsed.algorithm.as_str() != "argon2id" {
        return Err(HashError::Malformed);
    }
    let params = Params::try_from(&parsed).map_err(|_| HashError::Malformed)?;
    let found = HashParams {
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
    };
    found.within_ceiling()?;
    Ok(found)
}

/// Whether `password` matches the stored hash. The hash's parameters are checked against the
/// ceiling first; nothing is computed for a hash beyond it.
pub fn verify(password: &str, phc: &str) -> Result<bool, HashError> {
    stored_params(phc)?;
    let parsed = PasswordHash::new(phc).map_err(|_| HashError::Malformed)?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(HashError::Internal(e.to_string())),
    }
}

/// Does the same work as verifying against a real hash with these parameters, and always says
/// no: used for unknown users and locked accounts, so neither is told apart by time.
pub fn verify_dummy(password: &str, params: HashParams) -> bool {
    let phc = format!(
        "$argon2id$v=19$m={},t={},p={}$d2FyZGVuLWR1bW15LXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        params.memory_kib.min(MAX_MEMORY_KIB),
        params.iterations.min(MAX_ITERATIONS),
        params.parallelism.min(MAX_PARALLELISM)
    );
    // The dummy output is all zeros: no password matches it.
    matches!(verify(password, &phc), Ok(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters so unit tests are fast; the real defaults are exercised by the
    /// integration tests and the benchmark.
    const FAST: HashParams = HashParams {
        memory_kib: MIN_MEMORY_KIB,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn hashes_verify_and_keep_their_parameters() {
        let phc = hash("correct horse battery staple", FAST).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"), "{phc}");
        assert_eq!(stored_params(&phc).unwrap(), FAST);
        assert_eq!(verify("correct horse battery staple", &phc), Ok(true));
        assert_eq!(verify("correct horse battery stapl", &phc), Ok(false));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let long: String = "Ab1!".repeat(50);
        let phc = hash(&long, FAST).unwrap();
        assert_eq!(verify(&long, &phc), Ok(true));
        assert_eq!(verify(&long[..long.len() - 1], &phc), Ok(false));
        assert_eq!(
            verify(&long[..72], &phc),
            Ok(false),
            "no bcrypt-style 72-byte cut"
        );
    }

    #[test]
    fn a_hash_beyond_the_ceiling_is_refused_before_any_work() {
        let phc = hash("password", FAST).unwrap();
        let bomb = phc.replace("m=8192", "m=4194304");
        let started = std::time::Instant::now();
        assert_eq!(
            verify("password", &bomb),
            Err(HashError::OverCeiling {
                memory_kib: 4_194_304,
                iterations: 1,
                parallelism: 1
            })
        );
        // Refused by parsing alone: allocating 4 GiB and hashing would take seconds.
        assert!(started.elapsed() < std::time::Duration::from_millis(200));
        assert_eq!(verify("x", "not a hash"), Err(HashError::Malformed));
        let argon2i = phc.replace("$argon2id$", "$argon2i$");
        assert_eq!(verify("password", &argon2i), Err(HashError::Malformed));
    }

    #[test]
    fn the_dummy_never_matches() {
        assert!(!verify_dummy("anything", FAST));
        assert!(!verify_dummy("", FAST));
    }
}
