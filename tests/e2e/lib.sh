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

# write_leak_dump: $WORK/watch.txt, ten watched identifiers with labels, and $WORK/dump,
# seven documents that hold nine of them in every leak format, compressed and archived
# (scan.sh has the exposures they make).
write_leak_dump() {
  local D=$WORK/dump
  cat > "$WORK/watch.txt" <<'IDS'
zhang.wei.e2e@icloud.com,a1
liu.yang.e2e@me.com,a2
13800138000,a3
+86 139 0013 9000,a4
chen.jing.e2e@qq.com,s1
wang.fang.e2e@163.com,s2
huang.lei.e2e@gmail.com,s3
zhao.min.e2e@outlook.com,s4
sun.li.e2e@sina.com,s5
qian.hao.e2e@foxmail.com,s6
IDS
  mkdir -p "$D/nested/deeper"
  # combo list with a password: credential; the Apple alias spelling: alias
  printf 'someone@qq.com:123456\nZhang.Wei.E2E@iCloud.com:Tr0ub4dor&3\nliu.yang.e2e@mac.com|hunter22\nxzhang.wei.e2e@icloud.com:nope\n' > "$D/combo.txt"
  # stealer log block: credential for the phone
  printf 'URL: https://appleid.apple.com\nUsername: +86 138 0013 8000\nPassword: S3cretPass!\n\n' > "$D/nested/stealer.log"
  # CSV of customers (phones in national form), gzip-compressed
  printf 'id,phone,city\n7,139-0013-9000,Shanghai\n8,13900139000123,Order\n' > "$WORK/customers.csv"
  gzip -c "$WORK/customers.csv" > "$D/customers.csv.gz"
  # SQL dump with quotes and escapes: the md5 next to the address is a password hash
  printf "INSERT INTO users VALUES (1,'chen.jing.e2e@qq.com','e10adc3949ba59abbe56e057f20f883e'),(2,'x\\\\n','y');\n" > "$WORK/dump.sql"
  # JSON export, obfuscated HTML and encodings, zipped together
  printf '{"user":{"email":"wang.fang.e2e [at] 163 [dot] com","name":"W"}}\n' > "$WORK/export.json"
  printf '<p>contact: huang.lei.e2e&#64;gmail.com</p>\n<p>%s</p>\n' "$(printf 'mail=zhao.min.e2e@outlook.com' | base64)" > "$WORK/page.html"
  (cd "$WORK" && zip -q "$D/nested/deeper/bundle.zip" dump.sql export.json page.html)
  # a hashed email (sha256 of a watched address) in a tarball
  printf 'hashes\n%s\n' "$(printf 'sun.li.e2e@sina.com' | sha256sum | cut -d' ' -f1)" > "$WORK/hashes.txt"
  tar -C "$WORK" -czf "$D/hashes.tar.gz" hashes.txt
}
