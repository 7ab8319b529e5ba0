# Shared helpers for the end-to-end tests. Each test: `source lib.sh`, then plain
# commands; `fail MSG` stops it with a message. $LW is the binary under test.
set -euo pipefail
LW=${LW:?set LW to the leakwatch binary}
WORK=$(mktemp -d /tmp/lw-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/data
fail() { echo "FAIL: $*" >&2; exit 1; }
lw() { "$LW" --data "$DATA" "$@"; }
# kill_at_random N COMMAND...: runs COMMAND N times, each killed with SIGKILL 0.1-0.9 s in
# (or left to finish when it is quicker), its output discarded. COMMAND must be a program,
# not a shell function: the kill must reach the process itself.
kill_at_random() {
  local times=$1 i pid
  shift
  for ((i = 0; i < times; i++)); do
    "$@" > /dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 9 + 1))"
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
}
# Runs a command expecting exit code $1.
expect_exit() {
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [[ $got -eq $want ]] || fail "expected exit $want, got $got: $*"
}
# serve ROOT: the fixture server on ROOT at a free loopback port, stopped at exit; sets
# SERVER (its pid) and BASE (http://127.0.0.1:PORT).
serve() {
  local server=${FIXTURE_SERVER:?set FIXTURE_SERVER to the leakwatch-fixture-server binary}
  "$server" --root "$1" --port-file "$WORK/port" > /dev/null 2>&1 &
  SERVER=$!
  trap 'kill "$SERVER" 2> /dev/null; wait "$SERVER" 2> /dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
  [[ -s $WORK/port ]] || fail "the fixture server did not start"
  BASE=http://127.0.0.1:$(cat "$WORK/port")
}
