#!/usr/bin/env bash
# The Debian package, end to end: installed with dpkg, its files and modes
# checked, its unit verified and judged by systemd-analyze, then the unit's
# own command lines run as systemd would run them (a made-up user, the state
# directory of DynamicUser, a read-only system, a private /tmp) against the
# development mail server, signed in to over HTTP, stopped with SIGTERM,
# removed (state and configuration stay) and purged (nothing stays).
#
#   scripts/package-test.sh DEB
#
# As root (dpkg), while the development mail server runs; PID 1 need not be
# systemd. Environment:
#   ESTAFETTE_TEST_IMAP_PORT, ESTAFETTE_TEST_SMTP_PORT, ESTAFETTE_TEST_SIEVE_PORT
#                          the development mail server (plain, on loopback)
#   PACKAGE_TEST_USER      an address that server knows, e.g. bob@example.test
#   PACKAGE_TEST_PASSWORD  its IMAP password
#   PACKAGE_TEST_PORT      a free loopback port for the packaged server
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

step_no=0 step_name="arguments"
step() {
  step_no=$1 step_name=$2
  printf '\n== package test, step %s: %s\n' "$1" "$2" >&2
}
note() { echo "package test: $*" >&2; }
fail() {
  echo "package test: $*" >&2
  exit 1
}

[ $# -eq 1 ] || fail "usage: scripts/package-test.sh DEB"
[ -f "$1" ] || fail "no package at '$1'"
deb=$(realpath "$1")
[ "$(id -u)" -eq 0 ] || fail "must run as root (dpkg)"
for v in ESTAFETTE_TEST_IMAP_PORT ESTAFETTE_TEST_SMTP_PORT ESTAFETTE_TEST_SIEVE_PORT \
  PACKAGE_TEST_USER PACKAGE_TEST_PASSWORD PACKAGE_TEST_PORT; do
  [ -n "${!v:-}" ] || fail "$v is not set"
done
port=$PACKAGE_TEST_PORT
base=http://127.0.0.1:$port

unit=/lib/systemd/system/estafette.service
env_file=/etc/estafette/environment
# The first line of the environment file it writes: how a leftover of this
# test is told from an Estafette someone installed for real.
marker="# Written by scripts/package-test.sh; the package's purge removes it."
state_link=/var/lib/estafette state_dir=/var/lib/private/estafette
# What the package may leave on the machine once purged, and must not.
traces=(/etc/estafette "$state_link" "$state_dir" /usr/share/estafette /usr/share/doc/estafette
  /usr/bin/estafette "$unit" /etc/systemd/system/estafette.service
  /etc/systemd/system/multi-user.target.wants/estafette.service
  /var/lib/systemd/deb-systemd-helper-enabled/estafette.service.dsh-also
  /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/estafette.service
  /var/lib/systemd/deb-systemd-helper-masked/estafette.service)

work=$(mktemp -d /tmp/estafette-package-test.XXXXXX)
chmod 0700 "$work"
server_pid="" made_private="" opened_private=""
installed() { dpkg-query -W -f='${Status}' estafette 2>/dev/null | grep -qE 'installed|config-files|half'; }
cleanup() {
  local rc=$?
  set +e
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if installed; then
    dpkg -P estafette >/dev/null 2>&1 || note "cleanup: dpkg -P estafette failed"
  fi
  # What the test made itself, should a step have failed before the purge.
  [ -f "$env_file" ] && head -n 1 "$env_file" | grep -qxF "$marker" && rm -f "$env_file"
  [ -d /etc/estafette ] && rmdir --ignore-fail-on-non-empty /etc/estafette
  [ -n "$opened_private" ] && chmod 0700 /var/lib/private
  [ -n "$made_private" ] && rmdir /var/lib/private 2>/dev/null
  rm -rf "$work"
  if [ "$rc" -ne 0 ]; then
    echo "package test: FAILED at step $step_no ($step_name)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
step 1 "no Estafette installed before"
if installed; then
  if [ -f "$env_file" ] && head -n 1 "$env_file" | grep -qxF "$marker"; then
    note "note: a package from an earlier run of this test is still installed: purged first"
    dpkg -P estafette >&2 || fail "could not purge the leftover package"
  else
    fail "the package estafette is installed on this machine, and not by this test: it would be purged with its data; remove it yourself (dpkg -P estafette) to run the test"
  fi
fi
for t in "${traces[@]}"; do
  if [ -e "$t" ] || [ -L "$t" ]; then
    fail "$t exists without the package (someone's data?): remove it to run the test"
  fi
done

# ---------------------------------------------------------------------------
step 2 "dpkg -i $(basename "$deb"): files, modes, conffiles"
# The marker first: a run killed during the install is recognised as ours.
install -d -m 0755 /etc/estafette
(umask 0077 && echo "$marker" > "$env_file")
dpkg -i "$deb" >&2 || fail "dpkg -i failed"
dpkg-query -W -f='${Status}' estafette | grep -qx 'install ok installed' || fail "not installed: $(dpkg-query -W -f='${Status}' estafette)"
version=$(dpkg-query -W -f='${Version}' estafette)
expect_mode() { # PATH MODE [TYPE]: owned by root, with exactly this mode
  local path=$1 mode=$2 type=${3:-f}
  [ "$type" = d ] && { [ -d "$path" ] || fail "$path is not a directory"; }
  [ "$type" = f ] && { [ -f "$path" ] || fail "$path is missing"; }
  local got
  got=$(stat -c '%a %U:%G' "$path")
  [ "$got" = "$mode root:root" ] || fail "$path is $got, not $mode root:root"
}
expect_mode /usr/bin/estafette 755
expect_mode /etc/estafette/estafette.toml 644
expect_mode "$unit" 644
expect_mode /usr/share/doc/estafette/README.md 644
expect_mode /usr/share/doc/estafette/copyright 644
expect_mode /usr/share/estafette/site 755 d
expect_mode /usr/share/estafette/site/pkg/VERSION 644
bundle=$(cat /usr/share/estafette/site/pkg/VERSION)
expect_mode "/usr/share/estafette/site/pkg/$bundle" 755 d
[ -f "/usr/share/estafette/site/pkg/$bundle/estafette.css" ] || fail "the site has no pkg/$bundle/estafette.css"
/usr/bin/estafette --version >&2 || fail "the installed binary does not run"
file_info=$(LC_ALL=C readelf -S /usr/bin/estafette 2>/dev/null || true)
grep -q '\.symtab' <<<"$file_info" && fail "/usr/bin/estafette is not stripped"
# Nothing the package installs is writable but by root, nothing is setuid.
while read -r path; do
  [ -e "$path" ] || continue
  perms=$(stat -L -c '%a %U:%G' "$path")
  case $perms in
    [0-7][0145][0145]\ root:root | [0-7][0145][0145][0-7]\ root:root) ;;
    *) fail "$path is $perms: writable by others, or not root's" ;;
  esac
  [ -u "$path" ] || [ -g "$path" ] && fail "$path is setuid or setgid"
done < <(dpkg -L estafette)
dpkg-query -W -f='${Conffiles}\n' estafette | grep -q '^ /etc/estafette/estafette.toml ' \
  || fail "/etc/estafette/estafette.toml is not a conffile"
dpkg -L estafette | grep -qx "$state_link" && fail "the package ships $state_link itself (systemd makes it)"
if command -v deb-systemd-helper >/dev/null; then
  [ -L /etc/systemd/system/multi-user.target.wants/estafette.service ] \
    || fail "postinst did not enable the unit (no link in multi-user.target.wants)"
fi
note "installed estafette $version"

# ---------------------------------------------------------------------------
step 3 "systemd-analyze verify and security"
verify_out=$work/verify.log
if ! systemd-analyze verify "$unit" >"$verify_out" 2>&1; then
  cat "$verify_out" >&2
  fail "systemd-analyze verify $unit failed"
fi
# Warnings about other units of this machine are theirs; about ours, not.
if grep -i 'estafette' "$verify_out" >&2; then
  fail "systemd-analyze verify warns about the unit"
fi
note "systemd-analyze verify: ok${verify_out:+ ($(wc -l <"$verify_out") lines about other units)}"
security_out=$work/security.log
systemd-analyze security --offline=true --no-pager "$unit" >"$security_out" 2>&1 || {
  cat "$security_out" >&2
  fail "systemd-analyze security --offline=true failed"
}
exposure_line=$(grep 'Overall exposure level' "$security_out") || {
  cat "$security_out" >&2
  fail "systemd-analyze security printed no overall exposure"
}
echo "$exposure_line"
exposure=$(grep -oE '[0-9]+\.[0-9]+' <<<"$exposure_line" | head -n 1)
max_exposure=${PACKAGE_TEST_MAX_EXPOSURE:-2.0}
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' || {
  cat "$security_out" >&2
  fail "exposure $exposure is above $max_exposure: the unit lost some of its hardening"
}

# ---------------------------------------------------------------------------
step 4 "the test's settings in $env_file"
{
  echo "$marker"
  echo "ESTAFETTE_SERVER__LISTEN=127.0.0.1:$port"
  echo "ESTAFETTE_IMAP__PORT=$ESTAFETTE_TEST_IMAP_PORT"
  echo "ESTAFETTE_IMAP__SECURITY=plain"
  echo "ESTAFETTE_SMTP__PORT=$ESTAFETTE_TEST_SMTP_PORT"
  echo "ESTAFETTE_SMTP__SECURITY=plain"
  echo "ESTAFETTE_SIEVE__PORT=$ESTAFETTE_TEST_SIEVE_PORT"
  echo "ESTAFETTE_SIEVE__SECURITY=plain"
  echo "# The mail server checks passwords; the accounts are in the state directory."
  echo "ESTAFETTE_AUTH__PASSWORD_SOURCE=imap"
} > "$env_file"
chmod 0600 "$env_file"
expect_mode "$env_file" 600

# The unit's [Service] settings, as systemd reads them (what this test
# understands of them; anything more is refused rather than misread).
unit_values() { # KEY: its values in [Service], in order
  awk -v key="$1" '
    /^\[/ { service = ($0 == "[Service]"); next }
    service && index($0, key "=") == 1 { print substr($0, length(key) + 2) }
  ' "$unit"
}
unit_value() { unit_values "$1" | tail -n 1; }
grep -q '\\$' "$unit" && fail "the unit continues a line with \\: this test does not read that"
[ "$(unit_value DynamicUser)" = yes ] || fail "the unit has no DynamicUser=yes"
state_name=$(unit_value StateDirectory)
[ "/var/lib/$state_name" = "$state_link" ] || fail "StateDirectory is '$state_name', not estafette"
state_mode=$(unit_value StateDirectoryMode)
state_mode=${state_mode:-0755}
service_umask=$(unit_value UMask)
service_umask=${service_umask:-0022}
workdir=$(unit_value WorkingDirectory)
workdir=${workdir#-}
workdir=${workdir:-/}
# EnvironmentFile=: "-" before the path, when a missing file is no error.
env_vars=()
while read -r spec; do
  optional="" path=$spec
  [ "${path:0:1}" = - ] && optional=1 path=${path:1}
  if [ ! -f "$path" ]; then
    [ -n "$optional" ] && continue
    fail "EnvironmentFile $path is missing"
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}
    case $line in '' | '#'* | ';'*) continue ;; esac
    [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || fail "$path: '$line' is not VARIABLE=value"
    key=${line%%=*} value=${line#*=}
    value=${value%"${value##*[![:space:]]}"}
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    env_vars+=("$key=$value")
  done < "$path"
done < <(unit_values EnvironmentFile)
[ ${#env_vars[@]} -gt 0 ] || fail "the unit reads no EnvironmentFile, or $env_file is not it"
# ExecStart=/ExecStartPre=: "-" (failure ignored) is understood, other prefixes not.
exec_line() { # A command line of the unit: the words into the array `cmd`.
  local text=$1
  ignore_failure=""
  [ "${text:0:1}" = - ] && ignore_failure=1 text=${text:1}
  case ${text:0:1} in @ | + | ! | :) fail "this test does not run a command with the prefix '${text:0:1}': $1" ;; esac
  case $text in *%* | *\"* | *\'* | *\$*) fail "this test does not expand specifiers, quotes or variables: $1" ;; esac
  read -ra cmd <<<"$text"
}
mapfile -t exec_pre < <(unit_values ExecStartPre)
exec_start_text=$(unit_value ExecStart)
[ -n "$exec_start_text" ] || fail "the unit has no ExecStart"
exec_line "$exec_start_text"
exec_start=("${cmd[@]}")
[ "${exec_start[-1]}" = serve ] || fail "ExecStart does not end with 'serve': $exec_start_text"
# The same program and configuration, for the other commands.
cli=("${exec_start[@]:0:${#exec_start[@]}-1}")

# ---------------------------------------------------------------------------
step 5 "estafette check-config, with the package's configuration"
check_out=$work/check-config.log
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${env_vars[@]}" "${cli[@]}" check-config >"$check_out" 2>&1 || {
  cat "$check_out" >&2
  fail "check-config refused the configuration as packaged"
}
cat "$check_out" >&2
grep -q "listen: *127.0.0.1:$port" "$check_out" || fail "check-config did not see the environment file's server.listen"

# ---------------------------------------------------------------------------
step 6 "the unit's commands, as systemd runs them"
# A user and group of DynamicUser's range that nobody has.
uid=""
for candidate in $(shuf -i 61184-65519 -n 200); do
  getent passwd "$candidate" >/dev/null && continue
  getent group "$candidate" >/dev/null && continue
  pgrep -u "$candidate" >/dev/null && continue
  uid=$candidate
  break
done
[ -n "$uid" ] || fail "no free uid in 61184-65519"
gid=$uid
# StateDirectory= with DynamicUser=: the directory under /var/lib/private
# (0700, root's, so that no one else reaches it), the link beside it.
if [ ! -d /var/lib/private ]; then
  install -d -m 0700 /var/lib/private
  made_private=1
fi
install -d -m "$state_mode" -o "$uid" -g "$gid" "$state_dir"
ln -s private/estafette "$state_link"
# The sandbox: the service gets its state directory through a tmpfs over
# /var/lib/private, the system read-only (ProtectSystem=strict), no homes
# (ProtectHome=yes) and a /tmp of its own (PrivateTmp=yes), in a mount
# namespace of its own. Without mount namespaces here, /var/lib/private is
# opened (0711) for the test, and TMPDIR is a private directory.
hold=$work/hold
mkdir "$hold"
if unshare --mount --propagation private true 2>/dev/null; then
  sandbox=namespace
  service_tmp=""
else
  sandbox=none
  note "note: no mount namespace here: no read-only system, /var/lib/private opened (0711) for the test"
  chmod 0711 /var/lib/private
  opened_private=1
  service_tmp=$work/tmp
  install -d -m 0700 -o "$uid" -g "$gid" "$service_tmp"
fi
# shellcheck disable=SC2016 # (expanded by the inner shell)
inner='
set -e
uid=$1 gid=$2 mask=$3 dir=$4 hold=$5 sandbox=$6
shift 6
if [ "$sandbox" = namespace ]; then
  mount --bind /var/lib/private/estafette "$hold"
  findmnt -rno TARGET | while read -r target; do
    case $target in /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | "$hold") continue ;; esac
    mount -o remount,bind,ro "$target" 2>/dev/null || true
  done
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /var/lib/private
  mkdir /var/lib/private/estafette
  mount --bind "$hold" /var/lib/private/estafette
  umount "$hold"
  for home in /home /root /run/user; do
    [ -d "$home" ] && mount -t tmpfs -o mode=000,ro,nosuid,nodev tmpfs "$home"
  done
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
fi
cd "$dir"
umask "$mask"
caps=""
setpriv --help | grep -q -- --bounding-set && caps="--inh-caps=-all --bounding-set=-all"
exec env -u PWD -u OLDPWD -u SHLVL -u _ setpriv --reuid="$uid" --regid="$gid" --clear-groups \
  --no-new-privs $caps -- "$@"
'
service_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/
  USER=estafette LOGNAME=estafette SHELL=/usr/sbin/nologin STATE_DIRECTORY="$state_link"
  ${service_tmp:+TMPDIR="$service_tmp"} "${env_vars[@]}")
as_service() { # COMMAND…: run as the unit runs its commands (exec: keeps the PID)
  if [ "$sandbox" = namespace ]; then
    exec env -i "${service_env[@]}" unshare --mount --propagation private \
      /bin/bash -c "$inner" inner "$uid" "$gid" "$service_umask" "$workdir" "$hold" "$sandbox" "$@"
  else
    exec env -i "${service_env[@]}" /bin/bash -c "$inner" inner "$uid" "$gid" "$service_umask" "$workdir" "$hold" "$sandbox" "$@"
  fi
}
for pre in "${exec_pre[@]}"; do
  exec_line "$pre"
  if ! (as_service "${cmd[@]}") >"$work/pre.log" 2>&1; then
    cat "$work/pre.log" >&2
    [ -n "$ignore_failure" ] || fail "ExecStartPre failed: $pre"
  fi
  note "ExecStartPre=$pre: ok"
done
# The account (IMAP checks its password: no password is kept, none asked).
if ! (as_service "${cli[@]}" user add "$PACKAGE_TEST_USER") </dev/null >"$work/user.log" 2>&1; then
  cat "$work/user.log" >&2
  fail "estafette user add $PACKAGE_TEST_USER failed as the service's user"
fi
cat "$work/user.log" >&2
server_log=$work/server.log
(as_service "${exec_start[@]}") >"$server_log" 2>&1 &
server_pid=$!
note "ExecStart=$exec_start_text: pid $server_pid, uid $uid, sandbox: $sandbox"

# ---------------------------------------------------------------------------
step 7 "the packaged server answers: /readyz, /login, the site, sign-in, INBOX"
"$root/scripts/wait-ready.sh" "$port" "$server_log" "$server_pid" || fail "the server never got ready"
# Its files, in the state directory, the service user's only.
for f in estafette.db secret.key; do
  got=$(stat -c '%a %u' "$state_dir/$f" 2>/dev/null) || fail "no $f in the state directory"
  [ "$got" = "600 $uid" ] || fail "$state_dir/$f is '$got', not '600 $uid'"
done
[ "$(stat -c '%a %u' "$state_dir")" = "${state_mode#0} $uid" ] || fail "$state_dir is $(stat -c '%a %u' "$state_dir")"
http() { # OUT URL CURL-ARGS…: prints the status
  local out=$1 url=$2
  shift 2
  curl -sS --max-time 20 -o "$out" -w '%{http_code}' "$@" "$url"
}
status=$(http "$work/login.html" "$base/login")
[ "$status" = 200 ] || fail "GET /login answered $status"
grep -q 'action="/api/sign_in"' "$work/login.html" && grep -q 'name="password"' "$work/login.html" \
  || fail "GET /login is not the sign-in page: $(head -c 300 "$work/login.html")"
css=$(grep -oE 'href="/pkg/[^"]*\.css"' "$work/login.html" | head -n 1 | sed 's/^href="//; s/"$//')
[ -n "$css" ] || fail "the sign-in page links no stylesheet under /pkg/"
status=$(http "$work/site.css" "$base$css")
[ "$status" = 200 ] || fail "GET $css answered $status"
cmp -s "$work/site.css" "/usr/share/estafette/site$css" || fail "GET $css is not the installed file"
script=$(grep -oE '/pkg/[^"]*\.js' "$work/login.html" | head -n 1)
if [ -n "$script" ]; then
  status=$(http "$work/site.js" "$base$script")
  [ "$status" = 200 ] || fail "GET $script answered $status"
fi
printf '%s' "$PACKAGE_TEST_PASSWORD" > "$work/password"
jar=$work/cookies
status=$(http "$work/sign_in.out" "$base/api/sign_in" -c "$jar" -b "$jar" -H "Origin: $base" \
  --data-urlencode "email=$PACKAGE_TEST_USER" --data-urlencode "password@$work/password")
[ "$status" = 200 ] || fail "POST /api/sign_in answered $status: $(head -c 300 "$work/sign_in.out")"
status=$(http "$work/messages.json" "$base/api/messages" -c "$jar" -b "$jar" -H "Origin: $base" \
  --data 'folder=INBOX&page=0')
[ "$status" = 200 ] || fail "POST /api/messages answered $status: $(head -c 300 "$work/messages.json")"
grep -q '"total"' "$work/messages.json" || fail "POST /api/messages is not a page of messages: $(head -c 300 "$work/messages.json")"
note "signed in as $PACKAGE_TEST_USER, INBOX listed, $css served"

# ---------------------------------------------------------------------------
step 8 "SIGTERM: the server stops, exit 0, within 10 s"
kill -TERM "$server_pid"
for _ in $(seq 1 100); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  tail -n 20 "$server_log" >&2
  fail "still running 10 s after SIGTERM"
fi
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""
[ "$server_rc" -eq 0 ] || {
  tail -n 20 "$server_log" >&2
  fail "the server exited $server_rc after SIGTERM"
}
grep -q 'shutting down' "$server_log" || fail "the log does not say it shut down"

# ---------------------------------------------------------------------------
step 9 "dpkg -r: the programs go, the configuration and the state stay"
dpkg -r estafette >&2 || fail "dpkg -r failed"
for gone in /usr/bin/estafette /usr/share/estafette "$unit" /usr/share/doc/estafette; do
  [ -e "$gone" ] && fail "$gone is still there after dpkg -r"
done
for kept in /etc/estafette/estafette.toml "$env_file" "$state_dir/estafette.db" "$state_dir/secret.key"; do
  [ -f "$kept" ] || fail "$kept is gone after dpkg -r"
done
[ -L "$state_link" ] || fail "$state_link is gone after dpkg -r"
dpkg-query -W -f='${Status}' estafette | grep -qx 'deinstall ok config-files' \
  || fail "after dpkg -r: $(dpkg-query -W -f='${Status}' estafette)"

# ---------------------------------------------------------------------------
step 10 "dpkg -P: nothing stays"
dpkg -P estafette >&2 || fail "dpkg -P failed"
for t in "${traces[@]}"; do
  if [ -e "$t" ] || [ -L "$t" ]; then
    fail "$t is still there after dpkg -P"
  fi
done
dpkg_status=$(dpkg -s estafette 2>&1) && fail "dpkg -s still knows estafette: $dpkg_status"
grep -q 'is not installed' <<<"$dpkg_status" || fail "dpkg -s says: $dpkg_status"

# ---------------------------------------------------------------------------
step 11 "done"
echo "package test: ok (estafette $version: installed, unit verified, exposure $exposure; served on port $port as uid $uid, sandbox: $sandbox; $PACKAGE_TEST_USER signed in; stopped by SIGTERM; removed and purged)"
