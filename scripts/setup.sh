#!/usr/bin/env bash
# Installs what Estafette's build, demo and tests need, skipping what is there:
# Debian packages, the wasm32 target, wasm-bindgen-cli (the exact version of the
# wasm-bindgen crate in Cargo.lock), wasm-split-cli (the version of the
# wasm_split_helpers crate there), cargo-audit, and the npm packages of
# end2end/ (Playwright's core, axe-core, binaryen's wasm-opt and terser).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { echo "setup: $*" >&2; }

apt_packages=(nginx openssl clamav-daemon dovecot-imapd dovecot-lmtpd dovecot-sqlite dovecot-sieve dovecot-managesieved postfix postgresql sqlite3 chromium zopfli radicale systemd
  curl pkg-config build-essential ca-certificates)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  # Postfix, Dovecot, nginx and PostgreSQL are run by the scripts and tests
  # with private configurations on loopback: the system services are not
  # started by the install (a policy-rc.d that says no, while installing).
  policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod 755 "$policy"
    own_policy=1
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  [ -n "$own_policy" ] && $sudo_cmd rm -f "$policy"
fi

command -v cargo >/dev/null || { say "Rust is missing: install it with rustup first"; exit 1; }
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
  || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }

# The version Cargo.lock holds of a crate, as cargo reads it.
locked_version() {
  local id
  id=$(cargo pkgid --offline -p "$1" 2>/dev/null || cargo pkgid -p "$1")
  echo "${id##*[#@]}"
}
wbg_version=$(locked_version wasm-bindgen)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
  say "installing wasm-bindgen-cli $wbg_version (several minutes, once)"
  cargo install wasm-bindgen-cli --version "$wbg_version"
fi
split_version=$(locked_version wasm_split_helpers)
if ! cargo install --list | grep -q "^wasm_split_cli_support v$split_version:"; then
  say "installing wasm-split-cli $split_version (a few minutes, once)"
  cargo install wasm_split_cli_support --version "$split_version" --features build-binary --locked
fi
command -v cargo-audit >/dev/null || { say "installing cargo-audit (several minutes, once)"; cargo install cargo-audit --locked; }

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/terser ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages of end2end/"
  (cd end2end && npm ci --no-audit --no-fund >&2)
fi
