#!/usr/bin/env bash
# regen.sh [BUILD_DIR] - rewrites every tests/golden/*/expected.dump from the current indexer.
# Review the change with `git diff tests/golden` before committing it: the expected dumps are
# the reviewed truth the golden tests hold the indexer to.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
build=${1:-$here/../../build}
CIDX_GOLDEN_UPDATE=1 bash "$here/../cli/test_index_golden.sh" "$build/cidx"
