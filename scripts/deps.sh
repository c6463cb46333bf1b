#!/usr/bin/env bash
# Installs what cidx needs on Debian 12 (apt-get; through sudo when not root). Installs only what
# is missing, so a second run is quick. Usage: scripts/deps.sh [--test]
set -euo pipefail

pkgs=(build-essential cmake pkg-config libsqlite3-dev sqlite3 libjansson-dev libpcre2-dev
      libxxhash-dev libclang-19-dev)
if [ "${1:-}" = "--test" ]; then
  # clang and its libFuzzer runtime for scripts/fuzz-smoke.sh
  pkgs+=(libcmocka-dev clang-format clang-14 libclang-rt-14-dev)
  # node and npm for the end-to-end MCP suite (tests/e2e); a node that is already on PATH (from
  # any source) is kept: Debian's npm would conflict with some other installations
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    pkgs+=(nodejs npm)
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
