#!/usr/bin/env bash
# Installs what building and testing Teeka needs on a fresh Debian or Ubuntu machine:
# a C compiler (SQLite is compiled in), and a Rust toolchain with rustfmt and clippy.
# Safe to run again: it installs only what is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
# A C++ compiler: libFuzzer, which the fuzz targets (scripts/fuzz.sh) link, is C++.
command -v c++ >/dev/null 2>&1 || need_apt+=(g++)
command -v curl >/dev/null 2>&1 || need_apt+=(curl ca-certificates)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# Python with venv: the FHIR export's validation test (tests/fhir_validate.rs) runs fhir.resources.
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The app (Tauri v2 on WebKitGTK), and what its end-to-end tests drive it with: a virtual display,
# Debian's WebKitWebDriver, a session bus. poppler-utils: pdftotext and pdftoppm, with which the
# evening pack's tests (crates/pack) read its PDF.
for pkg in libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev file \
           xvfb xauth webkit2gtk-driver dbus-x11 poppler-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
    echo "setup: installing ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "setup: installing the Rust toolchain (rustup)"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
fi
if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi
cargo --version

# The WebDriver bridge between the tests and WebKitWebDriver.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "setup: installing tauri-driver"
    cargo install --locked tauri-driver --version 2.1.0
fi

# cargo-nextest runs the tests (scripts/test.sh); the machines this runs on have it, else from
# crates.io.
if ! cargo nextest --version >/dev/null 2>&1; then
    echo "setup: installing cargo-nextest"
    cargo install --locked cargo-nextest
fi

# fhir.resources (PyPI; R4B models), the independent validator of the FHIR export, in its own
# virtual environment (tests/fhir_validate.rs finds it there). Pinned; made once.
TEEKA_FHIR_VENV="${TEEKA_FHIR_VENV:-$HOME/.cache/teeka-fhir-venv}"
export TEEKA_FHIR_VENV
if ! "$TEEKA_FHIR_VENV/bin/python" -c 'import fhir.resources.R4B.bundle' >/dev/null 2>&1; then
    echo "setup: installing fhir.resources into $TEEKA_FHIR_VENV"
    python3 -m venv "$TEEKA_FHIR_VENV"
    "$TEEKA_FHIR_VENV/bin/pip" install --quiet --disable-pip-version-check 'fhir.resources==8.3.0'
fi

# schemathesis (PyPI), which tests the server's HTTP API against its OpenAPI description
# (tests/api_schema.rs), in its own virtual environment. Pinned; made once.
TEEKA_SCHEMATHESIS_VENV="${TEEKA_SCHEMATHESIS_VENV:-$HOME/.cache/teeka-schemathesis-venv}"
export TEEKA_SCHEMATHESIS_VENV
if ! "$TEEKA_SCHEMATHESIS_VENV/bin/st" --version 2>/dev/null | grep -q '4\.32\.5'; then
    echo "setup: installing schemathesis into $TEEKA_SCHEMATHESIS_VENV"
    python3 -m venv "$TEEKA_SCHEMATHESIS_VENV"
    "$TEEKA_SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi

# Vite, which builds the UI, needs Node.js 20.19 or later (Debian 12's own package is 18).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
    echo "setup: Node.js $(node --version 2>/dev/null || echo '(none)') is too old to build the UI: install" \
         "Node.js 20.19 or later (for example from NodeSource or nvm) and run this again" >&2
    exit 1
fi

# The UI: TypeScript built by Vite into ui/dist, which the app embeds when it is compiled.
teeka_build_ui() {
    (cd ui && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build)
}
