#!/usr/bin/env bash
# Set up, then run the linters that hold the code to its conventions: ruff and mypy --strict.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
.venv/bin/ruff check .
.venv/bin/mypy ledger api cli sim bench
