#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and runs every check and test of Teeka:
# formatting, clippy (warnings are errors) and the whole test suite, from one build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

# The server's tests run on PostgreSQL too: each starts a throwaway cluster (crates/testkit)
# from the Debian package's binaries; the package's own cluster is not used.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "setup: installing postgresql"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

# The UI first: the app embeds ui/dist when it is compiled, and its unit tests count too.
echo "== ui: npm ci, tsc, vite build, vitest"
teeka_build_ui
(cd ui && npm test) 2>&1 | tee -a "$LOG"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo nextest run (with the app's WebDriver tests under Xvfb, which refresh docs/screenshots/), then the doc tests"
set +e
# nextest runs the test binaries side by side (cargo test runs them one after the other: the two
# crash campaigns alone took 4.6 minutes so); the app's WebDriver tests run one at a time
# (.config/nextest.toml). Doc tests are cargo test's.
cargo nextest run --workspace --locked --no-fail-fast 2>&1 | tee -a "$LOG"
status=${PIPESTATUS[0]}
cargo test --workspace --locked --doc 2>&1 | tee -a "$LOG"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# Coverage-guided fuzzing of the readers of outside input, each target for a bounded time from
# its committed corpus (a crash fails the run; its input is kept in fuzz/artifacts/).
echo "== fuzz: each target for ${TEEKA_FUZZ_SECONDS:-10} s (scripts/fuzz.sh)"
bash scripts/fuzz.sh "${TEEKA_FUZZ_SECONDS:-10}" || status=1
set -e
# One closing line for the whole run (nextest prints one summary; cargo test's doc tests one line
# per crate).
# Vitest prints "Tests  N passed (N)" (and "N failed | N passed" when some fail).
sed 's/\x1b\[[0-9;]*m//g' "$LOG" | awk '
     /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ *Summary \[/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ *Tests +[0-9]/ { for (i = 2; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }'

exit "$status"
