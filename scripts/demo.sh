#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and runs Teeka's main job on its embedded store.
# With a display: the app (Tauri), on a store holding the demo register of two villages.
# Without one (a server, CI): says so, and runs the same core headless: a demo village register
# is imported, its due list shown, a session's doses and a refusal recorded, the due list and
# coverage shown again, then a server on SQLite with two devices enrolling and syncing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${TEEKA_HEADLESS:-}" ]; then
    teeka_build_ui
    cargo build --release --locked -p teeka-desktop --bin teeka-app -p teeka --bin teeka
    export TEEKA_STORE="${TEEKA_STORE:-$PWD/demo/app.db}"
    if [ ! -f "$TEEKA_STORE" ]; then
        TEEKA_TODAY=2026-11-22 target/release/teeka --db "$TEEKA_STORE" import register demo/register.csv
    fi
    echo "Starting Teeka on $TEEKA_STORE (the demo register: villages Rampur and Salempur)."
    echo "First run: choose a language, 'Start offline', and make a worker with a PIN."
    exec target/release/teeka-app
fi
echo "No display here (DISPLAY and WAYLAND_DISPLAY are unset): the app needs one, so this runs"
echo "the headless demo of the same core instead. On a desktop, the same command starts the app."

cargo build --release --locked -p teeka --bin teeka -p teeka-server --bin teeka-server
TEEKA="$PWD/target/release/teeka"
SERVER="$PWD/target/release/teeka-server"
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
step "Sync: a central server on its embedded SQLite database"
SERVER_DB="sqlite:$PWD/demo/server.db"
rm -f demo/server.db demo/server.db-wal demo/server.db-shm demo/asha.db demo/asha.db-wal demo/asha.db-shm
"$SERVER" --database-url "$SERVER_DB" import areas demo/areas.csv
LOG="$(mktemp)"
"$SERVER" --database-url "$SERVER_DB" serve --listen 127.0.0.1:0 >"$LOG" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "^listening on" "$LOG" && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$LOG" | head -1)"
echo "server listening on $URL"
ANM_CODE="$("$SERVER" --database-url "$SERVER_DB" enroll --area "Rampur SC" --role anm | tail -1)"
ASHA_CODE="$("$SERVER" --database-url "$SERVER_DB" enroll --area "Mahmudabad/Rampur" --role asha | tail -1)"
echo "enrollment codes: ANM of Rampur sub-centre $ANM_CODE, ASHA of Rampur village $ASHA_CODE"
step "The ANM's device enrolls and syncs what it recorded offline"
show enroll --server "$URL" --code "$ANM_CODE"
show sync
step "The ASHA's phone enrolls and receives its village's records"
TEEKA_DB="$PWD/demo/asha.db" TEEKA_AUTHOR=demo-asha show enroll --server "$URL" --code "$ASHA_CODE"
TEEKA_DB="$PWD/demo/asha.db" TEEKA_AUTHOR=demo-asha show sync
TEEKA_DB="$PWD/demo/asha.db" show due-list --on "$DAY"
step "The supervisor's view of the devices"
"$SERVER" --database-url "$SERVER_DB" devices
show status
printf '\nThe stores are %s and demo/asha.db. Try: %s --db %s due-list --on %s --format json\n' "$TEEKA_DB" "$TEEKA" "$TEEKA_DB" "$DAY"
