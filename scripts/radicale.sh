#!/usr/bin/env bash
# A private CardDAV server for the tests, from Debian's radicale: Radicale 3
# on loopback, whose users are those of the development mail server (an
# address and password that log into its IMAP log into Radicale, through
# dev/radicale/estafette_imap_auth.py), each owning only its own collections.
# Configuration, address books and log private to its directory. It stops by
# itself after RADICALE_MAX_LIFE seconds (default an hour): it runs under
# `timeout`.
#   scripts/radicale.sh start|stop   (prints the base URL on start)
# Settings (environment):
#   RADICALE_DIR        config, collections, log    (target/test-env/radicale)
#   RADICALE_PORT       HTTP, on 127.0.0.1           (25232)
#   RADICALE_IMAP_PORT  the IMAP server to check passwords against (21143)
#   RADICALE_MAX_LIFE   seconds (3600)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${RADICALE_DIR:-$root/target/test-env/radicale}")
port=${RADICALE_PORT:-25232}
imap_port=${RADICALE_IMAP_PORT:-21143}
max_life=${RADICALE_MAX_LIFE:-3600}
# Debian's package installs the module for the system interpreter only.
python=/usr/bin/python3

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-}" in
  start)
    if port_open "$port"; then
      echo "radicale: port $port is already in use" >&2
      exit 1
    fi
    mkdir -p "$dir/collections"
    cat > "$dir/radicale.conf" <<CONF
# Written by scripts/radicale.sh; private to this test server.
[server]
hosts = 127.0.0.1:$port

[auth]
type = estafette_imap_auth

[rights]
type = owner_only

[storage]
filesystem_folder = $dir/collections

[web]
type = none

[logging]
level = warning
CONF
    (
      cd "$dir"
      export PYTHONPATH=$root/dev/radicale PYTHONDONTWRITEBYTECODE=1 ESTAFETTE_RADICALE_IMAP_PORT=$imap_port
      exec nohup timeout "$max_life" "$python" -m radicale --config "$dir/radicale.conf" \
        </dev/null >/dev/null 2>"$dir/radicale.log"
    ) &
    pid=$!
    echo "$pid" > "$dir/radicale.pid"
    for _ in $(seq 1 100); do
      port_open "$port" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if ! port_open "$port"; then
      echo "radicale did not start on 127.0.0.1:$port; its log ($dir/radicale.log):" >&2
      cat "$dir/radicale.log" >&2 || true
      kill "$pid" 2>/dev/null || true
      rm -f "$dir/radicale.pid"
      exit 1
    fi
    echo "http://127.0.0.1:$port/"
    ;;
  stop)
    if [ -f "$dir/radicale.pid" ]; then
      pid=$(cat "$dir/radicale.pid")
      # `timeout` passes the signal on to Radicale, and ends with it.
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      rm -f "$dir/radicale.pid"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
