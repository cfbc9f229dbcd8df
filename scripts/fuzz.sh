#!/usr/bin/env bash
# Coverage-guided fuzzing of what Teeka reads from outside (issue 14): the sync decoder, the
# event reader, the register CSV importer and the FHIR importer, each run for SECONDS (default
# 20) from its committed corpus (fuzz/corpus/TARGET; what libFuzzer finds new goes to a scratch
# copy, never into the repository). Built with the instrumentation cargo-fuzz adds, on stable
# Rust (no sanitizer: the code forbids `unsafe`). A crash fails the run; its input is kept in
# fuzz/artifacts/TARGET/ and becomes a regression test (docs/security.md, "Fuzzing").
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-20}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(sync_decoder event_reader register_csv fhir_import)
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# --target keeps the instrumentation off build scripts and proc macros (as cargo-fuzz does).
cargo build --release --locked --manifest-path fuzz/Cargo.toml --target "$TRIPLE" --target-dir target/fuzz \
    $(printf -- '--bin %s ' "${TARGETS[@]}")
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
failed=0
for t in "${TARGETS[@]}"; do
    mkdir -p "$SCRATCH/$t" "fuzz/artifacts/$t"
    cp fuzz/corpus/"$t"/* "$SCRATCH/$t/"
    echo "fuzz: $t for ${SECONDS_EACH} s"
    if ! "target/fuzz/$TRIPLE/release/$t" -max_total_time="$SECONDS_EACH" -max_len=1048576 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" \
        "$SCRATCH/$t" >"$SCRATCH/$t.log" 2>&1; then
        echo "fuzz: $t FOUND A CRASH (input in fuzz/artifacts/$t/):"
        tail -40 "$SCRATCH/$t.log"
        failed=1
    else
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$SCRATCH/$t.log" | sed "s/^/fuzz: $t /" || true
    fi
done
exit $failed
