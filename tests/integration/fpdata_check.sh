#!/bin/sh
# Checks the identification data (fingerprints/, data/manufacturers.csv, data/oem.csv,
# data/module_makers.csv, bench/corpus/identify/) with scripts/fpdata-check: examples match
# their patterns, hw.vendor names are canonical, OEM rows point to canonical makers with a
# source, generic servers name nobody, restricted patterns never claim a non-restricted
# example. Skips (77) when python3 is missing.
set -eu
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v python3 >/dev/null 2>&1; then
    echo "fpdata_check: python3 not found, skipping" >&2
    exit 77
fi
exec python3 "$SOURCE_DIR/scripts/fpdata-check" "$SOURCE_DIR"
