#!/usr/bin/env bash
# The benchmark, in one command (not part of the tests): installs what is
# missing, builds Estafette in release mode, starts the development mail
# server on loopback with mailboxes of 1,000, 10,000 and 100,000 generated messages
# and 200 small ones, serves Estafette, and runs estafette-bench, which prints
# a Markdown table (medians and p95 beside the raw IMAP floor). Everything it
# starts is stopped when it ends.
#
#   scripts/bench.sh [estafette-bench options, e.g. --runs 10 --load-seconds 30]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh >&2
bin=$(scripts/build.sh release | tail -n 1)
cargo build --release -p estafette-mailgen -p estafette-bench >&2
target_dir=${CARGO_TARGET_DIR:-$root/target}
mailgen=$target_dir/release/estafette-mailgen

env_dir=$root/target/bench-env
http_port=${BENCH_HTTP_PORT:-38080}
export DEVMAIL_DIR=$env_dir/devmail DEVMAIL_DB=$env_dir/accounts.db
export DEVMAIL_IMAP_PORT=${BENCH_IMAP_PORT:-31143}
export DEVMAIL_SMTP_PORT=${BENCH_SMTP_PORT:-31587}
export DEVMAIL_MAX_LIFE=7200
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/devmail.sh stop 2>/dev/null || true
}
trap cleanup EXIT

scripts/devmail.sh stop 2>/dev/null || true
rm -rf "$env_dir"
mkdir -p "$env_dir"
export ESTAFETTE_DATABASE__URL=sqlite://$DEVMAIL_DB ESTAFETTE_SERVER__LISTEN=127.0.0.1:$http_port
export ESTAFETTE_SERVER__DATA_DIR=$env_dir/app ESTAFETTE_SERVER__SITE_ROOT=$root/target/site
export ESTAFETTE_IMAP__PORT=$DEVMAIL_IMAP_PORT ESTAFETTE_IMAP__SECURITY=plain
export ESTAFETTE_SMTP__PORT=$DEVMAIL_SMTP_PORT ESTAFETTE_SMTP__SECURITY=plain
export RUST_LOG=${RUST_LOG:-warn}
"$bin" migrate >&2
scripts/devmail.sh start

BENCH_PASSWORD="bench-$(head -c 300 /dev/urandom | tr -dc 'a-z0-9' | cut -c1-16)"
export BENCH_PASSWORD
domain=example.test
add() { echo "$BENCH_PASSWORD" | "$bin" user add "$1@$domain" --password-stdin >/dev/null; }
seed() {
  "$mailgen" --maildir "$DEVMAIL_DIR/mail/$domain/$1/Maildir" --count "$2" --owner "$1@$domain" >/dev/null
}
echo "bench: creating accounts and seeding mailboxes" >&2
add sink
add m1k && seed m1k 1000
add m10k && seed m10k 10000
add m100k && seed m100k 100000
totp=()
for i in $(seq -w 1 10); do add "totp$i"; totp+=(--totp "totp$i@$domain"); done
for i in $(seq -w 1 200); do add "load$i" && seed "load$i" 100; done
chown -R mail:mail "$DEVMAIL_DIR/mail"

"$bin" serve > "$env_dir/estafette.log" 2>&1 &
server_pid=$!
scripts/wait-ready.sh "$http_port" "$env_dir/estafette.log" "$server_pid"

"$target_dir/release/estafette-bench" --url "http://127.0.0.1:$http_port" \
  --imap-port "$DEVMAIL_IMAP_PORT" --smtp-port "$DEVMAIL_SMTP_PORT" \
  --mailbox "m1k@$domain" --mailbox "m10k@$domain" --mailbox "m100k@$domain" "${totp[@]}" \
  --load-prefix load --load-count 200 --domain "$domain" --sink "sink@$domain" \
  --dovecot-log "$DEVMAIL_DIR/dovecot.log" --server-pid "$server_pid" "$@"
