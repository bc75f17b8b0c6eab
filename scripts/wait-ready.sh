#!/usr/bin/env bash
# Waits (up to 20 s) until the Estafette on 127.0.0.1:PORT answers /readyz;
# otherwise prints its LOG and fails.
#   scripts/wait-ready.sh PORT LOG
set -euo pipefail
port=$1 log=$2
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && exit 0
  sleep 0.2
done
cat "$log" >&2
exit 1
