#!/usr/bin/env bash
# Waits (up to 20 s) until the Estafette on 127.0.0.1:PORT answers /readyz;
# otherwise, or as soon as the process PID (when given) has died, prints its
# LOG and fails.
#   scripts/wait-ready.sh PORT LOG [PID]
set -euo pipefail
port=$1 log=$2 pid=${3:-}
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && exit 0
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    echo "wait-ready: the server (pid $pid) has stopped" >&2
    break
  fi
  sleep 0.2
done
cat "$log" >&2
exit 1
