#!/usr/bin/env bash
# instantiate.sh DEST PROJECT - lays out a golden project for a test run.
#
# Copies tests/golden/PROJECT (cpp_features, c_project, broken, hostile, plugin) to DEST, which
# becomes the project root (DEST/src/..., DEST/compile_commands.json). DEST must not exist or
# must be an empty directory; its parents are created. Then every file NAME.in in the copy is
# replaced by NAME with these placeholders substituted:
#   @ROOT@     the absolute, canonical path of DEST (symlinks resolved)
#   @ROOT_SH@  the same path as one shell word in single quotes, for "command" strings, response
#              files and clang config files, which are split like a shell command line
# In NAME.json files both are JSON-escaped as well (backslash, double quote), so any DEST path
# works: spaces, non-ASCII, quotes. A DEST holding a control character (newline...) is refused.
#
# Prints the canonical DEST on stdout. Exit status 0, or 2 on bad usage or a bad DEST.
# Pure bash plus cp/mkdir/find: nothing is downloaded, nothing runs through eval.
set -euo pipefail

usage() {
    echo "usage: $0 DEST PROJECT" >&2
    exit 2
}
[ $# -eq 2 ] || usage
dest=$1
project=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
src="$here/$project"
case $project in
*/* | . | .. | "") usage ;;
esac
[ -d "$src" ] || {
    echo "$0: no golden project '$project' in $here" >&2
    exit 2
}
if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
    echo "$0: '$dest' exists and is not empty" >&2
    exit 2
fi
mkdir -p "$dest"
root="$(cd "$dest" && pwd -P)"
if [[ $root == *[[:cntrl:]]* ]]; then
    echo "$0: '$dest' holds a control character" >&2
    exit 2
fi

cp -R "$src/." "$root/"

# The path as one single-quoted shell word: ' becomes '\''.
sq="'"
root_sh="'${root//$sq/$sq\\$sq$sq}'"

json_escape() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    printf '%s' "$s"
}

while IFS= read -r -d '' in; do
    out=${in%.in}
    r=$root
    rs=$root_sh
    if [[ $out == *.json ]]; then
        r=$(json_escape "$root")
        rs=$(json_escape "$root_sh")
    fi
    text=$(cat "$in"; printf x) # keep trailing newlines
    text=${text%x}
    # @ROOT_SH@ first: @ROOT@ is not a substring of it, but keep the order obvious.
    text=${text//@ROOT_SH@/"$rs"}
    text=${text//@ROOT@/"$r"}
    printf '%s' "$text" >"$out"
    rm -f "$in"
done < <(find "$root" -type f -name '*.in' -print0)

printf '%s\n' "$root"
