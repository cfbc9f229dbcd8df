#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and runs Teeka's main job on its embedded store:
# a demo village register is imported, its due list shown, a session's doses and a refusal
# recorded, and the due list and coverage shown again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --locked --bin teeka
TEEKA="$PWD/target/release/teeka"
export TEEKA_DB="${TEEKA_DB:-$PWD/demo/demo.db}"
export TEEKA_AUTHOR="${TEEKA_AUTHOR:-demo-anm}"
rm -f "$TEEKA_DB" "$TEEKA_DB-wal" "$TEEKA_DB-shm"
# The demo register was surveyed on 22 November 2026; the session is held that day.
export TEEKA_TODAY="${TEEKA_TODAY:-2026-11-22}"
DAY="$TEEKA_TODAY"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ teeka %s\n' "$*"; "$TEEKA" "$@"; }

step "Import the head-count survey register of two villages"
show import register demo/register.csv
step "The due list for the session on $DAY"
show due-list --on "$DAY"
step "Coverage before the session"
show coverage --on "$DAY"
step "The session: Golu (left out) gets his first doses; Sonu's family refuses MR"
for code in BCG OPV1 PENTA1 RVV1 FIPV1 PCV1; do
    show record dose --register-id RMP-005 --code "$code" --date "$DAY"
done
show record not-given --register-id SLP-002 --code MR1 --date "$DAY" --reason REFUSED_RELIGIOUS
step "The due list after the session"
show due-list --on "$DAY" --village Rampur
step "Coverage after the session"
show coverage --on "$DAY"
printf '\nThe store is %s. Try: %s --db %s due-list --on %s --format json\n' "$TEEKA_DB" "$TEEKA" "$TEEKA_DB" "$DAY"
