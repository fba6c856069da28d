#!/usr/bin/env bash
# `npm run bench [-- --quick]`: the forwarding benchmark, then the E2EE one, join storms and the meeting client, with the same options.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/node bench/src/main.ts "$@"
scripts/node bench/src/e2ee/e2ee-main.ts "$@"
scripts/node bench/src/join-storm/join-storm-main.ts "$@"
scripts/node bench/src/meeting-client/meeting-client-main.ts "$@"
