#!/usr/bin/env bash
# A private ClamAV daemon for the tests, from Debian's clamav-daemon: a Unix
# socket in its own directory, no network, and a signature database of its
# own (the official one cannot be downloaded here): the EICAR test file's
# hash. It stops by itself after CLAMD_MAX_LIFE seconds (default an hour):
# it runs in the foreground under `timeout`.
#   scripts/clamd.sh start|stop      (CLAMD_DIR; prints the socket's address on start)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${CLAMD_DIR:-$root/target/test-env/clamd}")
max_life=${CLAMD_MAX_LIFE:-3600}
socket=$dir/clamd.sock

case "${1:-}" in
  start)
    mkdir -p "$dir/db"
    # MD5:size:name of the 68-byte EICAR test file.
    echo "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature" > "$dir/db/estafette-test.hdb"
    cat > "$dir/clamd.conf" <<CONF
LocalSocket $socket
LocalSocketMode 600
PidFile $dir/clamd.pid
DatabaseDirectory $dir/db
LogFile $dir/clamd.log
Foreground true
StreamMaxLength 100M
MaxFileSize 100M
MaxScanSize 200M
CONF
    rm -f "$socket"
    nohup timeout "$max_life" clamd --config-file="$dir/clamd.conf" >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
      [ -S "$socket" ] && break
      sleep 0.1
    done
    [ -S "$socket" ] || { echo "clamd did not start; see $dir/clamd.log" >&2; exit 1; }
    echo "unix:$socket"
    ;;
  stop)
    if [ -f "$dir/clamd.pid" ]; then
      pid=$(cat "$dir/clamd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        [ -S "$socket" ] || break
        sleep 0.1
      done
      rm -f "$dir/clamd.pid" "$socket"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
