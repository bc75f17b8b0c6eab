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
target_dir=${CARGO_TARGET_DIR:-$root/target}
site=$root/target/site
mkdir -p "$site/pkg"

cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name estafette \
  "$target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm"
"$root/end2end/node_modules/.bin/wasm-opt" -Oz --gufa -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$site/pkg/estafette_bg.wasm" -o "$site/pkg/estafette_bg.wasm"
cp style/main.css "$site/pkg/estafette.css"
cp style/favicon.svg "$site/pkg/favicon.svg"
# Precompressed copies, served as they are (brotli at its best, gzip -9).
node -e '
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const dir = process.argv[1];
for (const f of fs.readdirSync(dir)) {
  if (!/\.(wasm|js|css|svg)$/.test(f)) continue;
  const data = fs.readFileSync(path.join(dir, f));
  fs.writeFileSync(path.join(dir, f + ".br"), zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  fs.writeFileSync(path.join(dir, f + ".gz"), zlib.gzipSync(data, { level: 9 }));
}' "$site/pkg"

if [ "$mode" = release ]; then
  cargo build -p estafette --release
  echo "$target_dir/release/estafette"
fi
