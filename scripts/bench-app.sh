#!/usr/bin/env bash
# The app's performance figures (docs/benchmarks.md, "App"): builds the app and its .deb with
# `tauri build --bundles deb -- --profile app`, and a minimal Tauri app to measure against; then prints the
# binary and package sizes, cold start, memory (PSS) and the due list's render time for a village
# of 2,000 beneficiaries. Takes about 25 minutes on 2 cores from clean.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
teeka_build_ui
# The app as it is shipped: the workspace's `app` profile (Cargo.toml: no debug information,
# symbols stripped, optimised at link time). The minimal app is built the same way.

# The Tauri CLI from npm (a prebuilt binary; not a dependency of ui/: its lock entries for other
# platforms cannot be resolved from this registry). The UI is built above (teeka_build_ui), so
# tauri.conf.json has no beforeBuildCommand.
(cd src-tauri && npx --yes @tauri-apps/cli@2.12 build --bundles deb -- --profile app)
cargo build --profile app --locked -p teeka-minimal-tauri
cargo build --release --locked -p teeka --bin teeka
cargo build --release --locked -p teeka-bench
cargo build --release --locked -p teeka-desktop --example bench_ui

A=target/app
R=target/release
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "== sizes"
printf '  teeka-app binary: %s MiB\n' "$(mib $A/teeka-app)"
printf '  minimal binary:   %s MiB\n' "$(mib $A/teeka-minimal-tauri)"
for deb in $A/bundle/deb/*.deb; do
    printf '  %s: %s MiB\n' "$(basename "$deb")" "$(mib "$deb")"
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export TEEKA_TODAY=2026-11-22
$R/teeka-bench --today "$TEEKA_TODAY" generate --rows 2000 --villages 1 --out "$WORK/register.csv" >/dev/null
$R/teeka --db "$WORK/teeka.db" import register "$WORK/register.csv" >/dev/null
VILLAGE=Rampur   # the generator's first village (crates/bench/src/block.rs)
TEEKA_APP_BIN="$A/teeka-app" MINIMAL_BIN="$A/teeka-minimal-tauri" TEEKA_BENCH_STORE="$WORK/teeka.db" \
    TEEKA_BENCH_VILLAGE="$VILLAGE" RUNS="${RUNS:-10}" $R/examples/bench_ui
