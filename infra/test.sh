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
# The VOD integration tests transcode video (ffmpeg-heavy on every core): run them after the
# others, so timing-sensitive tests (Redis restart, WebSocket upgrades) do not starve. The HLS
# delivery tests (HLSIntegrationTests) transcode nothing and stay with the others.
swift test --skip-build --skip VODIntegrationTests
echo "== tests: video on demand end to end"
swift test --skip-build --filter VODIntegrationTests
