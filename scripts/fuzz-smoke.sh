#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*.c, CIDX_FUZZ=ON) with clang in build-fuzz and runs each,
# in parallel, for a bounded time on its seed corpus (fuzz/corpus/<target>/, never written to:
# new inputs go to a scratch directory). Exits non-zero when a target crashes, leaks, hits UB,
# runs out of memory or takes too long on one input; the input is kept in build-fuzz/artifacts.
#
# Usage: scripts/fuzz-smoke.sh [seconds per target, default 15]
# Environment: FUZZ_CC picks the compiler (default: the first of clang, clang-14, clang-19 that
# can link a libFuzzer program); FUZZ_BUILD_DIR the build directory (default build-fuzz).
# Targets: fuzz_ccdb (compile database), fuzz_config (config file), fuzz_jsonrpc (the MCP
# server's JSON-RPC reader), fuzz_legacy (the legacy JSON cache readers: cache_info.json,
# files/*.json, header_tracker.json, parse_errors.jsonl, and merging them), fuzz_ljson (their
# JSON parser, against jansson); each runs with fuzz/<target>.dict and fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-15}"
dir="${FUZZ_BUILD_DIR:-build-fuzz}"

# A clang whose libFuzzer runtime is installed (Debian: libclang-rt-N-dev).
can_fuzz() {
  local tmp rc
  tmp="$(mktemp -d)"
  printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/t.c"
  rc=0
  "$1" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 || rc=1
  rm -rf "$tmp"
  return $rc
}

cc="${FUZZ_CC:-}"
if [ -z "$cc" ]; then
  for c in clang clang-14 clang-19; do
    if command -v "$c" >/dev/null && can_fuzz "$c"; then
      cc="$c"
      break
    fi
  done
fi
if [ -z "$cc" ] || ! can_fuzz "$cc"; then
  echo "fuzz-smoke: no clang with a libFuzzer runtime (install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi

echo "== fuzz build ($cc)"
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$(command -v "$cc")" -DCMAKE_BUILD_TYPE=Debug \
  -DCIDX_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz

targets=()
for src in fuzz/*.c; do
  targets+=("$(basename "$src" .c)")
done

mkdir -p "$dir/artifacts"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== fuzz runs (${secs}s each, in parallel)"
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  seeds=()
  [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$dir/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$t-" "${dict[@]}" "$scratch/$t" "${seeds[@]}" \
    >"$scratch/$t.log" 2>&1 &
  pids+=($!)
done

fail=0
for i in "${!targets[@]}"; do
  t="${targets[$i]}"
  if wait "${pids[$i]}"; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$t.log" | grep -o '[0-9]*$' || true)"
    echo "fuzz: $t ok (${runs:-?} runs in ${secs}s)"
  else
    fail=1
    echo "fuzz: $t FAILED; log:" >&2
    tail -n 60 "$scratch/$t.log" >&2
    ls "$dir/artifacts/$t-"* 2>/dev/null >&2 || true
  fi
done
exit $fail
