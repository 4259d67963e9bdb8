#!/usr/bin/env bash
# CI for the studio (web/): the committed bundle is what the sources build,
# then the browser tests against the real `decree serve` in headless Chromium.
# Called from .ci/run; runs anywhere from the repository.
set -euo pipefail
cd "$(dirname "$0")"

# Debian's Chromium, driven by playwright-core (no browser download).
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
# A Chinese system font, so the screenshots show characters, not boxes (the
# tests read text, not pixels; the studio uses system fonts only).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt-get install -y -qq fonts-wqy-microhei || true
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

npm ci --no-audit --no-fund --prefer-offline
npm run check:bundle

# The server under test: DECREE_BIN, or a fresh debug build of the repository
# (the build embeds web/dist, checked above).
if [ -z "${DECREE_BIN:-}" ]; then
  # build.rs makes cargo rebuild when web/dist changes, so a cached target
  # dir cannot keep an old bundle.
  (cd .. && cargo build --locked --bin decree)
  target=$(cd .. && cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).target_directory)}catch{}})')
  DECREE_BIN="${target:-${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}}/debug/decree"
  export DECREE_BIN
fi
node --test --test-concurrency=1 test/
