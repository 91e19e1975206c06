#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the link frame decoder (Tests/Fuzz/FrameDecoderFuzz.swift).
#
#   Tests/Fuzz/run.sh [seconds] [libFuzzer flags...]  fuzz for <seconds> (default 60)
#   Tests/Fuzz/run.sh --build                          build only
#   Tests/Fuzz/run.sh --reproduce <input>...           run inputs once on a debug build (readable trap messages)
#   Tests/Fuzz/run.sh --seeds                          rewrite Tests/Fuzz/corpus/seed-* with the real encoder
#
# Exit status: 0 nothing found; 1 the fuzzer found a crash, hang or OOM (the input is kept
# in Tests/Fuzz/crashes/, which ProtocolTests' FuzzRegressionTests replays); 2 build/setup error.
# --reproduce exits non-zero when an input traps.
#
# How it is built: SwiftPM builds StreamLyProtocol and its dependencies with
# -sanitize=fuzzer,address into the scratch path .build-fuzz (never .build), incrementally.
# A SwiftPM executable cannot be linked with -sanitize=fuzzer (libFuzzer has its own main),
# so the harness is compiled with swiftc against those modules and linked with the object
# files of every target in StreamLyProtocol's dependency closure, as listed by SwiftPM's
# build description (<bin>/description.json): no hard-coded module list.
#
# The committed seeds in Tests/Fuzz/corpus/ are only read; inputs the fuzzer discovers go to
# .build-fuzz/fuzz-corpus/ and are reused by later local runs.
#
# Environment: FUZZ_CONFIGURATION release (default, ~10x faster; preconditions stay on) or debug
#   (default for --reproduce: trap messages are printed), FUZZ_SCRATCH_PATH (default <repo>/.build-fuzz),
#   FUZZ_JOBS (swift build -j, default 1), FUZZ_TIMEOUT (seconds per input counted as a hang, default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
harness="$here/FrameDecoderFuzz.swift"   # frames.dict next to it is the libFuzzer dictionary
seeds="$here/corpus"
crashes="$here/crashes"
scratch="${FUZZ_SCRATCH_PATH:-$root/.build-fuzz}"
corpus="$scratch/fuzz-corpus"

fail() { echo "run.sh: error: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }

mode=fuzz seconds=60
case "${1:-}" in
  --build) mode=build; shift ;;
  --seeds) mode=seeds; shift ;;
  --reproduce) mode=reproduce; shift; (($#)) || fail "--reproduce needs input files" ;;
  -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}"; exit 0 ;;
  '') ;;
  *) [[ "$1" =~ ^[0-9]+$ ]] || fail "seconds must be a whole number, got '$1' (see --help)"
     seconds="$1"; shift ;;
esac
default_configuration=release; [[ "$mode" == reproduce ]] && default_configuration=debug
configuration="${FUZZ_CONFIGURATION:-$default_configuration}"
[[ "$configuration" == debug || "$configuration" == release ]] || fail "FUZZ_CONFIGURATION must be debug or release"
out="$scratch/fuzz-$configuration"
binary="$out/frame-decoder-fuzz"

command -v swift >/dev/null || fail "swift is not on PATH"
command -v python3 >/dev/null || fail "python3 is needed to read SwiftPM's build description"
mkdir -p "$out" "$corpus" "$crashes" "$seeds"

# --- 1. instrumented library build (incremental) --------------------------------------
swift_flags=(--package-path "$root" --scratch-path "$scratch" -c "$configuration" -j "${FUZZ_JOBS:-1}"
             -Xswiftc -sanitize=fuzzer,address)
start=$SECONDS
log "building StreamLyProtocol ($configuration, -sanitize=fuzzer,address) in $scratch"
if ! nice swift build "${swift_flags[@]}" --target StreamLyProtocol >"$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2
  fail "swift build of StreamLyProtocol failed (full log: $out/build.log)"
fi
bin_path="$(swift build "${swift_flags[@]}" --show-bin-path 2>/dev/null)" || fail "swift build --show-bin-path failed"

# --- 2. link inputs, from SwiftPM's build description -----------------------------------
# One argument per line: the -Xcc module-map/include flags StreamLyProtocol was compiled
# with (NIOCore's C modules), then the object files of StreamLyProtocol and its closure.
link_inputs="$(python3 - "$bin_path" StreamLyProtocol <<'PY'
import glob, json, os, sys
bin_path, root_target = sys.argv[1], sys.argv[2]
try:
    desc = json.load(open(os.path.join(bin_path, "description.json")))
    closure = [root_target] + desc["targetDependencyMap"][root_target]
    commands = {c["moduleName"]: c for key, c in desc["swiftCommands"].items() if not key.endswith("-tool.module")}
    args = commands[root_target]["otherArguments"]
except (OSError, KeyError, ValueError) as error:
    sys.exit(f"cannot read {bin_path}/description.json ({error!r}); has this SwiftPM version changed its layout?")
out = []
for i, arg in enumerate(args):  # "-Xcc -fmodule-map-file=…" and "-Xcc -I -Xcc <dir>"
    if arg == "-Xcc" and i + 1 < len(args) and (
            args[i + 1].startswith("-fmodule-map-file=") or args[i + 1] == "-I"
            or (i >= 2 and args[i - 1] == "-I" and args[i - 2] == "-Xcc")):
        out += [arg, args[i + 1]]
for target in closure:
    if target in commands and commands[target]["objects"]:
        objects = commands[target]["objects"]
    else:  # C targets: whatever clang produced in their build folder
        objects = sorted(glob.glob(os.path.join(bin_path, f"{target}.build", "**", "*.o"), recursive=True))
    missing = [o for o in objects if not os.path.exists(o)]
    if missing:
        sys.exit(f"object file {missing[0]} of {target} is missing; was the build interrupted?")
    out += objects
print("\n".join(out))
PY
)" || fail "could not work out the link inputs"
mapfile -t link_args <<<"$link_inputs"
objects=()
for arg in "${link_args[@]}"; do [[ "$arg" == *.o ]] && objects+=("$arg"); done
((${#objects[@]})) || fail "no object files found for StreamLyProtocol in $bin_path"

# --- 3. compile and link the harness when it or any object changed -----------------------
if [[ ! -x "$binary" ]] || [[ -n "$(find "$harness" "${BASH_SOURCE[0]}" "${objects[@]}" -newer "$binary" -print -quit)" ]]; then
  log "linking $binary (${#objects[@]} object files)"
  optimization=-Onone; [[ "$configuration" == release ]] && optimization=-O
  if ! swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -g "$optimization" \
      -module-name FrameDecoderFuzz -I "$bin_path/Modules" -module-cache-path "$bin_path/ModuleCache" \
      "${link_args[@]}" "$harness" -o "$binary.tmp" >"$out/link.log" 2>&1; then
    grep -v 'ld.gold: warning: Cannot export local symbol' "$out/link.log" >&2
    fail "compiling/linking the fuzz harness failed (full log: $out/link.log)"
  fi
  mv "$binary.tmp" "$binary"
fi
log "build ready in $((SECONDS - start))s: $binary"

# --- 4. run --------------------------------------------------------------------------------
symbolizer="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}"
[[ -z "$symbolizer" ]] && symbolizer="$(dirname "$(command -v swiftc)")/llvm-symbolizer"
export ASAN_SYMBOLIZER_PATH="$symbolizer"
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"  # leave crash reports to libFuzzer/ASan

case "$mode" in
  build) exit 0 ;;
  seeds)
    rm -f "$seeds"/seed-*
    FUZZ_WRITE_SEEDS="$seeds" "$binary" || fail "writing the seeds failed"
    log "wrote $(ls "$seeds" | wc -l) seed inputs to $seeds"
    exit 0 ;;
  reproduce)  # libFuzzer runs file arguments once each; stack traces demangled
    set +e
    "$binary" "$@" 2>&1 | swift demangle --simplified
    exit "${PIPESTATUS[0]}" ;;
esac

before="$(ls -A "$crashes")"
log "fuzzing for ${seconds}s: seeds $seeds, working corpus $corpus, findings go to $crashes/"
set +e
"$binary" "$corpus" "$seeds" \
  -max_len=4096 -rss_limit_mb=2048 -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" \
  -dict="$here/frames.dict" -artifact_prefix="$crashes/" -print_final_stats=1 "$@" 2>&1 | tee "$out/fuzz.log"
status=${PIPESTATUS[0]}
set -e

execs="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz.log" | tail -n 1)"
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -n 1)"
new="$(comm -13 <(echo "$before") <(ls -A "$crashes"))"
echo "run.sh: ${runs:-?} executions, ${execs:-?} exec/s ($configuration build; log: $out/fuzz.log)"
if [[ $status -ne 0 || -n "$new" ]]; then
  echo "run.sh: FAILED: the fuzzer exited with status $status." >&2
  if [[ -n "$new" ]]; then
    echo "run.sh: new inputs kept in $crashes/:" >&2
    sed 's/^/  /' <<<"$new" >&2
    echo "run.sh: see the trap message with: Tests/Fuzz/run.sh --reproduce Tests/Fuzz/crashes/<name>" >&2
  fi
  exit 1
fi
echo "run.sh: OK, no crash in ${seconds}s"
