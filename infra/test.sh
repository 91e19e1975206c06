#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, starts the throwaway
# infrastructure, builds, replays every fuzz target's kept inputs and fuzzes each for a
# bounded time (Tests/Fuzz/run.sh all), runs the whole
# test suite, and stops the infrastructure again, also when something fails.
# Environment: FUZZ_SECONDS per fuzz target (default 30; 0 only replays the kept inputs);
# TEST_PROFILE the throwaway profile to use (default test; lane1..lane8 for parallel worktrees).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

infra/install.sh
profile="${TEST_PROFILE:-test}"
trap 'infra/down.sh --profile "$profile" || true' EXIT
infra/up.sh --profile "$profile"
# shellcheck disable=SC1091
. ".state/$profile/env.sh"

echo "== build"
swift build --build-tests
export STREAMLY_BIN_DIR="$(swift build --show-bin-path)"
built=$SECONDS

echo "== fuzz targets: replay kept inputs, then ${FUZZ_SECONDS:-30} s each"
Tests/Fuzz/run.sh all "${FUZZ_SECONDS:-30}"
fuzzed=$SECONDS

# swift-testing starts every test of a run at once unless told otherwise: on 2 cores hundreds of
# tests then start their origins, edges and clients together and the timing-sensitive ones
# (Redis restart, WebSocket upgrades, readiness waits) starve. A bounded width keeps each test's
# own time close to what it takes alone. The heavy suites run after the others, each phase on
# its own: the WebRTC tests (aiortc encodes and decodes video in Python), the link's flow-control
# tests (512 MiB bodies beside latency probes: they compare latency with and without the body),
# the cascade's call tests (several edges, four or five aiortc participants), the Chromium call
# tests (one headless browser at a time, encoding simulcast), the chat fault
# matrix (its own broker, Redis and PostgreSQL, killed and restarted), the VOD tests (ffmpeg on
# every core), the web app in Chromium (two browsers at a time) and the attack tests (they
# compare a client's latency during an attack with its latency without), and the regions
# phase (the link emulator's round trips, and infra/regions.sh's world of namespaces with its
# own PostgreSQL, broker, S3, two origins and three edges).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${TEST_WIDTH:-6}"
heavy=(CallIntegrationTests AiortcTransportTests FlowControlTests FaultMatrix VODIntegrationTests WebAppTests
  ListenerAttackTests NetemNamespaceTests RegionWorldTests)
skips=(); for suite in "${heavy[@]}"; do skips+=(--skip "$suite"); done
# Every phase runs, also after one failed, so one run tells everything; the run fails if
# any phase failed.
failed=(); timings=()
phase() {
  local name="$1"; shift
  local started=$SECONDS
  echo "== tests: $name"
  swift test --skip-build "$@" || failed+=("$name")
  timings+=("$(printf '%5d s  %s' $((SECONDS - started)) "$name")")
}
phase "all but the heavy suites" "${skips[@]}"
phase "calls with aiortc" --filter 'CallIntegrationTests|AiortcTransportTests' --skip ChromiumCallTests --skip CascadeCallTests \
  --skip DirectoryCascadeTests
# Two and three edges with 4–5 aiortc participants each: one suite at a time.
SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=1 phase "calls across edges (cascade: static peers, then the directory)" \
  --filter 'CascadeCallTests|DirectoryCascadeTests'
phase "calls with Chromium" --filter ChromiumCallTests
phase "the link's flow control beside large bodies" --filter FlowControlTests
phase "chat fault matrix" --filter FaultMatrix
phase "video on demand end to end" --filter VODIntegrationTests
phase "the web app in Chromium (screenshots in .state/artifacts/webapp)" --filter WebAppTests
phase "attacks on the listeners (slowloris, slow readers, connection floods)" --filter ListenerAttackTests
phase "the link emulator between network namespaces (round trips within 10%)" --filter NetemNamespaceTests
phase "three regions in network namespaces (infra/regions.sh): routing, probes, HLS per region, a call across them" --filter RegionWorldTests
printf '== times: install, infrastructure and build %d s; fuzz %d s; whole run so far %d s\n' "$built" $((fuzzed - built)) "$SECONDS"; printf '%s\n' "${timings[@]}"
if (( ${#failed[@]} )); then
  printf '== failed phases:\n'; printf '   %s\n' "${failed[@]}"
  exit 1
fi
