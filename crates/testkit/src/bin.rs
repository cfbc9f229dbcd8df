//! Where the `teeka-server` binary is, for the tests of other packages (Cargo gives
//! `CARGO_BIN_EXE_*` only for the binaries of a test's own package).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable that names the `teeka-server` binary to test, if not the one
/// built next to the tests.
pub const SERVER_BIN_VAR: &str = "TEEKA_SERVER_BIN";

/// The `teeka-server` binary: `TEEKA_SERVER_BIN`, or the one Cargo built in the same target
/// directory and profile as the running test (`target/debug/teeka-server` for
/// `target/debug/deps/TEST-HASH`). Panics, saying what to build, when it is not there.
///
/// `cargo test --workspace` builds it before running any test; `cargo test -p teeka --test
/// sync_e2e` does not, so after changing the server run `cargo build -p teeka-server` first
/// (the path and the binary's age are printed once on stderr, to make a stale binary visible).
pub fn server_binary() -> &'static Path {
    static FOUND: OnceLock<PathBuf> = OnceLock::new();
    FOUND.get_or_init(|| {
        let path = match std::env::var_os(SERVER_BIN_VAR) {
            Some(p) => PathBuf::from(p),
            None => next_to_tests("teeka-server"),
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            panic!(
                "the teeka-server binary is not built: no {}. Build it with `cargo build -p teeka-server` \
                 (with `--release` for release tests; `cargo test --workspace` builds it), or name one with \
                 {SERVER_BIN_VAR}=PATH",
                path.display()
            )
        };
        let age = meta.modified().ok().and_then(|m| m.elapsed().ok());
        match age {
            Some(age) => eprintln!("testing {} (built {} s ago)", path.display(), age.as_secs()),
            None => eprintln!("testing {}", path.display()),
        }
        path
    })
}

/// `NAME` in the profile directory of the running test executable (its `deps/`'s parent).
fn next_to_tests(name: &str) -> PathBuf {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => panic!("cannot find the running test executable, to find {name} next to it: {e}"),
    };
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_binary_is_looked_for_in_the_profile_directory_of_the_tests() {
        let found = next_to_tests("teeka-server");
        assert_eq!(found.file_name().and_then(|n| n.to_str()), Some("teeka-server"));
        // The tests run from target/PROFILE/deps/: the binary is looked for in target/PROFILE.
        let dir = found.parent().unwrap_or(Path::new(""));
        assert!(dir.join("deps").is_dir(), "{found:?}");
        assert!(!dir.ends_with("deps"), "{found:?}");
    }
}
