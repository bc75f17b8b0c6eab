#!/usr/bin/env bash
# The development mail server: Dovecot (IMAP, LMTP with Sieve, ManageSieve)
# whose passdb is Estafette's own accounts table, and Postfix (SMTP submission,
# SASL through Dovecot) that delivers example.test mail into Dovecot over LMTP.
# Sieve's replies (vacation, redirect) go back into Postfix on a relay port of
# their own. Loopback only, unprivileged ports, configuration private to
# $DEVMAIL_DIR.
#
#   scripts/devmail.sh start|stop|status
#
# Settings (environment):
#   DEVMAIL_DIR        state, config, logs and Maildirs   (data/devmail)
#   DEVMAIL_DB         the SQLite file Dovecot reads      (data/estafette.db)
#   DEVMAIL_IMAP_PORT  IMAP                               (1143)
#   DEVMAIL_SMTP_PORT  SMTP submission                    (1587)
#   DEVMAIL_LMTP_PORT  LMTP (Postfix → Dovecot)           (1024 + IMAP port offset)
#   DEVMAIL_AUTH_PORT  Dovecot auth for Postfix SASL      (idem)
#   DEVMAIL_SIEVE_PORT ManageSieve                        (idem)
#   DEVMAIL_RELAY_PORT SMTP for Sieve's own replies, no auth (idem)
#   DEVMAIL_MAX_LIFE   seconds after which it stops by itself (0 = never; default 0)
#
# Postfix refuses one address for good, refused@example.test (550 at RCPT),
# so that tests can meet a permanent failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${DEVMAIL_DIR:-$root/data/devmail}")
db=$(realpath -m "${DEVMAIL_DB:-$root/data/estafette.db}")
imap_port=${DEVMAIL_IMAP_PORT:-1143}
smtp_port=${DEVMAIL_SMTP_PORT:-1587}
lmtp_port=${DEVMAIL_LMTP_PORT:-$((imap_port + 1))}
auth_port=${DEVMAIL_AUTH_PORT:-$((imap_port + 2))}
sieve_port=${DEVMAIL_SIEVE_PORT:-$((imap_port + 3))}
relay_port=${DEVMAIL_RELAY_PORT:-$((imap_port + 4))}
max_life=${DEVMAIL_MAX_LIFE:-0}
domain=example.test

log() { echo "devmail: $*" >&2; }

write_dovecot_conf() {
  mkdir -p "$dir/dovecot" "$dir/mail" "$dir/run"
  chown mail:mail "$dir/mail"
  chmod 0755 "$dir/run"
  cat > "$dir/dovecot/dovecot.conf" <<CONF
# Written by scripts/devmail.sh; private to this development server.
base_dir = $dir/run/dovecot
state_dir = $dir/dovecot/state
log_path = $dir/dovecot.log
protocols = imap lmtp sieve
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
auth_default_realm = $domain
auth_cache_size = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 8
first_valid_gid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:$dir/mail/%d/%n/Maildir
mail_max_userip_connections = 2000
imap_idle_notify_interval = 1 mins
# Every mailbox has a quota (RFC 9208): 10 GB, or 2 MB for a local part that
# starts with "quota", so tests can fill one (see password_query). ACLs: a
# folder named "Fixed labels" lets its owner do everything but change flags
# and keywords (PERMANENTFLAGS without them), so tests can meet a server
# that refuses labels (see dovecot-acl).
mail_plugins = \$mail_plugins quota acl

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

passdb {
  driver = sql
  args = $dir/dovecot/sql.conf.ext
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$dir/mail/%d/%n
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
  process_min_avail = 1
  service_count = 0
  client_limit = 1000
}
service imap {
  process_limit = 1024
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = $sieve_port
  }
}
service auth {
  inet_listener auth {
    address = 127.0.0.1
    port = $auth_port
  }
}
service auth-worker {
  user = root
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
protocol lmtp {
  postmaster_address = postmaster@$domain
  mail_plugins = \$mail_plugins sieve
}
# Sieve's messages (vacation replies, redirects) are submitted to Postfix on
# loopback, which delivers example.test mail back into Dovecot.
submission_host = 127.0.0.1:$relay_port
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vacation +date +relational +imap4flags +fileinto +copy +body +variables +include
  sieve_max_redirects = 4
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=10G
  acl = vfile:$dir/dovecot/dovecot-acl
}
CONF
  cat > "$dir/dovecot/dovecot-acl" <<CONF
"Fixed labels" owner lrstipekxa
CONF
  cat > "$dir/dovecot/sql.conf.ext" <<CONF
# Estafette's accounts table is the passdb: argon2id PHC strings, read as {ARGON2ID}.
driver = sqlite
connect = $db
default_pass_scheme = ARGON2ID
# Like many servers, it also takes other names for a mailbox: a bare local
# part (auth_default_realm) and a sub-address (alice+news@ is alice@).
password_query = SELECT email AS user, password_hash AS password, \\
  CASE WHEN substr(email, 1, 5) = 'quota' THEN '*:storage=2M' ELSE '*:storage=10G' END \\
  AS userdb_quota_rule FROM accounts \\
  WHERE state = 'active' AND password_hash IS NOT NULL AND (email = '%u' \\
  OR (instr('%n', '+') > 1 AND email = substr('%n', 1, instr('%n', '+') - 1) || '@%d'))
CONF
}

write_postfix_conf() {
  local conf=$dir/postfix/conf
  mkdir -p "$conf" "$dir/postfix/queue" "$dir/postfix/data"
  chown postfix "$dir/postfix/data"
  cat > "$conf/main.cf" <<CONF
# Written by scripts/devmail.sh; private to this development server.
compatibility_level = 3.6
queue_directory = $dir/postfix/queue
data_directory = $dir/postfix/data
meta_directory = /etc/postfix
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
myhostname = mail.$domain
mydomain = $domain
myorigin = $domain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = yes
message_size_limit = 78643200
virtual_mailbox_domains = $domain
virtual_transport = lmtp:inet:127.0.0.1:$lmtp_port
smtpd_reject_unlisted_recipient = no
default_transport = error:the development server delivers only to $domain
relay_transport = error:the development server delivers only to $domain
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$auth_port
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access inline:{ { refused@$domain = 550 5.1.1 refused by the development server } }, permit_sasl_authenticated, reject
smtpd_sender_restrictions =
CONF
  cat > "$conf/master.cf" <<CONF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$smtp_port inet n - n - - smtpd
127.0.0.1:$relay_port inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=no
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
}

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  log "port $1 did not open; see $dir/*.log"
  return 1
}

start() {
  if status >/dev/null 2>&1; then log "already running in $dir"; return 0; fi
  write_dovecot_conf
  write_postfix_conf
  dovecot -c "$dir/dovecot/dovecot.conf"
  script -qec "postfix -c $dir/postfix/conf check" /dev/null >&2
  postfix -c "$dir/postfix/conf" start >/dev/null 2>&1 || { cat "$dir/postfix.log" >&2 || true; return 1; }
  wait_port "$imap_port"
  wait_port "$smtp_port"
  wait_port "$sieve_port"
  if [ "$max_life" -gt 0 ]; then
    # A watchdog, so that a test run that dies never leaves servers behind.
    nohup bash -c "sleep $max_life; DEVMAIL_DIR='$dir' '$0' stop" >/dev/null 2>&1 &
    echo $! > "$dir/watchdog.pid"
  fi
  log "IMAP 127.0.0.1:$imap_port, SMTP 127.0.0.1:$smtp_port, ManageSieve 127.0.0.1:$sieve_port, passdb $db, mail in $dir/mail"
}

stop() {
  [ -f "$dir/watchdog.pid" ] && { kill "$(cat "$dir/watchdog.pid")" 2>/dev/null || true; rm -f "$dir/watchdog.pid"; }
  [ -f "$dir/postfix/conf/main.cf" ] && postfix -c "$dir/postfix/conf" stop >/dev/null 2>&1 || true
  if [ -f "$dir/run/dovecot/master.pid" ]; then
    kill "$(cat "$dir/run/dovecot/master.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$dir/run/dovecot/master.pid" ] || break; sleep 0.1; done
  fi
  log "stopped"
}

status() {
  [ -f "$dir/run/dovecot/master.pid" ] && kill -0 "$(cat "$dir/run/dovecot/master.pid")" 2>/dev/null \
    && postfix -c "$dir/postfix/conf" status 2>/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if status; then echo running; else echo stopped; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
