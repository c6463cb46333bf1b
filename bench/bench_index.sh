#!/usr/bin/env bash
# bench/bench_index.sh - the indexing benchmark (issue 3 §8): `cidx index` on real projects
# against the parse floor (bench/parse_floor: libclang parse only, same workers) and
# `clang++-19 -fsyntax-only` over the same TUs with the same parallelism, measured side by side
# in one run. Prints a Markdown report on stdout (and to --out); progress goes to stderr.
#
#   bench/bench_index.sh [--quick] [--reps K] [--jobs N] [--build DIR] [--cidx PATH]
#                        [--work-dir DIR] [--out FILE.md] [--no-clang] [--no-cidx]
#                        [--project-only] [--keep] [DATASET...]
#
# DATASET: googletest, fmtlib, synth (the generated 1,000-file project); default all three.
# bench/real/setup.sh fetches and configures them on first use (idempotent).
#
# Per dataset and run (K runs, default 3, --quick 1; the median is reported, with min and max),
# in this order within each run so that the host's noise falls on all of them alike:
#   a. parse floor: build/parse_floor --jobs N (per-TU times kept);
#   b. clang++-19 -fsyntax-only over the same TUs (the same sanitized arguments, argv[0]
#      replaced, -c and -o dropped), xargs -P N;
#   c. cidx index DIR --full --jobs N --json into a fresh cache directory, timed from outside;
#      files, symbols, references and cache size from `cidx stats --json`; RSS from the
#      --json summary (parent_rss_kb, worker_rss_kb_max) when it has them, and GNU time's %M,
#      which is the largest RSS of the parent and every worker it reaped (wait4 reports the
#      maximum over the waited-for tree, so it cannot tell the parent from a worker).
# Then on the last full cache:
#   d. no-change refresh: cidx index DIR --jobs N, K times;
#   e. one changed TU: a comment appended to the project TU with the median parse time,
#      refresh timed, K times (the file's bytes and mtime are restored afterwards); also shown
#      minus that TU's parse time from (a).
# CPU time (user + system of all the processes of a measurement) is shown beside wall time:
# on a shared machine it is the steadier comparison.
# Ratios: cidx full / parse floor (target <= 1.3, aim 1.0), clang / parse floor. Target for
# synth: no-change refresh <= 100 ms. While `cidx index` does not exist its rows say "pending".
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build=$top/build-release
cidx=
reps=
jobs=2
work=${CIDX_BENCH_DIR:-$HOME/.cache/cidx-bench}
out=
do_clang=1
do_cidx=1
project_only=0
keep=0
clangxx=${CLANGXX:-clang++-19}
datasets=()

usage() {
    sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --quick) reps=1; shift ;;
    --reps) reps=$2; shift 2 ;;
    --jobs | -j) jobs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --cidx) cidx=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-clang) do_clang=0; shift ;;
    --no-cidx) do_cidx=0; shift ;;
    --project-only) project_only=1; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage ;;
    -*) echo "bench_index.sh: unknown option '$1'" >&2; usage ;;
    *) datasets+=("$1"); shift ;;
    esac
done
reps=${reps:-3}
[ ${#datasets[@]} -gt 0 ] || datasets=(googletest fmtlib synth)
[ -n "$cidx" ] || cidx=$build/cidx
floor_bin=$build/parse_floor
case $reps in '' | *[!0-9]* | 0) echo "bench_index.sh: --reps needs a count" >&2; exit 2 ;; esac
case $jobs in '' | *[!0-9]* | 0) echo "bench_index.sh: --jobs needs a count" >&2; exit 2 ;; esac

say() { echo "bench_index.sh: $*" >&2; }
die() { echo "bench_index.sh: error: $*" >&2; exit 1; }

[ -x "$floor_bin" ] || die "no $floor_bin: build first (cmake --build $build)"
for tool in jq:jq /usr/bin/time:time; do
    cmd=${tool%%:*} pkg=${tool#*:}
    if ! command -v "$cmd" >/dev/null 2>&1; then
        say "installing $pkg"
        if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq "$pkg" >&2; else sudo apt-get install -y -qq "$pkg" >&2; fi
    fi
done
command -v "$clangxx" >/dev/null 2>&1 || do_clang=0

have_cidx=0
if [ $do_cidx -eq 1 ] && [ -x "$cidx" ] && "$cidx" index --help >/dev/null 2>&1; then
    have_cidx=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cidx-bench-index.XXXXXX")
# cidx parses exactly the compile database's units, like the floor: no fallback for the sources
# the database does not list (compile_commands.fallback_to_hardcoded is on by default)
cidx_cfg=(--config "$tmp/cidx-bench-config.json")
printf '{"compile_commands": {"fallback_to_hardcoded": false}}\n' >"$tmp/cidx-bench-config.json"
edited=
cleanup() {
    if [ -n "$edited" ] && [ -f "$tmp/edited.orig" ]; then
        cp -p "$tmp/edited.orig" "$edited"
    fi
    if [ $keep -eq 0 ]; then rm -rf "$tmp"; else say "kept $tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

report=$tmp/report.md
# shellcheck disable=SC2059 # emit FORMAT ARGS...: the format is always a literal of this script
emit() { printf "$@" | tee -a "$report"; }

# ---- small helpers ---------------------------------------------------------------------------

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
jget() { [ -s "$1" ] && jq -r "(.$2 // empty) | tostring" "$1" 2>/dev/null | head -1 || true; }

# GNU time's last line "%M %U %S": the largest RSS in MB, and user + system CPU seconds of the
# process and every descendant it reaped
tree_rss() { awk 'END { print $1 / 1024 }' "$1"; }
tree_cpu() { awk 'END { print $2 + $3 }' "$1"; }

# median, min and max of the numbers given ("" when none)
median() {
    [ $# -gt 0 ] || { echo ""; return; }
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}
minof() { [ $# -gt 0 ] && printf '%s\n' "$@" | sort -g | head -1 || echo ""; }
maxof() { [ $# -gt 0 ] && printf '%s\n' "$@" | sort -g | tail -1 || echo ""; }
fmt() { # fmt VALUE [SCALE] [DECIMALS]: "" stays empty
    [ -n "${1:-}" ] || { echo ""; return; }
    awk -v v="$1" -v s="${2:-1}" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, v * s }'
}
ratio() { # a / b as "1.23x", or ""
    [ -n "${1:-}" ] && [ -n "${2:-}" ] || { echo ""; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b }'
}
verdict() { # verdict VALUE LIMIT -> PASS / **MISS**
    [ -n "${1:-}" ] || { echo ""; return; }
    awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "PASS" : "**MISS**" }'
}
row() { # row LABEL SAMPLES... -- RATIO TARGET VERDICT ; samples in the unit of the label
    local label=$1
    shift
    local s=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do s+=("$1"); shift; done
    shift || true
    local r=${1:-} t=${2:-} v=${3:-} d=${ROW_DECIMALS:-2}
    if [ ${#s[@]} -eq 0 ]; then
        emit '| %s | %s |  |  |  | %s | %s |  |\n' "$label" "${PENDING:-—}" "$r" "$t"
    else
        emit '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(fmt "$(median "${s[@]}")" 1 "$d")" \
            "$(fmt "$(minof "${s[@]}")" 1 "$d")" "$(fmt "$(maxof "${s[@]}")" 1 "$d")" "${#s[@]}" "$r" "$t" "$v"
    fi
}

# ---- machine ---------------------------------------------------------------------------------

rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
: >"$report"
emit '# cidx index benchmark\n\n'
emit '| | |\n|---|---|\n'
emit '| date | %s |\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
emit '| CPU | %s |\n' "${cpu:-unknown}"
emit '| cores | %s online (nproc) |\n' "$(nproc)"
emit '| RAM | %s |\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
emit '| kernel | %s |\n' "$(uname -sr)"
emit '| compiler | %s |\n' "$("$clangxx" --version 2>/dev/null | head -1 || echo "no $clangxx")"
emit '| cidx | %s, %s |\n' "$rev" "$([ $have_cidx -eq 1 ] && echo "$cidx" || echo "\`cidx index\` not available: its rows are pending")"
emit '| jobs | %s workers / xargs -P %s |\n' "$jobs" "$jobs"
emit '| runs | %s per measurement: median, min, max |\n' "$reps"
emit '| load average at start | %s (1, 5, 15 min; other work on the host shows here) |\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- one dataset -------------------------------------------------------------------------------

summary=()

bench_dataset() {
    local ds=$1 ccdb proj name r
    ccdb=$("$here/real/setup.sh" --work-dir "$work" "$ds" | tail -1)
    [ -s "$ccdb" ] || die "setup gave no compile database for $ds"
    proj=$(dirname "$ccdb")
    [ "$(basename "$proj")" = build ] && proj=$(dirname "$proj")
    name=$(basename "$proj")
    local pf=()
    [ $project_only -eq 1 ] && pf=(--project-only)

    local floor_s=() floor_rss=() floor_cpu=() clang_s=() clang_rss=() clang_cpu=() full_s=() full_rss=()
    local full_cpu=() ref_s=() one_s=()
    local floor_kv="" clang_fail="" full_json="" cache="" one_file="" one_parse=""
    local tus entries outside err_tus crashed

    if [ $do_clang -eq 1 ]; then
        "$floor_bin" --commands "$clangxx" "${pf[@]}" "$ccdb" >"$tmp/$ds.cmds"
    fi
    for ((r = 1; r <= reps; r++)); do
        say "$name: run $r/$reps: parse floor"
        "$floor_bin" --jobs "$jobs" --kv --quiet "${pf[@]}" --files "$tmp/$ds.floor.$r.tsv" "$ccdb" \
            >"$tmp/$ds.floor.$r.kv"
        floor_kv=$tmp/$ds.floor.$r.kv
        floor_s+=("$(kv "$floor_kv" wall_s)")
        floor_rss+=("$(awk -v k="$(kv "$floor_kv" worker_rss_kb_max)" 'BEGIN { print k / 1024 }')")
        floor_cpu+=("$(kv "$floor_kv" cpu_s)")

        if [ $do_clang -eq 1 ]; then
            say "$name: run $r/$reps: $clangxx -fsyntax-only"
            local t0 t1
            t0=$(now)
            tr '\n' '\0' <"$tmp/$ds.cmds" |
                /usr/bin/time -f '%M %U %S' -o "$tmp/$ds.clang.$r.time" xargs -0 -P "$jobs" -n 1 sh -c \
                    >"$tmp/$ds.clang.$r.out" || true
            t1=$(now)
            clang_s+=("$(elapsed "$t0" "$t1")")
            clang_rss+=("$(tree_rss "$tmp/$ds.clang.$r.time")")
            clang_cpu+=("$(tree_cpu "$tmp/$ds.clang.$r.time")")
            clang_fail=$(grep -c '^FAIL' "$tmp/$ds.clang.$r.out" || true)
        fi

        if [ $have_cidx -eq 1 ]; then
            say "$name: run $r/$reps: cidx index --full"
            [ -n "$cache" ] && rm -rf "$cache"
            cache=$tmp/$ds.cache.$r
            local t0 t1 rc=0
            t0=$(now)
            /usr/bin/time -f '%M %U %S' -o "$tmp/$ds.full.$r.time" "$cidx" index "$proj" --cache-dir "$cache" \
                "${cidx_cfg[@]}" --jobs "$jobs" --full --json >"$tmp/$ds.full.$r.json" 2>"$tmp/$ds.full.$r.err" || rc=$?
            t1=$(now)
            if [ $rc -ne 0 ]; then
                say "$name: cidx index --full exited $rc:"
                tail -5 "$tmp/$ds.full.$r.err" >&2
            else
                full_s+=("$(elapsed "$t0" "$t1")")
                full_rss+=("$(tree_rss "$tmp/$ds.full.$r.time")")
                full_cpu+=("$(tree_cpu "$tmp/$ds.full.$r.time")")
                full_json=$tmp/$ds.full.$r.json
            fi
        fi
    done

    tus=$(kv "$floor_kv" tus)
    entries=$(kv "$floor_kv" entries)
    outside=$(kv "$floor_kv" skipped_outside)
    err_tus=$(kv "$floor_kv" error_tus)
    crashed=$(kv "$floor_kv" crashed)

    # the project TU with the median parse time (from the last floor run) for (e)
    one_file=$(awk -F '\t' -v p="$proj/" 'NR > 1 && $3 == "ok" && index($5, p) == 1 { print $1 "\t" $5 }' \
        "$tmp/$ds.floor.$reps.tsv" | sort -g | awk -F '\t' '{ f[NR] = $2 } END { if (NR) print f[int((NR + 1) / 2)] }')
    if [ -n "$one_file" ]; then
        local ts=()
        for ((r = 1; r <= reps; r++)); do
            ts+=("$(awk -F '\t' -v f="$one_file" '$5 == f { print $1 }' "$tmp/$ds.floor.$r.tsv")")
        done
        one_parse=$(median "${ts[@]}")
    fi

    local stats=$tmp/$ds.stats.json
    if [ $have_cidx -eq 1 ] && [ -n "$full_json" ]; then
        "$cidx" stats --cache-dir "$cache" --json >"$stats" 2>/dev/null || : >"$stats"
        for ((r = 1; r <= reps; r++)); do
            say "$name: run $r/$reps: no-change refresh"
            local t0 t1 rc=0
            t0=$(now)
            "$cidx" index "$proj" --cache-dir "$cache" "${cidx_cfg[@]}" --jobs "$jobs" --json \
                >"$tmp/$ds.refresh.$r.json" 2>"$tmp/$ds.refresh.$r.err" || rc=$?
            t1=$(now)
            if [ $rc -eq 0 ]; then
                ref_s+=("$(awk -v s="$(elapsed "$t0" "$t1")" 'BEGIN { print s * 1000 }')")
            else
                say "$name: refresh exited $rc"
                tail -5 "$tmp/$ds.refresh.$r.err" >&2
            fi
        done
        if [ -n "$one_file" ]; then
            edited=$one_file
            cp -p "$one_file" "$tmp/edited.orig"
            for ((r = 1; r <= reps; r++)); do
                say "$name: run $r/$reps: refresh after editing $(basename "$one_file")"
                printf '\n// cidx bench edit %d\n' "$r" >>"$one_file"
                local t0 t1 rc=0
                t0=$(now)
                "$cidx" index "$proj" --cache-dir "$cache" "${cidx_cfg[@]}" --jobs "$jobs" --json \
                    >"$tmp/$ds.one.$r.json" 2>"$tmp/$ds.one.$r.err" || rc=$?
                t1=$(now)
                if [ $rc -eq 0 ]; then
                    one_s+=("$(elapsed "$t0" "$t1")")
                else
                    say "$name: refresh exited $rc"
                    tail -5 "$tmp/$ds.one.$r.err" >&2
                fi
            done
            cp -p "$tmp/edited.orig" "$one_file"
            edited=
        fi
    else
        : >"$stats"
    fi

    # ---- the dataset's table ----
    local fm cm um rm_ om
    fm=$(median "${floor_s[@]}")
    cm=$([ ${#clang_s[@]} -gt 0 ] && median "${clang_s[@]}" || echo "")
    um=$([ ${#full_s[@]} -gt 0 ] && median "${full_s[@]}" || echo "")
    rm_=$([ ${#ref_s[@]} -gt 0 ] && median "${ref_s[@]}" || echo "")
    om=$([ ${#one_s[@]} -gt 0 ] && median "${one_s[@]}" || echo "")
    local PENDING
    PENDING=$([ $have_cidx -eq 1 ] && echo "failed" || echo "pending")

    emit '## %s\n\n' "$name"
    emit '`%s`: %s compile commands, %s TUs (the first command of each file' "$ccdb" "$entries" "$tus"
    [ $project_only -eq 1 ] && emit '; %s outside %s skipped' "$outside" "$proj"
    emit '); libclang errors: %s TUs with errors, %s crashed; `cidx index %s`.\n\n' "$err_tus" "$crashed" "$proj"
    emit '| measurement | median | min | max | runs | vs parse floor | target | |\n'
    emit '|---|--:|--:|--:|--:|--:|--:|---|\n'
    PENDING=— row "(a) parse floor: libclang parse only, $jobs workers, s" "${floor_s[@]}" -- "1.00x"
    local fcm
    fcm=$(median "${floor_cpu[@]}")
    PENDING=— row "(a) parse floor: CPU s (workers, user + system)" "${floor_cpu[@]}" -- "1.00x"
    ROW_DECIMALS=0 PENDING=— row "(a) parse floor: largest worker peak RSS, MB" "${floor_rss[@]}" --
    if [ $do_clang -eq 1 ]; then
        row "(b) $clangxx -fsyntax-only, xargs -P $jobs, s" "${clang_s[@]}" -- "$(ratio "$cm" "$fm")"
        row "(b) $clangxx: CPU s (all processes, user + system)" "${clang_cpu[@]}" -- \
            "$(ratio "$(median "${clang_cpu[@]}")" "$fcm")"
        ROW_DECIMALS=0 row "(b) $clangxx: largest process peak RSS, MB" "${clang_rss[@]}" --
        emit '| (b) %s: TUs that failed | %s |  |  |  |  |  |  |\n' "$clangxx" "${clang_fail:-0}"
    fi
    local fr=""
    [ -n "$um" ] && fr=$(ratio "$um" "$fm")
    row "(c) cidx index --full, s" ${full_s[@]+"${full_s[@]}"} -- "$fr" "≤ 1.3x" \
        "$([ -n "$um" ] && verdict "$(awk -v a="$um" -v b="$fm" 'BEGIN { print a / b }')" 1.3)"
    row "(c) cidx: CPU s (parent and workers, user + system)" ${full_cpu[@]+"${full_cpu[@]}"} -- \
        "$([ ${#full_cpu[@]} -gt 0 ] && ratio "$(median "${full_cpu[@]}")" "$fcm")"
    local files symbols refs size parent_kb worker_kb
    files=$(jget "$full_json" files)
    [ -n "$files" ] || files=$(jget "$stats" files)
    symbols=$(jget "$stats" symbols)
    [ -n "$symbols" ] || symbols=$(jget "$full_json" symbols)
    refs=$(jget "$stats" references)
    [ -n "$refs" ] || refs=$(jget "$full_json" refs)
    size=$(jq -r '((.size_bytes // 0) + (.wal_bytes // 0)) / 1048576' "$stats" 2>/dev/null || true)
    parent_kb=$(jget "$full_json" parent_rss_kb)
    worker_kb=$(jget "$full_json" worker_rss_kb_max)
    local val
    cidx_val() { # cidx_val VALUE: the value, or pending/failed/—
        if [ -n "${1:-}" ]; then echo "$1"; elif [ $have_cidx -eq 0 ]; then echo pending; elif [ -z "$full_json" ]; then echo failed; else echo —; fi
    }
    val=""
    [ -n "$files" ] && [ -n "$um" ] && val=$(awk -v f="$files" -v s="$um" 'BEGIN { printf "%.1f", f / s }')
    emit '| (c) cidx index --full, files/s (files from its summary) | %s |  |  |  |  |  |  |\n' "$(cidx_val "$val")"
    emit '| (c) cidx: files / symbols / references (cidx stats) | %s |  |  |  |  |  |  |\n' \
        "$(cidx_val "$([ -n "$symbols" ] && echo "${files:-?} / $symbols / ${refs:-?}")")"
    emit '| (c) cidx: cache size (database + WAL), MB | %s |  |  |  |  |  |  |\n' \
        "$(cidx_val "$([ -n "$size" ] && [ -n "$symbols" ] && fmt "$size" 1 1)")"
    emit '| (c) cidx: parent peak RSS (its summary), MB | %s |  |  |  |  |  |  |\n' \
        "$(cidx_val "$([ -n "$parent_kb" ] && fmt "$parent_kb" 0.0009765625 0)")"
    emit '| (c) cidx: largest worker peak RSS (its summary), MB | %s |  |  |  |  |  |  |\n' \
        "$(cidx_val "$([ -n "$worker_kb" ] && fmt "$worker_kb" 0.0009765625 0)")"
    ROW_DECIMALS=0 row "(c) cidx: largest RSS in its process tree (GNU time %M), MB" ${full_rss[@]+"${full_rss[@]}"} --
    local target="" v=""
    if [ "$ds" = synth ]; then
        target="≤ 100 ms"
        [ -n "$rm_" ] && v=$(verdict "$rm_" 100)
    fi
    ROW_DECIMALS=1 row "(d) no-change refresh, ms" ${ref_s[@]+"${ref_s[@]}"} -- "" "$target" "$v"
    if [ -n "$one_file" ]; then
        ROW_DECIMALS=3 row "(e) one changed TU (\`${one_file#"$proj"/}\`, parsed in $(fmt "$one_parse" 1 3) s in (a)): refresh, s" \
            ${one_s[@]+"${one_s[@]}"} --
        local minus=()
        for x in ${one_s[@]+"${one_s[@]}"}; do
            minus+=("$(awk -v a="$x" -v b="$one_parse" 'BEGIN { print a - b }')")
        done
        ROW_DECIMALS=3 row "(e) the same minus that TU's parse time, s" ${minus[@]+"${minus[@]}"} --
    fi
    emit '\n'

    summary+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$name" "$tus" \
        "$(fmt "$fm" 1 1)" "$(fmt "$cm" 1 1)" "$(ratio "$cm" "$fm")" \
        "$([ ${#clang_cpu[@]} -gt 0 ] && ratio "$(median "${clang_cpu[@]}")" "$fcm")" \
        "$(cidx_val "$(fmt "$um" 1 1)")" "$(cidx_val "$(ratio "$um" "$fm")")" \
        "$(cidx_val "$(fmt "$rm_" 1 1)")" \
        "$(cidx_val "$([ -n "$om" ] && echo "$(fmt "$om" 1 2) ($(fmt "$(awk -v a="$om" -v b="$one_parse" 'BEGIN { print a - b }')" 1 2))")")")")
}

for ds in "${datasets[@]}"; do
    bench_dataset "$ds"
done

emit '## Summary\n\n'
emit '| dataset | TUs | parse floor s | %s -fsyntax-only s | clang / floor | clang / floor, CPU | cidx index --full s | cidx / floor (target ≤ 1.3x) | no-change refresh ms | one changed TU: refresh s (minus its parse) |\n' "$clangxx"
emit '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
for line in "${summary[@]}"; do emit '%s\n' "$line"; done
emit '\n'

emit 'Load average at the end: %s.\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "$out" ]; then
    cp "$report" "$out"
    say "report written to $out"
fi
