#!/usr/bin/env python3
"""check_sources.py - compiles every golden source with the flags of its compile database.

For each project (or the ones named on the command line) it instantiates a copy in a temporary
directory whose path has a space, a quote and non-ASCII characters (instantiate.sh), reads
compile_commands.json the way cidx must (arguments, or command split like a POSIX shell; a
relative file against directory), replaces the compiler by clang-19 / clang++-19, drops -c and
-o X, adds -fsyntax-only, and runs it in the entry's directory. It checks:
  - every entry that should compile does, with no error (warnings are fine);
  - the intended failures fail with the expected first error (file:line:col: message);
  - the facts checker (check_facts.py) passes for the project's FACTS.md.
The plugin project is not compiled here (its flags load plugins); plugin/check_live.sh is its
positive control. Exit status 0 when all is as expected.

Usage: python3 tests/golden/check_sources.py [PROJECT...]
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECTS = ["cpp_features", "c_project", "broken", "hostile"]

# Entries that must fail, by project-relative path: the first error line clang prints, with the
# path shown relative to the entry's directory. None: must fail, any message (binary input).
EXPECTED_FAILURES = {
    "broken": {
        "src/partial.cpp": "src/partial.cpp:15:23: error: expected expression",
        "src/missing_include.cpp":
            "src/missing_include.cpp:2:10: fatal error: 'does_not_exist.h' file not found",
    },
    "hostile": {
        "src/binary.cpp": "src/binary.cpp:1:3: error: source file is not valid UTF-8",
        "src/dangling.cpp": "clang++-19: error: no such file or directory: 'src/dangling.cpp'",
        "src/missing.cpp": "clang++-19: error: no such file or directory: 'src/missing.cpp'",
    },
}


def compiler_for(argv0, path):
    if path.endswith(".c") and not argv0.endswith("++"):
        return "clang-19"
    return "clang++-19"


def syntax_argv(argv, path):
    out = [compiler_for(argv[0], path)]
    skip = False
    for a in argv[1:]:
        if skip:
            skip = False
            continue
        if a == "-c":
            continue
        if a == "-o":
            skip = True
            continue
        out.append(a)
    return out + ["-fsyntax-only"]


def first_error(text):
    for line in text.splitlines():
        if re.search(r"(fatal )?error:", line):
            return line.strip()
    return None


def check_project(name):
    problems = []
    with tempfile.TemporaryDirectory(prefix="cidx golden ") as tmp:
        dest = os.path.join(tmp, "r\u00f6\u00f6t with 'quote'", name)
        root = subprocess.run(["bash", os.path.join(HERE, "instantiate.sh"), dest, name],
                              check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(root, "compile_commands.json"), encoding="utf-8") as f:
            db = json.load(f)
        seen = set()
        for i, e in enumerate(db):
            if "file" not in e:
                print(f"  {name}: entry {i}: no 'file' (skipped, as cidx must)")
                continue
            d = e["directory"]
            path = os.path.normpath(os.path.join(d, e["file"]))
            rel = os.path.relpath(path, root)
            argv = e["arguments"] if "arguments" in e else shlex.split(e["command"])
            first = path not in seen
            seen.add(path)
            cmd = syntax_argv(argv, path)
            r = subprocess.run(cmd, cwd=d, capture_output=True, text=True, errors="replace")
            err = first_error(r.stderr)
            want = EXPECTED_FAILURES.get(name, {}).get(rel, "")
            tag = "" if first else " (alternative entry)"
            if want == "":
                if r.returncode != 0:
                    problems.append(f"{name}: {rel}{tag}: does not compile: {err}")
                else:
                    print(f"  {name}: {rel}{tag}: ok")
            else:
                if r.returncode == 0:
                    problems.append(f"{name}: {rel}: compiles but must fail")
                elif want is not None and err != want:
                    problems.append(f"{name}: {rel}: first error is\n    {err}\n  expected\n    {want}")
                else:
                    print(f"  {name}: {rel}{tag}: fails as intended: {err}")
    r = subprocess.run([sys.executable, os.path.join(HERE, "check_facts.py"), name],
                       capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        problems.append(f"{name}: FACTS.md locations do not match the sources:\n{r.stdout}{r.stderr}")
    return problems


def main():
    names = sys.argv[1:] or PROJECTS
    problems = []
    for n in names:
        print(n)
        problems += check_project(n)
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
