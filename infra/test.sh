#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, starts the throwaway
# infrastructure, builds, replays every fuzz target's kept inputs and fuzzes each for a
# bounded time (Tests/Fuzz/run.sh all), runs the whole
# test suite, and stops the infrastructure again, also when something fails.
# Environment: FUZZ_SECONDS per fuzz target (default 30; 0 only replays the kept inputs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

infra/install.sh
trap 'infra/down.sh --profile test || true' EXIT
infra/up.sh --profile test
# shellcheck disable=SC1091
. .state/test/env.sh

echo "== build"
swift build --build-tests
export STREAMLY_BIN_DIR="$(swift build --show-bin-path)"

echo "== fuzz targets: replay kept inputs, then ${FUZZ_SECONDS:-30} s each"
Tests/Fuzz/run.sh all "${FUZZ_SECONDS:-30}"

echo "== tests"
# The heavy suites run after the others, each phase on its own, so that timing-sensitive tests
# (Redis restart, WebSocket upgrades, readiness waits) do not starve on 2 cores: the WebRTC
# tests (aiortc encodes and decodes video in Python), the chat fault matrix (its own broker,
# Redis and PostgreSQL, killed and restarted), the VOD tests (ffmpeg on every core) and the
# attack tests (they compare a client's latency during an attack with its latency without).
heavy=(CallIntegrationTests AiortcTransportTests FaultMatrix VODIntegrationTests ListenerAttackTests)
skips=(); for suite in "${heavy[@]}"; do skips+=(--skip "$suite"); done
swift test --skip-build "${skips[@]}"
echo "== tests: calls with real WebRTC peers"
swift test --skip-build --filter 'CallIntegrationTests|AiortcTransportTests'
echo "== tests: chat fault matrix"
swift test --skip-build --filter FaultMatrix
echo "== tests: video on demand end to end"
swift test --skip-build --filter VODIntegrationTests
echo "== tests: attacks on the listeners (slowloris, connection floods)"
swift test --skip-build --filter ListenerAttackTests
