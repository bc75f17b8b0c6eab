#!/usr/bin/env bash
# The demo, in one command: installs what is missing, builds Estafette, starts
# the development mail server and a CardDAV server (Radicale), seeds alice's mailbox with 2,000 messages,
# creates the demo accounts (printing their passwords) and serves Estafette on
# http://127.0.0.1:8080 until Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
bin=$(scripts/build.sh release | tail -n 1)
cargo build -p estafette-mailgen --release
target_dir=${CARGO_TARGET_DIR:-$root/target}

export ESTAFETTE_CONFIG=$root/dev/estafette.toml
mkdir -p data
"$bin" migrate
DEVMAIL_DB=$root/data/estafette.db scripts/devmail.sh start
# The address books (CardDAV), whose users are the mail server's.
export RADICALE_DIR=$root/data/radicale RADICALE_PORT=5232 RADICALE_IMAP_PORT=1143 RADICALE_MAX_LIFE=86400
scripts/radicale.sh stop 2>/dev/null || true
scripts/radicale.sh start >/dev/null

# Demo accounts: alice (admin, the seeded mailbox) and bob (a user). New random
# passwords on every run, so that a demo never ships a known password.
new_password() { echo "demo-$(head -c 300 /dev/urandom | tr -dc 'a-z0-9' | cut -c1-16)"; }
declare -A passwords
for who in alice bob; do
  email=$who@example.test
  pw=$(new_password)
  if "$bin" user list | grep -q "^$email "; then
    echo "$pw" | "$bin" user passwd "$email" --password-stdin >/dev/null
  else
    flag=""; [ "$who" = alice ] && flag="--admin"
    echo "$pw" | "$bin" user add "$email" $flag --password-stdin >/dev/null
  fi
  passwords[$who]=$pw
done

maildir=$root/data/devmail/mail/example.test/alice/Maildir
if [ -z "$(ls -A "$maildir/cur" 2>/dev/null)" ]; then
  "$target_dir/release/estafette-mailgen" --maildir "$maildir" --count 2000 --owner alice@example.test
  chown -R mail:mail "$root/data/devmail/mail"
fi

cat <<MSG

  Estafette is starting on http://127.0.0.1:8080
    admin: alice@example.test  password: ${passwords[alice]}   (2,000 messages)
    user:  bob@example.test    password: ${passwords[bob]}
  Dev mail server: IMAP 127.0.0.1:1143, SMTP 127.0.0.1:1587, ManageSieve 127.0.0.1:1146 (scripts/devmail.sh stop)
  Address books: CardDAV on http://127.0.0.1:5232/ (Radicale; RADICALE_DIR=data/radicale scripts/radicale.sh stop)

MSG
exec "$bin" serve
