#!/usr/bin/env python3
"""check_facts.py - checks that the locations cited in a golden project's FACTS.md are right.

FACTS.md cites places as `PATH:LINE` or `PATH:LINE:COL` (PATH relative to the project, COL in
bytes from 1, as clang counts), optionally followed by ` ~ `TEXT``: then TEXT must occur on that
line, and start at COL when COL is given. Without TEXT the line must merely exist. This keeps the
hand-written line numbers honest when a source changes; it says nothing about the index itself.

Usage: python3 tests/golden/check_facts.py [PROJECT...]   (default: every project)
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CITE = re.compile(r"`([^`\s][^`]*?):(\d+)(?::(\d+))?`(?:\s*~\s*`([^`]+)`)?")


def lines_of(path, cache={}):
    if path not in cache:
        with open(path, "rb") as f:
            data = f.read()
        cache[path] = [l.rstrip(b"\r") for l in data.split(b"\n")]
    return cache[path]


def check(project):
    facts = os.path.join(HERE, project, "FACTS.md")
    bad = 0
    n = 0
    with open(facts, encoding="utf-8") as f:
        text = f.read()
    for lineno, fline in enumerate(text.splitlines(), 1):
        for m in CITE.finditer(fline):
            rel, line, col, snippet = m.group(1), int(m.group(2)), m.group(3), m.group(4)
            if "/" not in rel and "." not in rel:
                continue  # not a path (e.g. a `ns::name` with a colon-number)
            path = os.path.join(HERE, project, rel)
            n += 1
            where = f"FACTS.md:{lineno}: `{rel}:{line}`"
            if not os.path.exists(path):
                print(f"{project}: {where}: no such file")
                bad += 1
                continue
            src = lines_of(path)
            if line < 1 or line > len(src):
                print(f"{project}: {where}: line out of range (file has {len(src)})")
                bad += 1
                continue
            if snippet is None:
                continue
            s = snippet.encode("utf-8")
            text_line = src[line - 1]
            if col is not None:
                c = int(col)
                if text_line[c - 1:c - 1 + len(s)] != s:
                    print(f"{project}: {where}:{c}: '{snippet}' does not start there: "
                          f"{text_line.decode('utf-8', 'replace')!r}")
                    bad += 1
            elif s not in text_line:
                print(f"{project}: {where}: '{snippet}' not on that line: "
                      f"{text_line.decode('utf-8', 'replace')!r}")
                bad += 1
    print(f"  {project}: {n} cited locations checked, {bad} wrong")
    return bad


def main():
    projects = sys.argv[1:] or ["cpp_features", "c_project", "broken", "hostile", "plugin"]
    return 1 if sum(check(p) for p in projects) else 0


if __name__ == "__main__":
    sys.exit(main())
