# shellcheck shell=bash disable=SC2034  # the variables set here are read by the callers
# Shared by the scripts in ops/bench; sourced, not run. Expects the caller to
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

# fresh_copy SRC DST: DST becomes a copy of the store directory SRC, written back to disk
# before it returns, so that the writeback of a multi-GiB copy does not run during the
# timed command that follows (it took a core from the scan and made runs differ by 40 %).
fresh_copy() {
  rm -rf "$2"
  cp -a "$1" "$2"
  sync
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

# hint(IDENTIFIER), in awk: the hint the contract prescribes, first and last character of
# the local part or +86 and the last two digits, with runs of stars as one and me.com and
# mac.com as icloud.com (the exposures' hints are normalized the same way).
hint_awk='function hint(id,  p, l, h, d) {
    if (index(id, "@")) { split(id, p, "@"); l = p[1];
      h = (length(l) <= 2 ? (length(l) == 2 ? substr(l, 1, 1) "*" : "*") : substr(l, 1, 1) "*" substr(l, length(l), 1)) "@" p[2] }
    else { d = id; gsub(/[^0-9]/, "", d); h = "+86*" substr(d, length(d) - 1) }
    sub(/@(me|mac)\.com$/, "@icloud.com", h); return tolower(h) }
  function field(line, key,  v) {
    if (!match(line, "\"" key "\"[ \t]*:[ \t]*\"[^\"]*\"")) return ""
    v = substr(line, RSTART, RLENGTH); sub(/"$/, "", v); sub(/.*"/, "", v); return v }'

# check_exposures DATA: compares the exposures recorded by a scan with the planted
# identifiers listed in $planted ($planted_count of them), and their severities with the
# expected ones in $severity; sets found, severity_ok and check_status.
check_exposures() {
  "$LW" --data "$1" exposures --format json >"$tmp/exposures.jsonl"
  found=$(grep -c . "$tmp/exposures.jsonl" || true)
  # Cross-check by hint (see hint_awk).
  awk "$hint_awk"'{ h = field($0, "hint"); gsub(/\*+/, "*", h); sub(/@(me|mac)\.com$/, "@icloud.com", h)
      print tolower(h) "\t" field($0, "severity") }' "$tmp/exposures.jsonl" | LC_ALL=C sort >"$tmp/severity.got"
  cut -f1 "$tmp/severity.got" >"$tmp/hints.got"
  awk "$hint_awk"'{ print hint($0) }' "$planted" | LC_ALL=C sort >"$tmp/hints.want"
  hint_matched=$(LC_ALL=C comm -12 "$tmp/hints.got" "$tmp/hints.want" | wc -l)
  echo "found $found of $planted_count planted ($hint_matched matched by hint)"
  check_status=0
  if ((found < planted_count)); then
    echo "bench: $((planted_count - found)) planted identifiers were not found" >&2
    check_status=1
  elif ((found > planted_count)); then
    echo "bench: $((found - planted_count)) exposures beyond the planted ones: false positives?" >&2
  fi
  if ((hint_matched < planted_count)); then
    echo "bench: hints of $((planted_count - hint_matched)) planted identifiers not among the exposures, e.g.:" >&2
    LC_ALL=C comm -13 "$tmp/hints.got" "$tmp/hints.want" | head -n 5 | sed 's/^/  /' >&2
    if [[ ${LW_BENCH_STRICT:-0} != 0 ]]; then check_status=1; fi
  fi

  # Severity: the (hint, severity) pairs of the exposures against those of the planted
  # identifiers, as multisets (hints may collide).
  awk -F'\t' "$hint_awk"'{ print hint($1) "\t" $2 }' "$severity" | LC_ALL=C sort >"$tmp/severity.want"
  LC_ALL=C comm -12 "$tmp/severity.got" "$tmp/severity.want" >"$tmp/severity.ok"
  severity_ok=$(wc -l <"$tmp/severity.ok")
  local want_total want_cred ok_cred mismatched
  want_total=$(wc -l <"$tmp/severity.want")
  want_cred=$(grep -c $'\tcredential$' "$tmp/severity.want" || true)
  ok_cred=$(grep -c $'\tcredential$' "$tmp/severity.ok" || true)
  mismatched=$((want_total - severity_ok))
  echo "   severity: $severity_ok of $want_total planted as expected ($ok_cred of $want_cred credential," \
    "$((severity_ok - ok_cred)) of $((want_total - want_cred)) exposure)"
  if ((mismatched > 0)); then
    # Pair each unmatched expectation with an unmatched exposure of the same hint, if any.
    LC_ALL=C comm -23 "$tmp/severity.got" "$tmp/severity.want" >"$tmp/severity.extra"
    LC_ALL=C comm -13 "$tmp/severity.got" "$tmp/severity.want" |
      awk -F'\t' 'NR == FNR { n[$1]++; got[$1, n[$1]] = $2; next }
        { g = ($1 in n && used[$1] < n[$1]) ? got[$1, ++used[$1]] : "not found"; print $1 "\t" $2 "\t" g }' \
        "$tmp/severity.extra" - >"$tmp/severity.mismatched"
    echo "bench: $mismatched planted identifiers without the expected severity:" >&2
    cut -f2,3 "$tmp/severity.mismatched" | LC_ALL=C sort | uniq -c |
      awk '{ printf "  %d expected %s, got %s\n", $1, $2, $3 " " $4 }' | sed 's/ *$//' >&2
    echo "  e.g.:" >&2
    head -n 5 "$tmp/severity.mismatched" | awk -F'\t' '{ printf "  %s: expected %s, got %s\n", $1, $2, $3 }' >&2
    if ((mismatched * 100 > want_total)) || [[ ${LW_BENCH_STRICT:-0} != 0 ]]; then check_status=1; fi
  fi
  return 0
}
