#!/usr/bin/env bash
# bench/real/setup.sh - fetches the real projects the indexing benchmark runs on, from Debian's
# source packages, configures each with CMake (compile database only, nothing is built) and
# generates the synthetic 1,000-file project. Prints the path of each compile_commands.json,
# one per line, on stdout; progress goes to stderr. Idempotent: what is there is kept.
#
#   bench/real/setup.sh [--work-dir DIR] [--gcc] [--reconfigure] [--no-apt] [DATASET...]
#
# DATASET: googletest (googletest 1.12.1: its tests and samples, 80 TUs), fmtlib (fmt 9.1.0 with
# its tests, 31 TUs, four of them googletest's in /usr/src/googletest), synth (bench/real/
# gen_project.sh: 1,000 .cpp + 100 headers). Default: all three.
# The work directory is --work-dir, else $CIDX_BENCH_DIR, else ~/.cache/cidx-bench.
#
# Needs root or sudo only when something is missing: it enables deb-src for the Debian
# mirrors already configured (a new /etc/apt/sources.list.d/cidx-bench-src.sources) and
# installs cmake, ninja-build, clang-19, dpkg-dev and googletest (fmtlib's tests build
# googletest from /usr/src/googletest).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${CIDX_BENCH_DIR:-$HOME/.cache/cidx-bench}
cc=clang-19
cxx=clang++-19
reconfigure=0
use_apt=1
datasets=()

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --work-dir) work=$2; shift 2 ;;
    --work-dir=*) work=${1#*=}; shift ;;
    --gcc) cc=gcc; cxx=g++; shift ;;
    --reconfigure) reconfigure=1; shift ;;
    --no-apt) use_apt=0; shift ;;
    -h | --help) usage ;;
    -*) echo "setup.sh: unknown option '$1'" >&2; usage ;;
    *) datasets+=("$1"); shift ;;
    esac
done
[ ${#datasets[@]} -gt 0 ] || datasets=(googletest fmtlib synth)

say() { echo "setup.sh: $*" >&2; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_update() {
    if [ $apt_updated -eq 0 ]; then
        say "apt-get update"
        as_root apt-get update -qq >&2
        apt_updated=1
    fi
}

# Installs the packages whose probe command is missing.
need() { # need PROBE-COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    [ $use_apt -eq 1 ] || die "'$1' is missing (package $2) and --no-apt was given"
    apt_update
    say "installing $2"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2
}

# deb-src lines for the Debian mirrors that the deb lines already use (the only ones reachable
# here). deb822 stanzas (*.sources) and one-line lists (*.list) are both read; other vendors'
# repositories (nodesource, google...) are left out.
enable_deb_src() {
    local f=/etc/apt/sources.list.d/cidx-bench-src.sources tmp
    tmp=$(mktemp)
    local files=() x
    for x in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$x" ] && [ "$x" != "$f" ] && files+=("$x")
    done
    for x in "${files[@]}"; do
        case $x in
        *.sources)
            # one stanza per blank-line-separated paragraph; keep debian ones with Types: deb
            awk 'BEGIN { RS = ""; FS = "\n" }
                 {
                     deb = 0; debian = 0; out = ""
                     for (i = 1; i <= NF; i++) {
                         if ($i ~ /^#/) continue
                         if ($i ~ /^Types:/) {
                             if ((" " substr($i, 7) " ") ~ /[ \t]deb[ \t]/) deb = 1
                             $i = "Types: deb-src"
                         }
                         if ($i ~ /^URIs:/ && $i ~ /debian/) debian = 1
                         out = out $i "\n"
                     }
                     if (deb && debian) printf "%s\n", out
                 }' "$x" >>"$tmp"
            ;;
        *.list)
            awk '$1 == "deb" && $0 ~ /debian/ { $1 = "deb-src"; print }' "$x" >>"$tmp"
            ;;
        esac
    done
    [ -s "$tmp" ] || { rm -f "$tmp"; die "no Debian deb entries found in /etc/apt to derive deb-src from"; }
    # a .sources file cannot hold one-line entries: split if the lists gave any
    if grep -q '^deb-src ' "$tmp"; then
        grep '^deb-src ' "$tmp" | as_root tee /etc/apt/sources.list.d/cidx-bench-src.list >/dev/null
        grep -v '^deb-src ' "$tmp" >"$tmp.2" || true
        mv "$tmp.2" "$tmp"
    fi
    if [ -s "$tmp" ]; then as_root tee "$f" <"$tmp" >/dev/null; fi
    rm -f "$tmp"
    say "enabled deb-src ($f)"
    apt_updated=0
    apt_update
}

# The unpacked source directory of PACKAGE in $work (PACKAGE-<version>), or nothing.
find_src() {
    local d
    for d in "$work/$1"-[0-9]*/; do
        if [ -d "$d" ] && [ -f "$d/CMakeLists.txt" ]; then
            (cd "$d" && pwd)
            return 0
        fi
    done
}

# apt-get source PACKAGE into $work, unless it is already there; sets $src. Not run in a
# subshell, so that apt-get update runs once.
fetch() { # fetch PACKAGE
    local pkg=$1
    src=$(find_src "$pkg")
    [ -z "$src" ] || return 0
    [ $use_apt -eq 1 ] || die "no source of $pkg in $work and --no-apt was given"
    need dpkg-source dpkg-dev
    apt_update
    if [ -z "$(apt-cache showsrc "$pkg" 2>/dev/null)" ]; then
        enable_deb_src
        [ -n "$(apt-cache showsrc "$pkg" 2>/dev/null)" ] || die "apt knows no source package '$pkg'"
    fi
    say "apt-get source $pkg"
    # as root, apt's download sandbox user cannot write here; this avoids its warning
    (cd "$work" && apt-get source -qq -o APT::Sandbox::User=root "$pkg" >&2) ||
        die "apt-get source $pkg failed"
    src=$(find_src "$pkg")
    [ -n "$src" ] || die "apt-get source $pkg made no $pkg-<version> directory in $work"
}

# Configures SRC into SRC/build (where `cidx index SRC` looks) with the given cmake options.
configure() { # configure SRC OPTIONS...
    local src=$1
    shift
    local b=$src/build gen=()
    if [ $reconfigure -eq 0 ] && [ -s "$b/compile_commands.json" ]; then
        echo "$b/compile_commands.json"
        return 0
    fi
    command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
    rm -rf "$b"
    say "configuring $src (compile database only)"
    cmake -S "$src" -B "$b" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" >"$b.configure.log" 2>&1 ||
        { tail -20 "$b.configure.log" >&2; die "cmake failed for $src (log: $b.configure.log)"; }
    [ -s "$b/compile_commands.json" ] || die "cmake wrote no $b/compile_commands.json"
    echo "$b/compile_commands.json"
}

mkdir -p "$work"
work=$(cd "$work" && pwd)
for ds in "${datasets[@]}"; do
    case $ds in
    googletest | fmtlib)
        need cmake cmake
        need "$cxx" "$([ "$cxx" = g++ ] && echo g++ || echo clang-19)"
        ;;
    esac
    case $ds in
    googletest)
        fetch googletest
        # gtest_build_tests/gmock_build_tests/samples: 99 compile commands, 80 distinct files
        configure "$src" -Dgtest_build_tests=ON -Dgmock_build_tests=ON -Dgtest_build_samples=ON
        ;;
    fmtlib)
        # fmt's tests take googletest from /usr/src/googletest (Debian's googletest package)
        if [ ! -f /usr/src/googletest/CMakeLists.txt ]; then
            [ $use_apt -eq 1 ] || die "fmtlib needs /usr/src/googletest (package googletest)"
            apt_update
            say "installing googletest (sources in /usr/src/googletest)"
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq googletest >&2
        fi
        fetch fmtlib
        configure "$src" -DFMT_TEST=ON -DFMT_DOC=OFF
        ;;
    synth)
        d=$work/synth-1000
        if [ $reconfigure -eq 1 ] || [ ! -s "$d/compile_commands.json" ]; then
            say "generating the synthetic 1,000-file project in $d"
            "$here/gen_project.sh" --compiler "$cxx" "$d" >&2
        fi
        echo "$d/compile_commands.json"
        ;;
    *) die "unknown dataset '$ds' (googletest, fmtlib, synth)" ;;
    esac
done
