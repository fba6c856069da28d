#!/usr/bin/env bash
# Builds the mediasoup worker offline and prints the path of the cached binary.
#
# Why this exists: mediasoup's own install downloads a prebuilt worker from GitHub, Meson from PyPI and its C++
# dependencies through Meson wraps; none of those answer on an air-gapped or registry-only machine. Here the
# worker is built from the npm package's sources against Debian's libraries (OpenSSL, libsrtp2, libuv, abseil,
# flatbuffers) so their security updates apply, with the stand-ins in subprojects/ replacing the wraps.
#
# The binary is cached outside the clone, keyed by the mediasoup version, the OS release, the Debian library
# versions it links and the stand-ins themselves: a fresh clone on the same machine installs in seconds, a new
# machine (or a library update) rebuilds.
#
# usage: build.sh CACHE_ROOT NODE_DIR        (run from the repository root, after npm ci)
set -euo pipefail

cache_root=$1
node_dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkg=node_modules/mediasoup
log() { printf '\033[1m[worker-build]\033[0m %s\n' "$*" >&2; }

[ -f "$pkg/package.json" ] || { echo "worker-build: $pkg is missing (run npm ci first)" >&2; exit 1; }

version=$("$node_dir/bin/node" -p "require('./$pkg/package.json').version")
. /etc/os-release
libs=""
for p in libssl3 libsrtp2-1 libuv1 libabsl20220623 libflatbuffers2 flatbuffers-compiler g++; do
  libs+="$p=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none);"
done
standins=$(cd "$here" && find subprojects patches build.sh -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
key=$(printf '%s|%s-%s|%s|%s' "$version" "$ID" "$VERSION_ID" "$libs" "$standins" | sha256sum | cut -c1-24)
out="$cache_root/$version-$ID$VERSION_ID-$key"
bin="$out/mediasoup-worker"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Meson >= 1.1 is required; bookworm has 1.0.1. The backports package (same Debian mirror) is fetched with a
# private apt configuration and unpacked into the build folder, leaving /etc/apt untouched.
meson_dir="$cache_root/meson-bpo12"
if [ ! -x "$meson_dir/usr/bin/meson" ]; then
  log "fetching meson from bookworm-backports"
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  # The machine's own Debian mirror (one-line or deb822 sources), which also serves backports.
  mirror=$({ grep -rhE '^(URIs:|deb) ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } \
    | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)
  echo "deb ${mirror:-http://deb.debian.org/debian} bookworm-backports main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::archives=$apt_dir/archives" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" update -qq >/dev/null
  (cd "$work" && apt-get "${apt_opts[@]}" download -qq meson/bookworm-backports >/dev/null)
  rm -rf "$meson_dir.partial" && mkdir -p "$meson_dir.partial"
  dpkg-deb -x "$work"/meson_*.deb "$meson_dir.partial"
  rm -rf "$meson_dir" && mv "$meson_dir.partial" "$meson_dir"
fi
meson=("/usr/bin/python3" "$meson_dir/usr/bin/meson")
export PYTHONPATH="$meson_dir/usr/lib/python3/dist-packages"

log "building mediasoup-worker $version (a few minutes on 2 cores; cached afterwards)"
cp -r "$pkg/worker" "$work/worker"
# Each stand-in goes where its wrap file says the downloaded source would be, so Meson uses it as is.
for wrap in "$work"/worker/subprojects/*.wrap; do
  name=$(basename "$wrap" .wrap)
  dir=$(sed -n 's/^directory *= *//p' "$wrap")
  [ -d "$here/subprojects/$name" ] || continue
  rm -rf "$work/worker/subprojects/$dir"
  cp -r "$here/subprojects/$name" "$work/worker/subprojects/$dir"
done

# Fixes to mediasoup's own sources, each explained at the top of its patch file.
for patch_file in "$here"/patches/*.patch; do
  patch --quiet --directory="$work" --strip=1 --forward <"$patch_file" \
    || { echo "worker-build: $(basename "$patch_file") does not apply to mediasoup $version" >&2; exit 1; }
done

(
  cd "$work/worker"
  "${meson[@]}" setup --buildtype release -Db_ndebug=true --wrap-mode=nodownload build >"$work/setup.log" 2>&1 \
    || { tail -40 "$work/setup.log" >&2; exit 1; }
  "${meson[@]}" compile -C build mediasoup-worker >"$work/compile.log" 2>&1 \
    || { grep -m20 -B2 -A8 'error' "$work/compile.log" >&2; exit 1; }
)

mkdir -p "$out.partial"
cp "$work/worker/build/mediasoup-worker" "$out.partial/mediasoup-worker"
{
  echo "mediasoup $version"
  echo "os $ID $VERSION_ID"
  echo "$libs" | tr ';' '\n'
  echo "standins $standins"
  echo "built $(date -u +%FT%TZ)"
} >"$out.partial/BUILD-INFO"
rm -rf "$out" && mv "$out.partial" "$out"
log "worker cached at $bin"
echo "$bin"
