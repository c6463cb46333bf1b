#!/usr/bin/env bash
# gen_hostile.sh - writes the byte-exact inputs of hostile/ that an editor would mangle:
#   src/binary.cpp     512 pseudo-random bytes (a fixed LCG, so always the same bytes)
#   src/nul_bytes.cpp  valid C++ with NUL bytes in a comment and between two declarations
#   src/latin1.cpp     valid C++ whose doc comment and string literal hold Latin-1 bytes
#                      (0xE9, 0xFC): not UTF-8
#   src/crlf_bom.cpp   valid C++ with a UTF-8 byte order mark and CRLF line ends
# The outputs are committed; run again only to change them: bash tests/golden/gen_hostile.sh
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/hostile/src"

# binary.cpp: x = (1103515245 x + 12345) mod 2^31, byte = bits 16..23 of x.
x=20240601
{
    for ((i = 0; i < 512; i++)); do
        x=$(((1103515245 * x + 12345) % 2147483648))
        printf "\\x$(printf %02x $(((x >> 16) & 255)))"
    done
} >"$dir/binary.cpp"

# nul_bytes.cpp: line 3 holds a NUL inside a comment, line 9 a NUL between tokens.
{
    printf '// nul_bytes.cpp - NUL bytes in a comment and between declarations.\n'
    printf '\n'
    printf '// a comment with a NUL byte here: \0 and more text\n'
    printf '/// Declared before the NUL bytes.\n'
    printf 'int before_nul(int v)\n'
    printf '{\n'
    printf '    return v + 1;\n'
    printf '}\n'
    printf '\0\0\0\n'
    printf '/// Declared after the NUL bytes.\n'
    printf 'int after_nul(int v)\n'
    printf '{\n'
    printf '    return before_nul(v) * 2;\n'
    printf '}\n'
} >"$dir/nul_bytes.cpp"

# latin1.cpp: a doc comment and a string literal with bytes that are not UTF-8.
{
    printf '// latin1.cpp - Latin-1 bytes (not UTF-8) in a doc comment and a string literal.\n'
    printf '\n'
    printf '/// Caf\xe9 au lait, na\xefve d\xfcrum: this brief is not valid UTF-8.\n'
    printf 'int latin1_function()\n'
    printf '{\n'
    printf '    const char *text = "gr\xfc\xdf";\n'
    printf '    return text[0];\n'
    printf '}\n'
} >"$dir/latin1.cpp"

# crlf_bom.cpp: BOM, then CRLF line ends; crlf_function is on line 4.
{
    printf '\xef\xbb\xbf// crlf_bom.cpp - a byte order mark and CRLF line ends.\r\n'
    printf '\r\n'
    printf '/// A function in a CRLF file.\r\n'
    printf 'int crlf_function(int v)\r\n'
    printf '{\r\n'
    printf '    return v + 4;\r\n'
    printf '}\r\n'
    printf '\r\n'
    printf '/// Calls crlf_function.\r\n'
    printf 'int crlf_caller()\r\n'
    printf '{\r\n'
    printf '    return crlf_function(1);\r\n'
    printf '}\r\n'
} >"$dir/crlf_bom.cpp"
