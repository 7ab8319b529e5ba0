# shellcheck shell=bash disable=SC2034  # the variables set here are read by the callers
# Shared by ops/bench/enroll and ops/bench/scan; sourced, not run. Expects the caller to
# have set -euo pipefail and to be in the repository root.

# Benches build in their own Release tree, apart from the tests' build/: build-release/,
# or the tree of $LW when it is given as TREE/cli/leakwatch (GEN then defaults to that
# tree's leakwatch-gen, and only that tree is built).
LW=${LW:-build-release/cli/leakwatch}
if [[ $LW == */cli/leakwatch ]]; then BENCH_TREE=${LW%/cli/leakwatch}; else BENCH_TREE=build-release; fi
GEN=${GEN:-$BENCH_TREE/ops/bench/leakwatch-gen}
BENCH_SEED=${LW_BENCH_SEED:-1}

# build [EXTRA_PACKAGES]: installs what is missing (plus /usr/bin/time and the extras) and
# builds leakwatch and leakwatch-gen in Release in $BENCH_TREE. LW_BENCH_BUILD=0 skips this
# and uses the binaries at $LW and $GEN as they are.
build() {
  if [[ ${LW_BENCH_BUILD:-1} != 0 ]]; then
    local extra="${LEAKWATCH_SETUP_EXTRA:-} $*"
    [[ -x /usr/bin/time ]] || extra+=" time"
    LEAKWATCH_SETUP_EXTRA="$extra" ./ops/setup
    BUILD_TYPE=Release TARGETS="leakwatch leakwatch-gen" ./ops/build "$BENCH_TREE" >/dev/null
  fi
  local f
  for f in "$LW" "$GEN" /usr/bin/time; do
    [[ -x $f ]] || { echo "bench: $f is missing or not executable" >&2; exit 1; }
  done
}

# make_tmp: a scratch directory under ${TMPDIR:-/tmp}, removed when the script exits.
make_tmp() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakwatch-bench.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
}

# timed OUT CMD...: runs CMD with stdout to OUT (stderr to OUT.err when OUT is a file) and
# sets T_SEC (wall seconds, to the millisecond) and T_KIB (peak RSS in KiB; for a
# pipeline, of its largest process). A failing CMD ends the script with its stderr.
timed() {
  local out=$1 err=$tmp/timed.err start end
  shift
  if [[ $out != /dev/null ]]; then err=$out.err; fi
  start=$EPOCHREALTIME
  if ! /usr/bin/time -f '%M' -o "$tmp/timed" "$@" >"$out" 2>"$err"; then
    echo "bench: failed: $*" >&2
    tail -n 20 "$err" >&2
    exit 1
  fi
  end=$EPOCHREALTIME
  T_SEC=$(awk "BEGIN { printf \"%.3f\", ${end/,/.} - ${start/,/.} }")  # "," in some locales
  T_KIB=$(tail -n 1 "$tmp/timed")
}

# calc EXPR: floating-point arithmetic, printed with the format in CALC_FMT (default %.2f).
calc() { awk "BEGIN { printf \"${CALC_FMT:-%.2f}\", $1 }"; }

# verdict VALUE OP TARGET: sets VERDICT to "ok" or "MISSED" and counts the misses, for
# LW_BENCH_STRICT. Not in a subshell, or the count is lost.
misses=0
verdict() {
  if awk "BEGIN { exit !($1 $2 $3) }"; then
    VERDICT=ok
  else
    VERDICT=MISSED
    misses=$((misses + 1))
  fi
}
