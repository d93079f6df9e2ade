#!/usr/bin/env bash
# The main job: set up, then run the end-to-end demo on the local Anvil chain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/.venv/bin/consent-ledger" demo "$@"
