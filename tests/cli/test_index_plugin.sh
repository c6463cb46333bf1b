#!/usr/bin/env bash
# Compile arguments that load code must never load it: `cidx index` on tests/golden/plugin, whose
# compile databases try every spelling of loading a plugin (spellings.json.in, FACTS.md).
#
# usage: test_index_plugin.sh CIDX [CIDX_GEN]
#
# Builds marker_plugin.c into a shared object whose constructor writes a marker file, then indexes
# the project with the all-spellings compile_commands.json and with each ccdb/ID.json alone. After
# every run:
#   - the marker file does not exist;
#   - the project's symbols are indexed (cidx search), and cidx doctor says the cache is healthy;
#   - stderr holds the "removed '...'" warning for the spelling, for both sources;
#   - what the indexer sent its parse workers holds no trace of the spelling: a wrapper set as
#     CIDX_WORKER records the task frames (the sanitized arguments) before the real worker reads
#     them. libclang 19 itself loads no plugin for any spelling (FACTS.md), so this check and the
#     log are what prove the sanitizer works; the marker guards other libclang versions.
# Positive control: the clang driver (clang-19, or $CLANG) run with a few of the same spellings
# does write the marker, so the plugin and the marker check are real. Without clang-19 only that
# part is skipped. Without a C compiler ($CC, else cc) nothing can be built: the test is skipped.
set -uo pipefail
cidx=$(realpath "$1")
worker="$(dirname "$cidx")/cidx-worker"
golden="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
cc=${CC:-cc}
clang=${CLANG:-clang-19}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

if ! command -v "$cc" >/dev/null; then
    echo "SKIP: no C compiler '$cc' to build the marker plugin"
    exit 0
fi
[ -x "$worker" ] || { echo "FAIL: no parse worker at $worker"; exit 1; }

# A root with a space, non-ASCII and a quote (not the word "plugin": the capture check greps it).
root=$(bash "$golden/instantiate.sh" "$tmp/pl röot 'q'/proj" plugin) || exit 1
mkdir -p "$root/build"
marker="$root/build/marker"
so="$root/build/marker_plugin.so"
"$cc" -shared -fPIC "-DCIDX_MARKER_PATH=\"$marker\"" -o "$so" "$root/marker_plugin.c" || {
    echo "FAIL: cannot build the marker plugin with $cc"
    exit 1
}
export CIDX_MARKER="$marker"

cat >"$tmp/worker.sh" <<'EOF'
#!/bin/sh
# records the frames the indexer sends (its tasks carry the sanitized arguments), then parses
tee "$CIDX_TEST_CAPTURE.$$" | "$CIDX_TEST_WORKER" "$@"
EOF
chmod +x "$tmp/worker.sh"

# ---- positive control: the clang driver itself loads the plugin ---------------------------------
if command -v "$clang" >/dev/null; then
    control() { # description, then the driver's arguments (run in $root)
        local what=$1
        shift
        rm -f "$marker"
        (cd "$root" && "$clang" "$@" src/main.c >/dev/null 2>&1)
        if [ -e "$marker" ]; then
            echo "ok control: $clang loads the plugin with $what"
        else
            echo "FAIL control: $clang did not load the plugin with $what (the marker check proves nothing)"
            fail=$((fail + 1))
        fi
        rm -f "$marker"
    }
    control "-fplugin=" "-fplugin=$so" -fsyntax-only
    control "-Wp,-load," "-Wp,-load,$so" -fsyntax-only
    control "--driver-mode=cl /clang:-fplugin=" --driver-mode=cl "/clang:-fplugin=$so" /Zs
else
    echo "SKIP control: $clang not found, the positive control (the driver does load the plugin) is not run"
fi

# ---- what each spelling must log -----------------------------------------------------------------
# One entry per spelling of spellings.json.in: lines separated by ';;', each "W:" (a warning) or
# "I:" (an info line) and the text after "FILE: ". @X@ is the plugin path as the entry spells it
# (absolute in src/main.c's "arguments", relative in src/other.c's "command"), @R@ the root prefix
# of other paths likewise, @A@ the absolute plugin path (what the response files hold).
declare -A expect=(
    [fplugin_eq]="W:removed '-fplugin=@X@': plugin"
    [fplugin_sep]="W:removed '-fplugin @X@': plugin"
    [fplugin_arg]="W:removed '-fplugin-arg-cidx_marker-level=1': plugin"
    [fpass_plugin_eq]="W:removed '-fpass-plugin=@X@': plugin"
    [fpass_plugin_sep]="W:removed '-fpass-plugin @X@': plugin"
    [xclang_load]="W:removed '-Xclang -load -Xclang @X@': plugin"
    [xclang_eq_load]="W:removed '-Xclang=-load -Xclang=@X@': plugin"
    [xclang_load_mixed_a]="W:removed '-Xclang -load -Xclang=@X@': plugin"
    [xclang_load_mixed_b]="W:removed '-Xclang=-load -Xclang @X@': plugin"
    [xclang_load_apart]="W:removed '-Xclang -load -Xclang @X@': plugin"
    [xclang_load_eq]="W:removed '-Xclang -load=@X@': plugin"
    [xclang_fpass_plugin]="W:removed '-Xclang -fpass-plugin=@X@': plugin"
    [xclang_load_add_plugin]="W:removed '-Xclang -load -Xclang @X@': plugin;;W:removed '-Xclang -add-plugin -Xclang cidx-marker': plugin"
    [xclang_add_plugin]="W:removed '-Xclang -add-plugin -Xclang cidx-marker': plugin"
    [xclang_plugin]="W:removed '-Xclang -plugin -Xclang cidx-marker': plugin"
    [xclang_plugin_arg]="W:removed '-Xclang -plugin-arg-cidx-marker -Xclang level=1': plugin"
    [load_sep]="W:removed '-load @X@': plugin"
    [load_eq]="W:removed '-load=@X@': plugin"
    [mllvm_load_eq]="W:removed '-mllvm -load=@X@': plugin"
    [mllvm_load_sep]="W:removed '-mllvm -load -mllvm @X@': plugin"
    [mllvm_eq_load]="W:removed '-mllvm=-load=@X@': plugin"
    [wp_load]="W:removed '-Wp,-load,@X@': plugin"
    [wp_load_split]="W:removed '-Wp,-load -Wp,@X@': plugin"
    [wp_response_file]="W:removed '-Wp,@@R@load.rsp': response file behind a pass-through flag"
    [xclang_eq_response_file]="W:removed '-Xclang=@@R@load.rsp': response file behind a pass-through flag"
    [xpreprocessor_load]="W:removed '-Xpreprocessor -load -Xpreprocessor @X@': plugin"
    [wp_xpreprocessor_load]="W:removed '-Wp,-load -Xpreprocessor @X@': plugin"
    [xanalyzer_load]="W:removed '-Xanalyzer -load -Xanalyzer @X@': plugin"
    [xopenmp_target]="W:removed '-Xopenmp-target -fplugin=@X@': plugin"
    [xopenmp_target_eq]="W:removed '-Xopenmp-target=x86_64-pc-linux-gnu -fplugin=@X@': plugin"
    [xopenmp_target_xclang]="W:removed '-Xopenmp-target -Xclang=-load -Xopenmp-target -Xclang=@X@': plugin"
    [xarch]="W:removed '-Xarch_x86_64 -fplugin=@X@': plugin"
    [response_file_abs]="I:expanded '@@R@plugin.rsp' (1 arguments);;W:removed '-fplugin=@A@': plugin"
    [response_file_rel]="I:expanded '@plugin.rsp' (1 arguments);;W:removed '-fplugin=@A@': plugin"
    [response_file_nested]="I:expanded '@nested.rsp' (1 arguments);;I:expanded '@plugin.rsp' (1 arguments);;W:removed '-fplugin=@A@': plugin"
    [config_eq]="W:removed '--config=@R@cfg/clang.cfg': config file"
    [config_sep]="W:removed '--config @R@cfg/clang.cfg': config file"
    [config_user_dir]="W:removed '--config-user-dir=@R@cfg': config file"
    [config_system_dir]="W:removed '--config-system-dir=@R@cfg': config file"
    [cc1_load]="W:removed '-load @X@': plugin"
    [cl_slash_clang]="W:removed '/clang:-fplugin=@X@': plugin"
    [cl_dash_clang]="W:removed '-clang:-fplugin=@X@': plugin"
    [cl_slash_clang_xclang]="W:removed '/clang:-Xclang /clang:-load /clang:-Xclang /clang:@X@': plugin"
    [cl_compiler_name]="W:removed '/clang:-fplugin=@X@': plugin"
    [quoted_pieces]="W:removed '-Xclang -load -Xclang @X@': plugin"
)
# Not in src/other.c's all-spellings command: they change how the whole line is read.
not_in_all=" cc1_load cl_slash_clang cl_dash_clang cl_slash_clang_xclang cl_compiler_name "

mapfile -t ids < <(grep -o '"id": *"[a-z0-9_]*"' "$golden/plugin/spellings.json.in" | sed 's/.*"\([a-z0-9_]*\)"$/\1/')
if [ "${#ids[@]}" -lt 40 ]; then
    echo "FAIL: read only ${#ids[@]} spellings from spellings.json.in"
    exit 1
fi
for id in "${ids[@]}"; do
    if [ -z "${expect[$id]:-}" ]; then
        echo "FAIL $id: a spelling of spellings.json.in this test does not know (add it to 'expect')"
        fail=$((fail + 1))
    fi
done

# check_lines LABEL FILE X R: every expected line of the spellings given after "--" is on stderr
check_lines() {
    local label=$1 file=$2 x=$3 r=$4 id line kind text level
    shift 5
    for id in "$@"; do
        IFS=$'\n' read -r -d '' -a lines < <(printf '%s' "${expect[$id]}" | sed 's/;;/\n/g'; printf '\0')
        for line in "${lines[@]}"; do
            kind=${line%%:*}
            text=${line#?:}
            text=${text//@X@/$x}
            text=${text//@R@/$r}
            text=${text//@A@/$so}
            level=$([ "$kind" = W ] && echo warning || echo info)
            if ! grep -qF -- "cidx: $level: $file: $text" "$tmp/err"; then
                echo "FAIL $label ($id): no '$level: ${file#"$root/"}: $text' on stderr"
                fail=$((fail + 1))
            fi
        done
    done
}

# run_index LABEL DB: indexes with DB as compile_commands.json in a fresh cache, checks the rest
run_index() {
    local label=$1 db=$2 cache="$tmp/cache-$1" rc sym want f
    cp "$db" "$root/compile_commands.json"
    rm -f "$marker" "$tmp"/capture.*
    CIDX_LOG_LEVEL=info CIDX_WORKER="$tmp/worker.sh" CIDX_TEST_CAPTURE="$tmp/capture" \
        CIDX_TEST_WORKER="$worker" "$cidx" index "$root" --cache-dir "$cache" --jobs 2 --quiet \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $label: cidx index exited $rc"
        sed 's/^/    /' "$tmp/err" | head -20
        fail=$((fail + 1))
        return
    fi
    if [ -e "$marker" ]; then
        echo "FAIL $label: THE PLUGIN WAS LOADED (the marker file exists)"
        fail=$((fail + 1))
    fi
    for sym in plugin_project_identity:main.c:4 main:main.c:9 plugin_project_other:other.c:4; do
        IFS=: read -r name f want <<<"$sym"
        if ! "$cidx" search "$name" --cache-dir "$cache" --match exact --json >"$tmp/search" ||
            ! grep -qF "src/$f\",\"line\":$want,\"column\":5" "$tmp/search"; then
            echo "FAIL $label: symbol $name (src/$f:$want:5) is not in the index"
            sed 's/^/    /' "$tmp/search" | head -5
            fail=$((fail + 1))
        fi
    done
    if grep -q "could not parse\|failed" "$tmp/err"; then
        echo "FAIL $label: a source failed to parse (a removed flag is not a parse error)"
        grep "could not parse\|failed" "$tmp/err" | sed 's/^/    /' | head -5
        fail=$((fail + 1))
    fi
    # the workers got tasks (the wrapper works) and no trace of any spelling; marker_plugin.c,
    # which no database lists, may be a task of its own (parsed with default flags)
    if ! cat "$tmp"/capture.* 2>/dev/null | tr '\0' '\n' | grep -aq "src/main.c"; then
        echo "FAIL $label: the worker wrapper recorded no task for src/main.c"
        fail=$((fail + 1))
    elif cat "$tmp"/capture.* | tr '\0' '\n' | grep -av '/marker_plugin\.c$' |
        grep -an -e marker_plugin -e plugin -e '\.rsp' -e '--config' -e '-load' -e cidx-marker \
            -e cidx_marker -e 'level=1' >"$tmp/leak"; then
        echo "FAIL $label: the arguments sent to the parse worker still hold a spelling:"
        cat -v "$tmp/leak" | sed 's/^/    /' | head -10
        fail=$((fail + 1))
    fi
    if ! "$cidx" doctor --cache-dir "$cache" >"$tmp/doctor" 2>&1; then
        echo "FAIL $label: cidx doctor reports problems"
        sed 's/^/    /' "$tmp/doctor"
        fail=$((fail + 1))
    fi
}

# ---- all spellings at once: src/other.c holds every driver spelling, src/main.c one entry each ---
cp "$root/compile_commands.json" "$tmp/all.json"
before=$fail
run_index all "$tmp/all.json"
all_ids=()
for id in "${ids[@]}"; do
    [[ $not_in_all == *" $id "* ]] || all_ids+=("$id")
done
check_lines all "$root/src/other.c" build/marker_plugin.so "" -- "${all_ids[@]}"
check_lines all "$root/src/main.c" "$so" "$root/" -- fplugin_eq
if ! grep -q "$((${#ids[@]} - 1)) extra compile database entries ignored" "$tmp/out"; then
    echo "FAIL all: the $((${#ids[@]} - 1)) alternative entries of src/main.c are not reported as ignored"
    sed 's/^/    /' "$tmp/out"
    fail=$((fail + 1))
fi
[ $fail = "$before" ] && echo "ok all spellings at once (${#all_ids[@]} in one command)"

# ---- each spelling alone -------------------------------------------------------------------------
for id in "${ids[@]}"; do
    before=$fail
    db="$root/ccdb/$id.json"
    if [ ! -f "$db" ]; then
        echo "FAIL $id: no $db (run tests/golden/plugin/gen_ccdb.sh)"
        fail=$((fail + 1))
        continue
    fi
    run_index "$id" "$db"
    check_lines "$id" "$root/src/main.c" "$so" "$root/" -- "$id"
    check_lines "$id" "$root/src/other.c" build/marker_plugin.so "" -- "$id"
    [ $fail = "$before" ] && echo "ok $id"
done
cp "$tmp/all.json" "$root/compile_commands.json"

[ $fail = 0 ] && echo "ok: no spelling loaded the plugin or reached a worker (${#ids[@]} spellings)"
[ $fail = 0 ]
