#!/usr/bin/env python3
"""Validates FHIR R4 document Bundles, one per line (NDJSON), with the independent library
fhir.resources (its R4B models: structure, data types, cardinality, required elements; not
profiles nor terminology). Run by tests/fhir_validate.rs with the virtual environment that
scripts/setup.sh makes. Prints `N bundles valid` and exits 0, or every problem as
`line N: path: message` and exits 1.

Usage: fhir_validate.py FILE.ndjson
"""

import json
import sys

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError


def main(path: str) -> int:
    problems = []
    count = 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            count += 1
            try:
                bundle = Bundle.model_validate(json.loads(line))
            except json.JSONDecodeError as e:
                problems.append(f"line {number}: not JSON: {e}")
                continue
            except ValidationError as e:
                for err in e.errors():
                    where = ".".join(str(p) for p in err["loc"])
                    problems.append(f"line {number}: {where}: {err['msg']}")
                continue
            if bundle.type != "document":
                problems.append(f"line {number}: type: {bundle.type}, not document")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"{count} bundles valid")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
