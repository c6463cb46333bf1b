#!/usr/bin/env bash
# gen_ccdb.sh - writes the plugin project's compile databases from spellings.json.in (needs jq;
# the outputs are committed, so running the tests does not). Run after editing the spellings:
#   bash tests/golden/plugin/gen_ccdb.sh
# Outputs:
#   compile_commands.json.in   src/other.c: ONE "command" entry holding every driver spelling at
#                              once (not the cl-mode and cc1 ones, which change how the whole
#                              line is read); then src/main.c: one "arguments" entry per
#                              spelling, in spellings order (the first, -fplugin=, wins; the
#                              others are alternatives the indexer records and must not run)
#   ccdb/ID.json.in            per spelling: src/main.c in "arguments" form and src/other.c in
#                              "command" form, each with only that spelling; a test indexes
#                              each of these databases on its own to know which spelling leaks
# In "command" strings paths are relative to "directory" (@ROOT@/ is dropped), so no quoting of
# the root is needed; command_fragment, when a spelling has one, is used verbatim.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf ccdb
mkdir ccdb

# jq helpers shared by both outputs.
defs='
def tail_for($f): (.tail // ["-c", "-o", ("build/" + ($f | sub("\\.c$"; ".o") | sub("^src/"; ""))), $f])
    | map(if . == "src/main.c" then $f else . end);
def frag: .command_fragment // (.args | map(gsub("@ROOT@/"; "")) | map(@sh) | join(" "));
def argv($f): [.compiler // "clang"] + .args + tail_for($f);
def cmd($f): ([.compiler // "clang"] | map(@sh) | join(" ")) + " " + frag + " "
    + (tail_for($f) | map(@sh) | join(" "));
'

jq --indent 2 "$defs"'
  [{directory: "@ROOT@",
    command: ("clang "
              + (map(select(.probe != "cl" and .probe != "cl-name" and .probe != "cc1")) | map(frag) | join(" "))
              + " -c -o build/other.o src/other.c"),
    file: "@ROOT@/src/other.c"}]
  + map({directory: "@ROOT@", arguments: argv("src/main.c"), file: "@ROOT@/src/main.c"})
' spellings.json.in >compile_commands.json.in

for id in $(jq -r '.[].id' spellings.json.in); do
    jq --indent 2 --arg id "$id" "$defs"'
      map(select(.id == $id))[0]
      | [{directory: "@ROOT@", arguments: argv("src/main.c"), file: "@ROOT@/src/main.c"},
         {directory: "@ROOT@", command: cmd("src/other.c"), file: "src/other.c"}]
    ' spellings.json.in >"ccdb/$id.json.in"
done
