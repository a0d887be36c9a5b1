#!/bin/sh
# Checks the identification data (fingerprints/, data/manufacturers.csv, data/oem.csv,
# data/module_makers.csv, bench/corpus/identify/) with scripts/fpdata-check: examples match
# their patterns, hw.vendor names are canonical, OEM rows point to canonical makers with a
# source, generic servers name nobody, restricted patterns never claim a non-restricted
# example (the project's, the corpus's, and a Recog checkout's when one is present). When the
# camaudit binary is built, it also runs `camaudit identify` on the accuracy corpus: at least
# 97% of devices right and none non-restricted named restricted. Skips (77) without python3.
set -eu
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v python3 >/dev/null 2>&1; then
    echo "fpdata_check: python3 not found, skipping" >&2
    exit 77
fi
corpus="$SOURCE_DIR/bench/corpus/identify/public_observations.jsonl"
if [ -n "${BUILD_DIR:-}" ] && [ -x "$BUILD_DIR/camaudit" ] && [ -f "$corpus" ]; then
    devices=$(mktemp)
    trap 'rm -f "$devices"' EXIT
    "$BUILD_DIR/camaudit" identify "$corpus" >"$devices"
    python3 "$SOURCE_DIR/scripts/fpdata-check" "$SOURCE_DIR" --devices "$devices"
else
    python3 "$SOURCE_DIR/scripts/fpdata-check" "$SOURCE_DIR"
fi
