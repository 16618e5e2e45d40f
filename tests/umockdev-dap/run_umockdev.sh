#!/bin/sh
# Run a test binary inside umockdev's preload environment; exit 77 (ctest SKIP) only
# when umockdev is not installed.
if ! command -v umockdev-wrapper >/dev/null 2>&1; then
    echo "umockdev-wrapper not found: install the 'umockdev' package to run this test (skipped)"
    exit 77
fi
exec umockdev-wrapper "$@"
