#!/usr/bin/env bash
# Builds Estafette: the browser bundle into target/site/pkg (WASM through
# wasm-bindgen and binaryen's wasm-opt, plain CSS) and the server binary.
#   scripts/build.sh [release|site]   release: the site and the release binary
#                                     (prints its path); site: the site only
# Plain cargo + wasm-bindgen instead of cargo-leptos: nothing to download,
# one tool fewer to build, and the same output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-release}
case $mode in
  release | site) ;;
  *) echo "build.sh: unknown mode '$mode' (release or site)" >&2; exit 2 ;;
esac
target_dir=${CARGO_TARGET_DIR:-$root/target}
site=$root/target/site
# Built into a staging directory, then moved to pkg/<hash of the content>
# (named in pkg/VERSION): the server serves it under that name, cached for good.
stage=$site/stage
rm -rf "$stage"
mkdir -p "$stage" "$site/pkg"

cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
# Cut at the lazy routes (pages away from the way in): a main module and the
# parts each such page loads when first visited, with their loader.
wasm-split-cli --target web --out-name estafette \
  "$target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm" "$stage"
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$stage" --out-name estafette "$stage/estafette.wasm"
rm "$stage/estafette.wasm"
# (The parts carry a name subsection binaryen does not know; it says so for
# each, harmlessly, and drops it.)
for wasm in "$stage"/*.wasm; do
  "$root/end2end/node_modules/.bin/wasm-opt" -Oz --gufa -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$wasm" -o "$wasm" 2>&1 | { grep -v 'unknown name subsection' || true; } >&2
done
# The JavaScript glue, minified (terser, from npm).
for js in "$stage"/*.js; do
  "$root/end2end/node_modules/.bin/terser" "$js" --module --compress --mangle -o "$js"
done
cp style/main.css "$stage/estafette.css"
cp style/favicon.svg "$stage/favicon.svg"
# Precompressed copies, served as they are: brotli at its best, and gzip by
# zopfli (the same format, a few per cent smaller than gzip -9).
node -e '
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const dir = process.argv[1];
for (const f of fs.readdirSync(dir)) {
  if (!/\.(wasm|js|css|svg)$/.test(f)) continue;
  const data = fs.readFileSync(path.join(dir, f));
  fs.writeFileSync(path.join(dir, f + ".br"), zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
}' "$stage"
for f in "$stage"/*.wasm "$stage"/*.js "$stage"/*.css "$stage"/*.svg; do
  zopfli --gzip "$f"
done
hash=$(find "$stage" -type f ! -name '*.br' ! -name '*.gz' | sort | xargs cat | sha256sum | cut -c1-12)
# The previous version stays for pages still open on it; older ones go.
previous=$(cat "$site/pkg/VERSION" 2>/dev/null || true)
find "$site/pkg" -mindepth 1 -maxdepth 1 ! -name "$hash" ! -name "${previous:-none}" ! -name VERSION -exec rm -rf {} +
rm -rf "${site:?}/pkg/$hash"
mv "$stage" "$site/pkg/$hash"
echo "$hash" > "$site/pkg/VERSION"

if [ "$mode" = release ]; then
  # The commit the binary is built from, in its `estafette_build_info` metric.
  ESTAFETTE_COMMIT=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown) \
    cargo build -p estafette --release
  echo "$target_dir/release/estafette"
fi
