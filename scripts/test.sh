#!/usr/bin/env bash
# Every test, in one command: installs what is missing, checks formatting,
# lints (server and browser features), audits Cargo.lock against the RustSec
# snapshot, starts a private PostgreSQL, the development mail server and a
# CardDAV server (Radicale, whose users are the mail server's) on loopback,
# runs the Rust tests, then the browser tests in headless Chromium.
# Everything it starts is stopped when it ends (and by a watchdog otherwise).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n== %s\n' "$*" >&2; }

scripts/setup.sh
# CI builds once per run: incremental state would only fill its cache.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0

env_dir=$root/target/test-env
imap_port=${ESTAFETTE_TEST_IMAP_PORT:-21143}
smtp_port=${ESTAFETTE_TEST_SMTP_PORT:-21587}
# ManageSieve, derived from the IMAP port as scripts/devmail.sh does.
sieve_port=${ESTAFETTE_TEST_SIEVE_PORT:-$((imap_port + 3))}
e2e_port=${ESTAFETTE_TEST_HTTP_PORT:-18080}
# The browser tests' "list server" (newsletter images, one-click unsubscribe):
# the one address inside that Estafette may reach.
list_port=$((e2e_port + 7))
export DEVMAIL_DIR=$env_dir/devmail DEVMAIL_DB=$env_dir/accounts.db
export DEVMAIL_IMAP_PORT=$imap_port DEVMAIL_SMTP_PORT=$smtp_port DEVMAIL_SIEVE_PORT=$sieve_port DEVMAIL_MAX_LIFE=5400
export PG_DIR=$env_dir/postgres PG_PORT=${ESTAFETTE_TEST_PG_PORT:-25432}
export RADICALE_DIR=$env_dir/radicale RADICALE_PORT=${ESTAFETTE_TEST_RADICALE_PORT:-25232}
export RADICALE_IMAP_PORT=$imap_port RADICALE_MAX_LIFE=5400
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/radicale.sh stop 2>/dev/null || true
  scripts/devmail.sh stop 2>/dev/null || true
  [ -z "${ESTAFETTE_TEST_POSTGRES_URL_GIVEN:-}" ] && scripts/pg.sh stop 2>/dev/null || true
}
trap cleanup EXIT

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "dependency audit (RustSec snapshot, offline)"
advisory_db=${ESTAFETTE_ADVISORY_DB:-$root/../shared/advisory-db}
if [ -d "$advisory_db" ]; then
  cargo audit --db "$advisory_db" --no-fetch --deny warnings --ignore RUSTSEC-2024-0436
else
  echo "no advisory database at $advisory_db: audit skipped" >&2
fi

step "services: PostgreSQL, the development mail server and CardDAV"
# A run that was killed may have left its servers behind: stopped first.
scripts/radicale.sh stop 2>/dev/null || true
scripts/devmail.sh stop 2>/dev/null || true
[ -n "${ESTAFETTE_TEST_POSTGRES_URL:-}" ] || scripts/pg.sh stop 2>/dev/null || true
rm -rf "$env_dir"
mkdir -p "$env_dir"
if [ -n "${ESTAFETTE_TEST_POSTGRES_URL:-}" ]; then
  export ESTAFETTE_TEST_POSTGRES_URL_GIVEN=1
else
  ESTAFETTE_TEST_POSTGRES_URL=$(scripts/pg.sh start)
  export ESTAFETTE_TEST_POSTGRES_URL
fi
cargo build -p estafette -p estafette-mailgen
target_dir=${CARGO_TARGET_DIR:-$root/target}
estafette=$target_dir/debug/estafette
ESTAFETTE_DATABASE__URL=sqlite://$DEVMAIL_DB "$estafette" migrate
scripts/devmail.sh start
ESTAFETTE_TEST_CARDDAV_URL=$(scripts/radicale.sh start)
export ESTAFETTE_TEST_CARDDAV_URL

step "Rust tests"
export ESTAFETTE_TEST_IMAP_PORT=$imap_port ESTAFETTE_TEST_SMTP_PORT=$smtp_port ESTAFETTE_TEST_SIEVE_PORT=$sieve_port
export ESTAFETTE_TEST_ACCOUNTS_DB=$DEVMAIL_DB
cargo test --workspace --exclude frontend
cargo test -p app --features ssr

step "browser tests"
scripts/build.sh site
e2e_password="e2e-$(head -c 300 /dev/urandom | tr -dc 'a-z0-9' | cut -c1-16)"
export ESTAFETTE_DATABASE__URL=sqlite://$DEVMAIL_DB ESTAFETTE_SERVER__LISTEN=127.0.0.1:$e2e_port
export ESTAFETTE_SERVER__DATA_DIR=$env_dir/app ESTAFETTE_SERVER__SITE_ROOT=$root/target/site
export ESTAFETTE_IMAP__PORT=$imap_port ESTAFETTE_IMAP__SECURITY=plain
export ESTAFETTE_SMTP__PORT=$smtp_port ESTAFETTE_SMTP__SECURITY=plain
export ESTAFETTE_SIEVE__PORT=$sieve_port ESTAFETTE_SIEVE__SECURITY=plain
# Every browser (and every Rust test before them, in the same database) signs
# in from 127.0.0.1: the per-address limit has tests of its own.
export ESTAFETTE_AUTH__MAX_FAILURES_PER_ADDRESS=100000
# The receiving server whose Authentication-Results the browser tests write.
export ESTAFETTE_MAIL__AUTHSERV_ID=mx.example.test
export ESTAFETTE_WEB__ALLOW=127.0.0.1:$list_port
# The address books are kept in step with the test Radicale.
export ESTAFETTE_CARDDAV__URL=$ESTAFETTE_TEST_CARDDAV_URL
echo "$e2e_password" | "$estafette" user add alice@example.test --admin --password-stdin
echo "$e2e_password" | "$estafette" user add bob@example.test --password-stdin
maildir=$DEVMAIL_DIR/mail/example.test/alice/Maildir
"$target_dir/debug/estafette-mailgen" --maildir "$maildir" --count 300 --owner alice@example.test >/dev/null
chown -R mail:mail "$DEVMAIL_DIR/mail"
# JSON, as a collector reads it (and addresses redacted, the default).
ESTAFETTE_SERVER__LOG_FORMAT=json "$estafette" serve > "$env_dir/estafette.log" 2>&1 &
server_pid=$!
scripts/wait-ready.sh "$e2e_port" "$env_dir/estafette.log" "$server_pid"
(cd end2end && ESTAFETTE_E2E_URL=http://127.0.0.1:$e2e_port ESTAFETTE_E2E_ADMIN=alice@example.test \
  ESTAFETTE_E2E_PASSWORD=$e2e_password ESTAFETTE_E2E_READER=bob@example.test \
  ESTAFETTE_E2E_SMTP_PORT=$smtp_port ESTAFETTE_E2E_LIST_PORT=$list_port npm test)

step "the server's log: every answer, and no secret"
# Each browser test signed in with this password: it must not be in the log,
# while every answer has its line (status and time, under its request id).
log=$env_dir/estafette.log
if grep -qF -- "$e2e_password" "$log"; then
  echo "the test password is in the server's log" >&2
  exit 1
fi
for address in alice@example.test bob@example.test; do
  if grep -qiF -- "$address" "$log"; then
    echo "an address is in clear in the server's log: $address" >&2
    exit 1
  fi
done
python3 - "$log" <<'PY'
import json, sys
answers = others = 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    # A library's own print to stderr (Leptos warns so) is not the log's:
    # it was grepped for secrets above with the rest.
    if not line.startswith("{"):
        others += 1
        continue
    try:
        entry = json.loads(line)
    except ValueError:
        sys.exit(f"line {n} of the server's log is not JSON: {line[:200]}")
    if entry.get("fields", {}).get("message") == "finished processing request":
        span = entry.get("span", {})
        if not span.get("id") or "status" not in entry["fields"] or "latency" not in entry["fields"]:
            sys.exit(f"line {n}: an answer without its id, status or latency: {line[:300]}")
        answers += 1
if answers == 0:
    sys.exit("the log has no access lines")
print(f"log: {answers} answers logged as JSON ({others} lines printed by libraries), no password, no address in clear")
PY

step "the Debian package: built, installed, served, purged"
deb=$(scripts/package.sh --binary "$estafette" --fast | tail -n 1)
PACKAGE_TEST_USER=bob@example.test PACKAGE_TEST_PASSWORD=$e2e_password \
  PACKAGE_TEST_PORT=$((e2e_port + 9)) ESTAFETTE_TEST_IMAP_PORT=$imap_port \
  ESTAFETTE_TEST_SMTP_PORT=$smtp_port ESTAFETTE_TEST_SIEVE_PORT=$sieve_port \
  scripts/package-test.sh "$deb"
