#!/usr/bin/env bash
# The main job: installs what is missing, builds cidx (Release), indexes a real C project with its
# real compile database, and answers queries from the index. By default the project is cidx's own
# source tree (CMake writes its compile_commands.json); give another project's directory (one
# holding compile_commands.json, or build/compile_commands.json, or none: it is then scanned) to
# index that instead.
# Usage: scripts/run.sh [PROJECT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

project="${1:-$PWD}"
cache="${CIDX_DEMO_CACHE:-$PWD/build-release/demo-cache}"
ccdb=()
if [ $# -eq 0 ]; then
  # cidx's own compile database, from the Release configure above
  ccdb=(--compile-commands "$PWD/build-release/compile_commands.json")
fi
rm -rf "$cache"

run() {
  echo
  echo "\$ cidx $*"
  build-release/cidx "$@"
}
run index "$project" --cache-dir "$cache" "${ccdb[@]}"
run index "$project" --cache-dir "$cache" "${ccdb[@]}"   # a refresh: nothing changed
run stats --cache-dir "$cache"
if [ $# -eq 0 ]; then
  run search store_open --cache-dir "$cache"
  run search "file replace" --match words --kind functions --limit 5 --cache-dir "$cache"
  run search "idx_" --match prefix --kind functions --limit 8 --cache-dir "$cache"
  run search "^wire_(get|put)_" --kind functions --cache-dir "$cache" --json
else
  run search "" --kind types --limit 10 --cache-dir "$cache"
  run search "" --kind functions --limit 10 --cache-dir "$cache"
fi
run doctor --quick --cache-dir "$cache"
