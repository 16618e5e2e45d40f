#!/usr/bin/env python3
"""Validate every manifest the bundle tests produced against manifest-v1.schema.json,
and make sure the schema rejects manifests that break v1 (so it is not vacuous)."""
import copy
import json
import os
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    print("SKIPPED: python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    sys.exit(77)


def main():
    schema = json.loads(pathlib.Path(sys.argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    manifests = sorted(pathlib.Path(sys.argv[2]).glob("*.json"))
    if not manifests and os.environ.get("BUNDLE_TEST_ELFS_ABSENT"):
        print("SKIPPED: no manifests: the tests that produce them were skipped (no arm-none-eabi-gcc)")
        return 77
    if len(manifests) < 5:
        print(f"expected the api and cli tests to leave >= 5 manifests in {sys.argv[2]}, found {len(manifests)}")
        return 1
    failed = 0
    for path in manifests:
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        for e in errors:
            print(f"{path.name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        failed += bool(errors)
        if not errors:
            print(f"{path.name}: valid")
    good = json.loads(manifests[0].read_text())
    breakers = {
        "schema_version 2": lambda m: m.update(schema_version=2),
        "unknown top-level field": lambda m: m.update(extra=True),
        "missing files": lambda m: m.pop("files"),
        "uppercase sha256": lambda m: m["files"][0].update(sha256="A" * 64),
        "unknown member path": lambda m: m["files"][0].update(path="../etc/passwd"),
        "bad provenance": lambda m: m.update(build_provenance="somebody"),
        "build_meta over 64 KiB": lambda m: m.update(build_meta="x" * 65537),
        "cortexm target without probe_rs_chip": lambda m: m["target"].pop("probe_rs_chip"),
        "created_at not UTC ISO 8601": lambda m: m["build"].update(created_at="yesterday"),
    }
    for name, breaker in breakers.items():
        bad = copy.deepcopy(good)
        breaker(bad)
        if validator.is_valid(bad):
            print(f"schema accepted a manifest with {name}")
            failed += 1
    print(f"{len(manifests)} manifests checked, {len(breakers)} broken variants rejected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
