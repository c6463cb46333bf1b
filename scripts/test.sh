#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds with -Werror and runs every test
# in the debug build and again under ASan + UBSan, runs each libFuzzer target for 15 seconds,
# then checks formatting. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh --test
jobs="$(nproc)"

# The npm packages of the end-to-end MCP suite, pinned by tests/e2e/package-lock.json. Only
# when they are missing, so a machine that has them needs no network.
if [ ! -d tests/e2e/node_modules ] && command -v npm >/dev/null; then
  echo "== npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

for type in Debug Sanitize; do
  dir="build-test-$(echo "$type" | tr 'A-Z' 'a-z')"
  echo "== $type build"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DCIDX_WERROR=ON >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== $type tests"
  (cd "$dir" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$jobs")
done

echo "== fuzz smoke"
bash scripts/fuzz-smoke.sh 15

echo "== format check"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests bench -name '*.[ch]')
clang-format --dry-run --Werror $files
echo "format: ok"
