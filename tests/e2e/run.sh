#!/usr/bin/env bash
# run.sh - runs the end-to-end MCP suite (node's test runner over tests/e2e/*.test.mjs) for CTest.
# Needs CIDX_BIN (the built cidx) in the environment. Exits 77, which CTest reports as skipped,
# with a message when node or the npm packages are missing: scripts/deps.sh --test installs
# nodejs and npm, scripts/test.sh runs 'npm ci' here.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null; then
    echo "e2e: skipped: node is not installed (scripts/deps.sh --test installs nodejs and npm)"
    exit 77
fi
if [ ! -d node_modules/@modelcontextprotocol/sdk ] || [ ! -d node_modules/ajv ]; then
    echo "e2e: skipped: the npm packages are not installed (run 'npm ci' in tests/e2e;" \
        "scripts/test.sh does)"
    exit 77
fi
exec node --test ./*.test.mjs
