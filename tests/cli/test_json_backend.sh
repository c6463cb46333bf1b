#!/usr/bin/env bash
# The JSON backend through the CLI and the server (issue 5 §3, docs/MIGRATION.md):
#   1. the golden project indexed into a SQLite cache and exported as JSON answers the same on
#      the JSON backend (CLANG_INDEX_USE_SQLITE=0) as the SQLite cache migrate-json makes from
#      that JSON: dump, search, callers; loading leaves the JSON files as they were;
#   2. `cidx index --backend json` writes JSON files (no symbols.db) that migrate-json accepts,
#      with the same content;
#   3. `cidx serve --backend json`: get_server_status says backend "json", queries answer;
#   4. fallback: a read-only cache directory holding only JSON files, and a damaged symbols.db
#      in a read-only directory, answer from the JSON with a warning (run as nobody when root).
#
# usage: test_json_backend.sh CIDX
set -euo pipefail
cidx=$(realpath "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd -P)"
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
fail=0
root="$tmp/root"
bash "$here/instantiate.sh" "$root" cpp_features >/dev/null

# 1. same answers
"$cidx" index "$root" --cache-dir "$tmp/sq" --quiet >/dev/null
"$cidx" export-json "$tmp/js" --cache-dir "$tmp/sq" >/dev/null
cp -a "$tmp/js" "$tmp/js-copy"
"$cidx" migrate-json "$tmp/js-copy" --cache-dir "$tmp/mig" >/dev/null
"$cidx" dump --cache-dir "$tmp/mig" --root "$root" >"$tmp/d-mig"
CLANG_INDEX_USE_SQLITE=0 "$cidx" dump --cache-dir "$tmp/js" --root "$root" >"$tmp/d-json"
if ! cmp -s "$tmp/d-mig" "$tmp/d-json"; then
    echo "FAIL: the JSON backend's dump differs from the migrated cache's"
    diff "$tmp/d-mig" "$tmp/d-json" | head -20; fail=1
fi
for q in "search Shape --json" "callers geo::area --json" "hierarchy geo::Shape --json"; do
    # shellcheck disable=SC2086
    "$cidx" $q --cache-dir "$tmp/mig" --project "$root" >"$tmp/q-mig" 2>&1 || true
    # shellcheck disable=SC2086
    "$cidx" $q --cache-dir "$tmp/js" --project "$root" --backend json >"$tmp/q-json" 2>&1 || true
    if ! cmp -s "$tmp/q-mig" "$tmp/q-json"; then
        echo "FAIL: 'cidx $q' answers differently on the JSON backend"
        diff "$tmp/q-mig" "$tmp/q-json" | head -10; fail=1
    fi
done
if ! diff -r -x .cidx-json.lock "$tmp/js" "$tmp/js-copy" -x .migrated_to_sqlite -x 'json-backup.*' \
    -x 'symbols.db*' -x '.cidx-*' >/dev/null; then
    echo "FAIL: queries on the JSON backend changed the JSON files"; fail=1
fi

# 2. indexing on the JSON backend
"$cidx" index "$root" --cache-dir "$tmp/jx" --backend json --quiet >/dev/null
if [ -e "$tmp/jx/symbols.db" ] || [ ! -f "$tmp/jx/cache_info.json" ]; then
    echo "FAIL: index --backend json did not write a JSON cache only"; ls -A "$tmp/jx"; fail=1
fi
if ! "$cidx" migrate-json "$tmp/jx" --cache-dir "$tmp/mx" >"$tmp/out" 2>&1; then
    echo "FAIL: migrate-json rejects what the JSON backend wrote"; cat "$tmp/out"; fail=1
fi
"$cidx" dump --cache-dir "$tmp/mx" --root "$root" >"$tmp/d-mx"
if ! cmp -s "$tmp/d-mig" "$tmp/d-mx"; then
    echo "FAIL: indexing on the JSON backend saved other content than an export"
    diff "$tmp/d-mig" "$tmp/d-mx" | head -10; fail=1
fi
# a refresh with nothing changed keeps working on the same files
"$cidx" index "$root" --cache-dir "$tmp/jx" --backend json --quiet >/dev/null ||
    { echo "FAIL: a second index --backend json failed"; fail=1; }
if ls -A "$tmp/jx" | grep -q '^\.cidx-json-save'; then
    echo "FAIL: a save left its directory behind"; fail=1
fi

# 3. the server
printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_server_status","arguments":{"health_check":false}}}' |
    "$cidx" serve --cache-dir "$tmp/js" --project "$root" --backend json >"$tmp/serve.out" 2>"$tmp/serve.err" || true
grep -q '"backend": *"json"' "$tmp/serve.out" ||
    { echo "FAIL: get_server_status does not say backend json"; head -c 2000 "$tmp/serve.out"; cat "$tmp/serve.err"; fail=1; }

# the I/O-error trigger: with every operation counted as failed, the server switches to a JSON
# export of its cache after a window of 200 and says so
{
    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
        '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    for i in $(seq 10 230); do
        printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"find_symbols","arguments":{"pattern":"Shape"}}}\n' "$i"
    done
    printf '%s\n' '{"jsonrpc":"2.0","id":999,"method":"tools/call","params":{"name":"get_server_status","arguments":{"health_check":false}}}'
} | CIDX_TEST_IO_ERRORS=1 "$cidx" serve --cache-dir "$tmp/sq" --project "$root" >"$tmp/serve2.out" 2>"$tmp/serve2.err" || true
status=$(grep '"id":999' "$tmp/serve2.out" || true)
if ! grep -q '"backend": *"json"' <<<"$status" || ! grep -q 'I/O errors on' <<<"$status"; then
    echo "FAIL: the server did not switch to the JSON backend on I/O errors"
    head -c 1500 <<<"$status"; cat "$tmp/serve2.err"; fail=1
fi
grep -q "switched to the JSON backend" "$tmp/serve2.err" ||
    { echo "FAIL: no warning for the switch"; cat "$tmp/serve2.err"; fail=1; }
[ -f "$tmp/sq/cache_info.json" ] || { echo "FAIL: the switch wrote no JSON export"; fail=1; }
last=$(grep '"id":230,' "$tmp/serve2.out" || true)
grep -q 'geo::Shape' <<<"$last" || { echo "FAIL: no answers after the switch"; head -c 600 <<<"$last"; fail=1; }

# 4. fallback (as a user that cannot write, also when the tests run as root)
as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
    cp -a "$tmp/js-copy" "$tmp/ro"
    rm -rf "$tmp/ro/.migrated_to_sqlite" "$tmp/ro"/json-backup.* "$tmp/ro"/.cidx-*
    chmod -R a+rX "$tmp/ro" "$root"
    chmod a-w "$tmp/ro"
    if as_user "$cidx" search Shape --json --cache-dir "$tmp/ro" --project "$root" \
        >"$tmp/q-ro" 2>"$tmp/err-ro"; then
        "$cidx" search Shape --json --cache-dir "$tmp/mig" --project "$root" >"$tmp/q-mig" 2>&1
        cmp -s "$tmp/q-mig" "$tmp/q-ro" ||
            { echo "FAIL: read-only fallback answers differently"; diff "$tmp/q-mig" "$tmp/q-ro" | head; fail=1; }
        grep -q "JSON backend" "$tmp/err-ro" ||
            { echo "FAIL: no fallback warning on stderr"; cat "$tmp/err-ro"; fail=1; }
    else
        echo "FAIL: a read-only directory with JSON files gives no answers"; cat "$tmp/err-ro"; fail=1
    fi
    # a damaged symbols.db that cannot be moved aside (the directory is read-only)
    chmod u+w "$tmp/ro"
    printf 'not a database at all, not even close: %0500d' 0 >"$tmp/ro/symbols.db"
    chmod a+r "$tmp/ro/symbols.db"
    chmod a-w "$tmp/ro"
    if as_user "$cidx" search Shape --json --cache-dir "$tmp/ro" --project "$root" \
        >"$tmp/q-ro2" 2>"$tmp/err-ro2"; then
        cmp -s "$tmp/q-mig" "$tmp/q-ro2" ||
            { echo "FAIL: fallback from a damaged database answers differently"; fail=1; }
        grep -q "JSON backend" "$tmp/err-ro2" ||
            { echo "FAIL: no fallback warning for the damaged database"; cat "$tmp/err-ro2"; fail=1; }
    else
        echo "FAIL: a damaged database in a read-only directory gives no answers"; cat "$tmp/err-ro2"; fail=1
    fi
    chmod u+w "$tmp/ro"
fi

# integrity of what the SQLite caches hold after all this
"$cidx" doctor --cache-dir "$tmp/mx" >/dev/null 2>&1 || { echo "FAIL: doctor on the migrated JSON"; fail=1; }
exit $fail
