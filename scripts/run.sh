#!/usr/bin/env bash
# The main job: installs what is missing, builds cidx (Release), builds a cache and answers
# queries from it. Until the indexer lands, the cache is a realistic synthetic project of
# 100,000 symbols made by bench/cidx-gen. Usage: scripts/run.sh [SYMBOLS]
set -euo pipefail
cd "$(dirname "$0")/.."

symbols="${1:-100000}"
bash scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

cache="${CIDX_DEMO_CACHE:-$PWD/build-release/demo-cache}"
rm -rf "$cache"
echo "== generating a synthetic project cache ($symbols symbols) in $cache"
build-release/cidx-gen --cache-dir "$cache" --symbols "$symbols"

run() {
  echo
  echo "\$ cidx $*"
  build-release/cidx "$@" --cache-dir "$cache"
}
run stats
run search Manager --limit 5
run search "push back" --match words --limit 5
run search HTTPServ --kind types --limit 5
run search gpu::ApiManager
run search "^parse.*url" --kind functions --limit 5 --json
run doctor --quick
