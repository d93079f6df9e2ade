#!/usr/bin/env bash
# Set up, then run the whole test suite (it starts its own Anvil nodes on loopback).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
exec .venv/bin/python -m pytest "$@"
