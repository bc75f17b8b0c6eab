#!/usr/bin/env bash
# Builds the Debian package of Estafette: the binary, the site, the default
# configuration (a conffile), the hardened systemd unit and the maintainer
# scripts of dist/. Prints the .deb's path as its last line.
#
#   scripts/package.sh [--binary PATH] [--site DIR] [--out DIR] [--fast]
#
#   --binary PATH  the estafette binary to ship (default: scripts/build.sh
#                  release builds the site and target/release/estafette)
#   --site DIR     the built site (default: target/site)
#   --out DIR      where the .deb goes (default: target/package)
#   --fast         gzip at level 1 instead of xz: for tests of a debug binary
#
# Plain dpkg-deb, no cargo-deb: dpkg-deb is on every Debian system (and
# dpkg-shlibdeps, in dpkg-dev, computes Depends when it is there), so
# nothing is downloaded or built for packaging.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { echo "package: $*" >&2; }
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; }

binary="" site=$root/target/site out=$root/target/package fast=""
while [ $# -gt 0 ]; do
  case $1 in
    --binary | --site | --out)
      [ $# -ge 2 ] && [ -n "$2" ] || { say "$1 needs a value"; exit 2; }
      case $1 in
        --binary) binary=$2 ;;
        --site) site=$2 ;;
        --out) out=$2 ;;
      esac
      shift 2
      ;;
    --fast) fast=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) say "unknown option '$1'"; usage; exit 2 ;;
  esac
done

for tool in dpkg-deb dpkg; do
  command -v "$tool" >/dev/null || { say "$tool is missing (a Debian system is needed)"; exit 1; }
done

if [ -z "$binary" ]; then
  say "building the site and the release binary (scripts/build.sh release)"
  binary=$(scripts/build.sh release | tail -n 1)
fi
[ -f "$binary" ] && [ -x "$binary" ] || { say "no executable binary at '$binary'"; exit 1; }
[ -d "$site/pkg" ] || { say "no built site at '$site' (no pkg/ in it): scripts/build.sh site"; exit 1; }

# The version cargo gives the server's package (Cargo.toml, through the
# workspace); a pre-release 1.2.0-rc.1 sorts before 1.2.0 in Debian as 1.2.0~rc.1.
metadata=$(cargo metadata --no-deps --format-version 1 --offline)
if command -v jq >/dev/null; then
  version=$(jq -r '.packages[] | select(.name == "estafette") | .version' <<<"$metadata")
  license=$(jq -r '.packages[] | select(.name == "estafette") | .license // ""' <<<"$metadata")
else
  read -r version license < <(python3 -c '
import json, sys
p = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "estafette")
print(p["version"], p.get("license") or "")' <<<"$metadata")
fi
[ -n "$version" ] || { say "cargo metadata names no package estafette"; exit 1; }
deb_version=${version/-/\~}
arch=$(dpkg --print-architecture)
maintainer="${DEBFULLNAME:-Estafette maintainers} <${DEBEMAIL:-estafette@localhost}>"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/estafette
mkdir -p "$stage/DEBIAN"

# The binary, stripped of its symbols.
install -D -m 0755 "$binary" "$stage/usr/bin/estafette"
strip --strip-all "$stage/usr/bin/estafette"

# The site: the bundle pkg/VERSION names (not the previous one build.sh
# keeps for pages still open, nor a build's staging directory), and the rest.
dest=$stage/usr/share/estafette/site
mkdir -p "$dest/pkg"
bundle=$(cat "$site/pkg/VERSION" 2>/dev/null || true)
for entry in "$site"/* "$site"/pkg/*; do
  [ -e "$entry" ] || continue
  name=${entry#"$site"/}
  case $name in
    pkg | pkg/stage) continue ;;
    pkg/*) [ -n "$bundle" ] && [ "$name" != "pkg/$bundle" ] && [ "$name" != pkg/VERSION ] && continue ;;
  esac
  cp -R --no-preserve=mode,ownership "$entry" "$dest/$name"
done
[ -z "$bundle" ] || [ -d "$dest/pkg/$bundle" ] || { say "pkg/VERSION names $bundle, which is not in $site/pkg"; exit 1; }

install -D -m 0644 dist/estafette.toml "$stage/etc/estafette/estafette.toml"
install -D -m 0644 dist/estafette.service "$stage/lib/systemd/system/estafette.service"
install -D -m 0644 README.md "$stage/usr/share/doc/estafette/README.md"
cat > "$stage/usr/share/doc/estafette/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Estafette
Source: the Estafette source tree (packaged by scripts/package.sh)

Files: *
Copyright: the Estafette authors
License: ${license:-unknown}

License: ${license:-unknown}
 This program is free software: you can redistribute it and/or modify it
 under the terms of the GNU Affero General Public License as published by
 the Free Software Foundation, either version 3 of the License, or (at your
 option) any later version.
 .
 This program is distributed in the hope that it will be useful, but
 WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 or FITNESS FOR A PARTICULAR PURPOSE. See the GNU Affero General Public
 License for more details.
 .
 The full text of the license is at <https://www.gnu.org/licenses/agpl-3.0.txt>.
EOF
[ "$license" = AGPL-3.0-or-later ] || say "warning: the copyright text is the AGPL's, but Cargo.toml says '$license'"
# Directories 0755 and files 0644 (root's, through --root-owner-group),
# but for the binary.
find "$stage" -path "$stage/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$stage" -path "$stage/DEBIAN" -prune -o -type f ! -path "$stage/usr/bin/estafette" -exec chmod 0644 {} +

# Depends: the shared libraries the binary links, as dpkg-shlibdeps (dpkg-dev)
# finds their packages; it wants a debian/control, made up here.
depends="libc6 (>= 2.36)"
if command -v dpkg-shlibdeps >/dev/null; then
  mkdir -p "$work/src/debian"
  printf 'Source: estafette\n\nPackage: estafette\nArchitecture: any\n' > "$work/src/debian/control"
  if shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/bin/estafette" 2>"$work/shlibdeps.log"); then
    computed=$(sed -n 's/^shlibs:Depends=//p' <<<"$shlibs")
    [ -n "$computed" ] && depends=$computed
  else
    say "dpkg-shlibdeps failed, Depends: $depends"
    cat "$work/shlibdeps.log" >&2
  fi
else
  say "no dpkg-shlibdeps (dpkg-dev): Depends: $depends"
fi

# The maintainer scripts, conffiles, checksums and control file.
install -m 0755 dist/debian/postinst dist/debian/prerm dist/debian/postrm "$stage/DEBIAN/"
install -m 0644 dist/debian/conffiles "$stage/DEBIAN/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
  | grep -vxF -f <(sed 's|^/||' DEBIAN/conffiles) | xargs -d '\n' md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$deb_version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" \
  dist/debian/control > "$stage/DEBIAN/control"
if grep -q '@[A-Z_]*@' "$stage/DEBIAN/control"; then
  say "dist/debian/control has a placeholder this script does not fill"
  exit 1
fi

mkdir -p "$out"
deb=$(cd "$out" && pwd)/estafette_${deb_version}_${arch}.deb
compression=(-Zxz)
[ -n "$fast" ] && compression=(-Zgzip -z1)
dpkg-deb --root-owner-group "${compression[@]}" --build "$stage" "$deb" >&2
say "Depends: $depends"
echo "$deb"
