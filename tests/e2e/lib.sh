# Shared helpers for the end-to-end tests. Each test: `source lib.sh`, then plain
# commands; `fail MSG` stops it with a message. $LW is the binary under test.
set -euo pipefail
LW=${LW:?set LW to the leakwatch binary}
WORK=$(mktemp -d /tmp/lw-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/data
fail() { echo "FAIL: $*" >&2; exit 1; }
lw() { "$LW" --data "$DATA" "$@"; }
# Runs a command expecting exit code $1.
expect_exit() {
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [[ $got -eq $want ]] || fail "expected exit $want, got $got: $*"
}
