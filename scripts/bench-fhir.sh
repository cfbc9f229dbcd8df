#!/usr/bin/env bash
# The FHIR benchmark of issue 12 (docs/benchmarks.md, "FHIR"): a sub-centre of 5,000
# beneficiaries (5 villages of 1,000; 9 children in 10, ages 0-5 years, each dose of the first
# two years on record with probability 0.85; 1 pregnant woman in 10) imported as a register,
# exported as FHIR NDJSON, and that file imported into a new store, then again. Prints the wall
# time and peak memory of each step. Needs python3 (the generator) and GNU time.
# Usage: scripts/bench-fhir.sh [DIR]   (default: a temporary directory, removed after)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin teeka >/dev/null
TEEKA="$PWD/target/release/teeka"
DIR="${1:-$(mktemp -d)}"
[ $# -ge 1 ] || trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
python3 - <<'PY'
import datetime, random
random.seed(12)
today = datetime.date(2026, 11, 22)
codes = [("BCG", 0), ("HEPB0", 0), ("OPV0", 0), ("OPV1", 42), ("PENTA1", 42), ("RVV1", 42), ("FIPV1", 42),
         ("PCV1", 42), ("OPV2", 70), ("PENTA2", 70), ("RVV2", 70), ("OPV3", 98), ("PENTA3", 98), ("RVV3", 98),
         ("FIPV2", 98), ("PCV2", 98), ("MR1", 270), ("FIPV3", 270), ("PCVB", 270), ("VITA1", 270), ("MR2", 480),
         ("DPTB1", 480), ("OPVB", 480)]
rows = ["register_id,household_id,village,house_no,kind,name,sex,dob,lmp," + ",".join(c for c, _ in codes) + ",TD1,TD2"]
n = 0
for v in range(5):
    for i in range(1000):
        n += 1
        hh, blanks = f"H{v}-{i // 4}", ",".join("" for _ in codes)
        if i % 10 == 9:
            lmp = today - datetime.timedelta(days=random.randint(30, 250))
            td1 = lmp + datetime.timedelta(days=60)
            rows.append(f"P{n},{hh},Gaon{v},{i // 4},pregnant_woman,Woman {n},F,,{lmp},{blanks},{td1 if td1 <= today else ''},")
            continue
        dob = today - datetime.timedelta(days=random.randint(0, 1800))
        cells = []
        for _, off in codes:
            d = dob + datetime.timedelta(days=off + random.randint(0, 10))
            cells.append(str(d) if d <= today and random.random() < 0.85 else "")
        rows.append(f"C{n},{hh},Gaon{v},{i // 4},child,Child {n},{random.choice('MF')},{dob},," + ",".join(cells) + ",,")
open("subcentre.csv", "w").write("\n".join(rows) + "\n")
PY
A=(--today 2026-11-22 --author bench)
step() { local what="$1"; shift; /usr/bin/time -o time.txt -f "$what: %e s, %M KB peak" "$@" >out.txt 2>err.txt; cat time.txt; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
step "register import (5,000 rows)" "$TEEKA" --db a.db "${A[@]}" import register subcentre.csv
for i in 1 2 3; do
    /usr/bin/time -o time.txt -f "FHIR export: %e s, %M KB peak" "$TEEKA" --db a.db "${A[@]}" export --format fhir >sc.ndjson 2>err.txt
    cat time.txt
done
echo "FHIR file: $(wc -l <sc.ndjson) lines, $(du -m sc.ndjson | cut -f1) MB"
for i in 1 2 3; do rm -f b.db*; step "FHIR import into a new store" "$TEEKA" --db b.db "${A[@]}" import fhir sc.ndjson; done
tail -1 out.txt
step "FHIR import again (adds nothing)" "$TEEKA" --db b.db "${A[@]}" import fhir sc.ndjson
tail -1 out.txt
