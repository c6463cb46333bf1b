#!/usr/bin/env bash
# bench/real/gen_project.sh - writes a synthetic C++ project for the indexing benchmark: 1,000
# .cpp files and 100 headers in 10 modules, and its compile_commands.json (the "arguments"
# form, relative file names, -o and -c like CMake writes them). The content is deterministic:
# the same options give the same bytes.
#
#   bench/real/gen_project.sh [--files N] [--headers H] [--compiler CXX] DIR
#
# It exists for one target: a no-change refresh of a 1,000-file project in <= 100 ms. The files
# are small and include no system header (each parses in a few milliseconds), so what an index
# run costs beyond parsing shows. Headers: a class with virtual and inline methods, a template
# method, an enum, a struct, a macro, declared free functions, each including the previous
# header of its module. Sources: each includes three headers (two of its module, one of the
# next module), derives a class overriding a virtual, calls across headers; source k*10
# defines header k's out-of-line functions. DIR is emptied of earlier generated files first.
set -euo pipefail

nfiles=1000
nheaders=100
cxx=clang++-19
dir=

while [ $# -gt 0 ]; do
    case $1 in
    --files) nfiles=$2; shift 2 ;;
    --headers) nheaders=$2; shift 2 ;;
    --compiler) cxx=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    -*) echo "gen_project.sh: unknown option '$1'" >&2; exit 2 ;;
    *) dir=$1; shift ;;
    esac
done
[ -n "$dir" ] || { echo "gen_project.sh: no DIR given" >&2; exit 2; }
nmod=10
[ "$nheaders" -ge "$nmod" ] && [ $((nheaders % nmod)) -eq 0 ] ||
    { echo "gen_project.sh: --headers must be a multiple of $nmod" >&2; exit 2; }
per_mod=$((nheaders / nmod))

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/include" "$dir/src" "$dir/compile_commands.json"

# header number h (0..nheaders-1) lives in module h / per_mod
hdr_path() { printf 'm%02d/h%03d.h' $(($1 / per_mod)) "$1"; }

for ((h = 0; h < nheaders; h++)); do
    m=$((h / per_mod))
    mkdir -p "$dir/include/$(printf 'm%02d' $m)"
    {
        printf '/* synthetic header %d of module %d (bench/real/gen_project.sh) */\n' $h $m
        printf '#pragma once\n'
        if [ $((h % per_mod)) -gt 0 ]; then
            printf '#include "%s"\n' "$(hdr_path $((h - 1)))"
        fi
        printf '\nnamespace m%02d {\n\n' $m
        printf '#define H%03d_MAX_SIZE %d\n\n' $h $((h * 8 + 64))
        printf 'enum class Kind%03d { Alpha, Beta, Gamma, Delta };\n\n' $h
        printf 'struct Config%03d {\n    int size = H%03d_MAX_SIZE;\n' $h $h
        printf '    double ratio = 1.5;\n    const char *name = "h%03d";\n' $h
        printf '    Kind%03d kind = Kind%03d::Beta;\n};\n\n' $h $h
        printf '/* A widget with a value; subclasses override compute(). */\n'
        printf 'class Widget%03d {\npublic:\n' $h
        printf '    explicit Widget%03d(int v) : value_(v) {}\n' $h
        printf '    virtual ~Widget%03d() = default;\n' $h
        printf '    virtual int compute(int x) const;\n'
        printf '    int value() const { return value_; }\n'
        printf '    void setValue(int v) { value_ = v; }\n'
        printf '    static Widget%03d make(int v);\n' $h
        printf '    template <typename T> T scaled(T t) const { return t * static_cast<T>(value_); }\n\n'
        printf 'protected:\n    int value_;\n};\n\n'
        printf 'int helper%03d(int a, int b);\n' $h
        printf 'inline int twice%03d(int a) { return 2 * a + H%03d_MAX_SIZE; }\n\n' $h $h
        printf '} // namespace m%02d\n' $m
    } >"$dir/include/$(hdr_path $h)"
done

{
    printf '[\n'
    for ((s = 0; s < nfiles; s++)); do
        m=$((s % nmod))
        a=$((m * per_mod + (s * 7) % per_mod))
        b=$((m * per_mod + (s * 3 + 1) % per_mod))
        n=$((((m + 1) % nmod) * per_mod + s % per_mod))
        rel=$(printf 'src/m%02d/f%04d.cpp' $m $s)
        mkdir -p "$dir/src/$(printf 'm%02d' $m)"
        {
            printf '/* synthetic source %d of module %d (bench/real/gen_project.sh) */\n' $s $m
            printf '#include "%s"\n#include "%s"\n#include "%s"\n\n' \
                "$(hdr_path $a)" "$(hdr_path $b)" "$(hdr_path $n)"
            printf 'namespace m%02d {\n\nnamespace {\n' $m
            printf 'int local%04d(int x) { return x * %d %% 97; }\n' $s $((s + 3))
            printf '} // namespace\n\n'
            printf 'class Impl%04d : public Widget%03d {\npublic:\n' $s $a
            printf '    Impl%04d() : Widget%03d(%d) {}\n' $s $a $s
            printf '    int compute(int x) const override { return helper%03d(x, value()) + local%04d(x); }\n' $a $s
            printf '};\n\n'
            printf 'int entry%04d(int n)\n{\n    Impl%04d w;\n    Config%03d c;\n    int acc = 0;\n' $s $s $b
            printf '    for (int i = 0; i < n; ++i)\n        acc += w.compute(i) + twice%03d(i);\n' $b
            printf '    if (c.kind == Kind%03d::Gamma)\n        acc -= c.size;\n' $b
            printf '    return acc + w.scaled(3) + static_cast<int>(w.scaled(c.ratio));\n}\n\n'
            printf '} // namespace m%02d\n' $m
            if [ $((s % 10)) -eq 0 ] && [ $((s / 10)) -lt "$nheaders" ]; then
                local_h=$((s / 10))
                printf '\n#include "%s"\n\nnamespace m%02d {\n' "$(hdr_path $local_h)" $((local_h / per_mod))
                printf 'int Widget%03d::compute(int x) const { return x + value_; }\n' $local_h
                printf 'Widget%03d Widget%03d::make(int v) { return Widget%03d(v); }\n' $local_h $local_h $local_h
                printf 'int helper%03d(int a, int b) { return a * b - twice%03d(a); }\n' $local_h $local_h
                printf '} // namespace m%02d\n' $((local_h / per_mod))
            fi
        } >"$dir/$rel"
        printf '  {"directory": "%s", "file": "%s", "arguments": ["%s", "-std=c++17", "-Iinclude", "-DSYNTH_PROJECT=1", "-O2", "-o", "build/%s.o", "-c", "%s"]}' \
            "$dir" "$rel" "$cxx" "$rel" "$rel"
        [ $s -lt $((nfiles - 1)) ] && printf ',\n' || printf '\n'
    done
    printf ']\n'
} >"$dir/compile_commands.json"

echo "gen_project.sh: $nfiles sources, $nheaders headers, $dir/compile_commands.json" >&2
