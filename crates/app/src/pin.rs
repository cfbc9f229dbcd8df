//! PIN hashing.
//!
//! PBKDF2-HMAC-SHA256 with a random 16-byte salt per worker and 100 000 iterations. Chosen over
//! Argon2 because it is small (the `pbkdf2` crate over the `sha2` the workspace already uses), has
//! no memory cost to tune on low-end phones, and is a NIST-approved KDF. A PIN of 4–6 digits has
//! at most a million values, so no KDF makes a copied store safe against an offline search; what
//! protects a PIN is the wait after five wrong tries ([`crate::App`]), and the KDF makes each
//! offline guess cost milliseconds instead of nanoseconds.

use crate::error::AppError;
use sha2::Sha256;

const ITERATIONS: u32 = 100_000;
const SCHEME: &str = "pbkdf2-sha256";

/// Checks that a PIN is 4 to 6 digits.
pub fn check_pin(pin: &str) -> Result<(), AppError> {
    if !(4..=6).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid("pin must be 4 to 6 digits"));
    }
    Ok(())
}

fn derive(pin: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), salt, iterations, &mut out);
    out
}

/// `pbkdf2-sha256$ITERATIONS$SALT$HASH` (hex).
pub fn hash_pin(pin: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| AppError::new(crate::error::AppCode::StoreDatabase, format!("no randomness for a salt: {e}")))?;
    Ok(format!("{SCHEME}${ITERATIONS}${}${}", hex::encode(salt), hex::encode(derive(pin, &salt, ITERATIONS))))
}

/// Whether `pin` matches `stored` (a hash from [`hash_pin`]). A damaged hash matches nothing.
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [SCHEME, iterations, salt, hash] = parts.as_slice() else { return false };
    let (Ok(iterations), Ok(salt), Ok(hash)) = (iterations.parse::<u32>(), hex::decode(salt), hex::decode(hash)) else {
        return false;
    };
    let derived = derive(pin, &salt, iterations);
    // Compare without an early exit.
    hash.len() == derived.len() && hash.iter().zip(derived).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_verifies_against_its_own_hash_only() {
        let h = hash_pin("1234").unwrap();
        assert!(h.starts_with("pbkdf2-sha256$100000$"));
        assert!(verify_pin("1234", &h));
        assert!(!verify_pin("1235", &h));
        assert_ne!(h, hash_pin("1234").unwrap(), "salted");
        assert!(!verify_pin("1234", "garbage"));
    }

    #[test]
    fn pins_are_four_to_six_digits() {
        for ok in ["1234", "12345", "123456"] {
            assert!(check_pin(ok).is_ok());
        }
        for bad in ["123", "1234567", "12a4", "abcd", "", "12 34"] {
            assert_eq!(check_pin(bad).unwrap_err().code, "INVALID_INPUT");
        }
    }
}
