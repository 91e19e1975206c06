#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for every parser of outside bytes. Each target is a
# folder of Tests/Fuzz holding target.conf, its harness (*.swift), an optional libFuzzer
# dictionary `dict`, its seeds (corpus/) and the inputs it ever found (crashes/):
#   frames      the link frame decoder and the connection state machine (StreamLyProtocol)
#   sfu         STUN + ICE-lite, RTP, RTCP, SDP and the edge-to-edge relay (StreamLySFU)
#   edge-input  WebSocket client requests, REST JSON bodies, Range, tus headers, HLS paths,
#               playback tokens (the edge's parsers)
#
#   Tests/Fuzz/run.sh all [seconds]                  every target: replay, then fuzz <seconds> each (default 30)
#   Tests/Fuzz/run.sh <target> [seconds] [flags...]  fuzz one target for <seconds> (default 60)
#   Tests/Fuzz/run.sh <target> --build               build only
#   Tests/Fuzz/run.sh <target> --replay              run every seed and kept finding once (regression check)
#   Tests/Fuzz/run.sh <target> --reproduce <input>…  run inputs once on a debug build (readable trap messages)
#   Tests/Fuzz/run.sh <target> --seeds               rewrite <target>/corpus/seed-* (harnesses that write seeds)
#
# Exit status: 0 nothing found; 1 an input crashed, hung or ran out of memory (new findings are
# kept in <target>/crashes/, and every later run replays them first); 2 build/setup error.
#
# How it is built: SwiftPM builds the target's modules and their dependencies with
# -sanitize=fuzzer,address into the scratch path .build-fuzz (never .build), incrementally.
# A SwiftPM executable cannot be linked with -sanitize=fuzzer (libFuzzer has its own main),
# so the harness is compiled with swiftc against those modules, together with the plain
# source files target.conf lists (parsers of a target too heavy to build instrumented, such as
# the edge's), and linked with the object files of the modules' dependency closure as listed
# by SwiftPM's build description (<bin>/description.json): no hard-coded module list.
#
# target.conf is bash: `modules=(…)` SwiftPM targets to build and import; `sources=(…)` repo-
# relative Swift files compiled into the harness module; `link=(…)` linker flags for the system
# libraries of the closure (SwiftPM's description does not list them); `max_len=N` longest input.
#
# Seeds in <target>/corpus/ are only read; inputs the fuzzer discovers go to
# .build-fuzz/fuzz-corpus/<target>/ and are reused by later local runs.
#
# Environment: FUZZ_CONFIGURATION release (default, ~10x faster; preconditions stay on) or debug
#   (default for --reproduce: trap messages are printed), FUZZ_SCRATCH_PATH (default <repo>/.build-fuzz),
#   FUZZ_JOBS (swift build -j, default: every core), FUZZ_TIMEOUT (seconds per input counted as a hang, default 10),
#   FUZZ_SEED (libFuzzer -seed of `all`, default 1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scratch="${FUZZ_SCRATCH_PATH:-$root/.build-fuzz}"

fail() { echo "run.sh: error: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}"; }

targets() { for conf in "$here"/*/target.conf; do basename "$(dirname "$conf")"; done; }

target="${1:-}"
[[ -n "$target" ]] || { usage >&2; fail "name a target ($(targets | tr '\n' ' ')) or all"; }
shift
case "$target" in -h|--help) usage; exit 0 ;; esac

if [[ "$target" == all ]]; then
  seconds="${1:-30}"
  [[ "$seconds" =~ ^[0-9]+$ ]] || fail "seconds must be a whole number, got '$seconds'"
  status=0
  for name in $(targets); do
    "${BASH_SOURCE[0]}" "$name" --replay || status=$?
    # A fixed seed: a given commit makes the same mutations each run, so CI stays reproducible.
    if [[ $status -eq 0 && "$seconds" != 0 ]]; then "${BASH_SOURCE[0]}" "$name" "$seconds" -seed="${FUZZ_SEED:-1}" || status=$?; fi
    [[ $status -eq 0 ]] || exit "$status"
  done
  exit 0
fi

dir="$here/$target"
[[ -f "$dir/target.conf" ]] || fail "no target '$target' (targets: $(targets | tr '\n' ' '))"
modules=() sources=() link=() max_len=4096
# shellcheck disable=SC1091
. "$dir/target.conf"
((${#modules[@]})) || fail "$dir/target.conf names no modules"
seeds="$dir/corpus"
crashes="$dir/crashes"
corpus="$scratch/fuzz-corpus/$target"

mode=fuzz seconds=60
case "${1:-}" in
  --build) mode=build; shift ;;
  --seeds) mode=seeds; shift ;;
  --replay) mode=replay; shift ;;
  --reproduce) mode=reproduce; shift; (($#)) || fail "--reproduce needs input files" ;;
  '') ;;
  *) [[ "$1" =~ ^[0-9]+$ ]] || fail "seconds must be a whole number, got '$1' (see --help)"
     seconds="$1"; shift ;;
esac
default_configuration=release; [[ "$mode" == reproduce ]] && default_configuration=debug
configuration="${FUZZ_CONFIGURATION:-$default_configuration}"
[[ "$configuration" == debug || "$configuration" == release ]] || fail "FUZZ_CONFIGURATION must be debug or release"
out="$scratch/fuzz-$configuration"
binary="$out/$target-fuzz"

command -v swift >/dev/null || fail "swift is not on PATH"
command -v python3 >/dev/null || fail "python3 is needed to read SwiftPM's build description"
mkdir -p "$out" "$corpus" "$crashes" "$seeds"

# --- 1. instrumented library build (incremental) --------------------------------------
swift_flags=(--package-path "$root" --scratch-path "$scratch" -c "$configuration" -j "${FUZZ_JOBS:-$(nproc)}"
             -Xswiftc -sanitize=fuzzer,address)
start=$SECONDS
for module in "${modules[@]}"; do
  log "building $module ($configuration, -sanitize=fuzzer,address) in $scratch"
  if ! nice swift build "${swift_flags[@]}" --target "$module" >"$out/build-$target.log" 2>&1; then
    tail -n 40 "$out/build-$target.log" >&2
    fail "swift build of $module failed (full log: $out/build-$target.log)"
  fi
done
bin_path="$(swift build "${swift_flags[@]}" --show-bin-path 2>/dev/null)" || fail "swift build --show-bin-path failed"

# --- 2. link inputs, from SwiftPM's build description -----------------------------------
# One argument per line: the -Xcc module-map/include flags the modules were compiled with
# (their C dependencies), then the object files of the modules and their closure.
link_inputs="$(python3 - "$bin_path" "${modules[@]}" <<'PY'
import glob, json, os, sys
bin_path, roots = sys.argv[1], sys.argv[2:]
try:
    desc = json.load(open(os.path.join(bin_path, "description.json")))
    closure = []
    for root in roots:
        for target in [root] + desc["targetDependencyMap"][root]:
            if target not in closure:
                closure.append(target)
    commands = {c["moduleName"]: c for key, c in desc["swiftCommands"].items() if not key.endswith("-tool.module")}
    flags = [commands[root]["otherArguments"] for root in roots]
except (OSError, KeyError, ValueError) as error:
    sys.exit(f"cannot read {bin_path}/description.json ({error!r}); has this SwiftPM version changed its layout?")
out = []
for args in flags:
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
((${#objects[@]})) || fail "no object files found for ${modules[*]} in $bin_path"

# --- 3. compile and link the harness when it or any input changed -------------------------
harness=("$dir"/*.swift)
for source in "${sources[@]}"; do
  [[ -f "$root/$source" ]] || fail "$dir/target.conf lists $source, which does not exist"
  harness+=("$root/$source")
done
if [[ ! -x "$binary" ]] || [[ -n "$(find "${harness[@]}" "$dir/target.conf" "${BASH_SOURCE[0]}" "${objects[@]}" -newer "$binary" -print -quit)" ]]; then
  log "linking $binary (${#objects[@]} object files)"
  optimization=-Onone; [[ "$configuration" == release ]] && optimization=-O
  module_name="$(tr -c 'A-Za-z0-9\n' _ <<<"$target")Fuzz"
  if ! swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -g "$optimization" \
      -module-name "$module_name" -I "$bin_path/Modules" -module-cache-path "$bin_path/ModuleCache" \
      "${link_args[@]}" "${harness[@]}" "${link[@]}" -o "$binary.tmp" >"$out/link-$target.log" 2>&1; then
    grep -v 'ld.gold: warning: Cannot export local symbol' "$out/link-$target.log" >&2
    fail "compiling/linking the $target harness failed (full log: $out/link-$target.log)"
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
  replay)
    mapfile -t inputs < <(find "$seeds" "$crashes" -type f ! -name '.*' | sort)
    ((${#inputs[@]})) || fail "$target has no seeds in $seeds"
    set +e
    "$binary" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 "${inputs[@]}" >"$out/replay-$target.log" 2>&1
    status=$?
    set -e
    if [[ $status -ne 0 ]]; then
      swift demangle --simplified <"$out/replay-$target.log" | tail -n 40 >&2
      echo "run.sh: FAILED: a kept input of $target crashes again (log: $out/replay-$target.log)" >&2
      exit 1
    fi
    echo "run.sh: $target: ${#inputs[@]} seeds and kept findings replayed, none crashes"
    exit 0 ;;
esac

before="$(ls -A "$crashes")"
log "fuzzing $target for ${seconds}s: seeds $seeds, working corpus $corpus, findings go to $crashes/"
dict=(); [[ -f "$dir/dict" ]] && dict=(-dict="$dir/dict")
set +e
"$binary" "$corpus" "$seeds" "$crashes" \
  -max_len="$max_len" -rss_limit_mb=2048 -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" \
  "${dict[@]}" -artifact_prefix="$crashes/" -print_final_stats=1 "$@" 2>&1 | tee "$out/fuzz-$target.log"
status=${PIPESTATUS[0]}
set -e

execs="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz-$target.log" | tail -n 1)"
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-$target.log" | tail -n 1)"
new="$(comm -13 <(echo "$before") <(ls -A "$crashes"))"
echo "run.sh: $target: ${runs:-?} executions, ${execs:-?} exec/s ($configuration build; log: $out/fuzz-$target.log)"
if [[ $status -ne 0 || -n "$new" ]]; then
  echo "run.sh: FAILED: the $target fuzzer exited with status $status." >&2
  if [[ -n "$new" ]]; then
    echo "run.sh: new inputs kept in $crashes/:" >&2
    sed 's/^/  /' <<<"$new" >&2
    echo "run.sh: see the trap message with: Tests/Fuzz/run.sh $target --reproduce Tests/Fuzz/$target/crashes/<name>" >&2
  fi
  exit 1
fi
echo "run.sh: $target: OK, no crash in ${seconds}s"
