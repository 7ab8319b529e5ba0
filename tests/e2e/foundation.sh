#!/usr/bin/env bash
# init, enroll, history; plaintext never reaches disk; key and lock rules.
source "$(dirname "$0")/lib.sh"

lw init > "$WORK/init.out"
grep -q "Initialized leakwatch data directory" "$WORK/init.out" || fail "init message"
[[ $(stat -c %a "$DATA") == 700 ]] || fail "data dir mode $(stat -c %a "$DATA")"
[[ $(stat -c %a "$DATA/secret.key") == 600 ]] || fail "key mode"
[[ $(stat -c %s "$DATA/secret.key") == 32 ]] || fail "key size"
lw init | grep -q "Reinitialized" || fail "init is not idempotent"

cat > "$WORK/watch.txt" <<'IDS'
Zhang.Wei.Plaintext@iCloud.com,ceo
wang.fang.secret@qq.com
13912345678,cfo
+44 20 7946 0958
not-an-identifier
IDS
lw enroll --watchlist execs "$WORK/watch.txt" > "$WORK/enroll.out" 2> "$WORK/enroll.err"
grep -qx "enrolled 4 new, 0 already present, 1 rejected" "$WORK/enroll.out" || fail "summary: $(cat "$WORK/enroll.out")"
grep -q "watch.txt:5: rejected" "$WORK/enroll.err" || fail "reject line: $(cat "$WORK/enroll.err")"
grep -q "not-an-identifier" "$WORK/enroll.err" && fail "rejected identifier printed in clear"
lw enroll --watchlist execs - < "$WORK/watch.txt" 2>/dev/null | grep -qx "enrolled 0 new, 4 already present, 1 rejected" || fail "not idempotent"
printf 'identifier,label\nli.na@163.com,ops\n' | lw enroll --watchlist ops --kind email - | grep -qx "enrolled 1 new, 0 already present, 0 rejected" || fail "csv stdin"
lw watchlists --format json | grep -q '"name":"execs","size":4' || fail "watchlists json: $(lw watchlists --format json)"

# Plaintext identifiers never reach disk: not the store, its WAL, its LOG, nothing.
for needle in zhang.wei.plaintext Zhang.Wei.Plaintext wang.fang.secret 13912345678 "139 1234 5678" 2079460958 li.na@163.com; do
  if grep -rIaF -- "$needle" "$DATA" >/dev/null; then fail "plaintext '$needle' found under $DATA"; fi
done

# history: no exposures yet; identifiers in any spelling resolve.
lw history zhang.wei.plaintext@me.com | grep -q "no exposures" || fail "history"
lw history --format json 13912345678 > "$WORK/h.json"
[[ ! -s "$WORK/h.json" ]] || fail "history json not empty"
expect_exit 2 lw history
expect_exit 2 lw history --watchlist nosuch
expect_exit 2 lw history --since yesterday x@qq.com
expect_exit 2 lw enroll --watchlist x --kind bogus "$WORK/watch.txt"

# One writer at a time: 75 and one line when the store is held.
flock "$DATA/store.lock" sleep 3 &
sleep 0.5
set +e; lw enroll --watchlist execs "$WORK/watch.txt" > /dev/null 2> "$WORK/busy.err"; rc=$?; set -e
[[ $rc -eq 75 ]] || fail "busy exit $rc"
[[ $(wc -l < "$WORK/busy.err") -eq 1 ]] || fail "busy message is not one line"
grep -q "busy" "$WORK/busy.err" || fail "busy message"
lw watchlists > /dev/null || fail "reader blocked by writer"
wait
# ... and beside a real writer: a scan reading a stdin that stays open (a FIFO this script
# holds) keeps the store until the script writes its line and closes it.
mkfifo "$WORK/slow.fifo"
lw scan - < "$WORK/slow.fifo" > "$WORK/slow-scan.out" &
scan_pid=$!
exec 7> "$WORK/slow.fifo"
# Wait until the scan holds the store's lock, seen in /proc/locks (probing with flock
# could take the lock at the moment the scan tries it).
lock_inode=$(stat -c %i "$DATA/store.lock")
held() { grep -q ":$lock_inode " /proc/locks; }
for _ in $(seq 200); do held && break; sleep 0.1; done
held || fail "the scan does not hold the store"
lw watchlists --format json | grep -q '"name":"execs"' || fail "watchlists while a scan writes"
lw history wang.fang.secret@qq.com > /dev/null || fail "history while a scan writes"
lw exposures --format csv > /dev/null || fail "exposures while a scan writes"
expect_exit 75 lw enroll --watchlist execs "$WORK/watch.txt"
echo "wang.fang.secret@qq.com:pw1234" >&7
exec 7>&-
wait "$scan_pid"
grep -q "1 new exposures" "$WORK/slow-scan.out" || fail "slow scan: $(cat "$WORK/slow-scan.out")"

# The key: group-readable refused; another key refused.
chmod 640 "$DATA/secret.key"
expect_exit 2 lw history x@qq.com
chmod 600 "$DATA/secret.key"
cp "$DATA/secret.key" "$WORK/saved.key"
head -c 32 /dev/urandom > "$DATA/secret.key"
set +e; lw history x@qq.com 2> "$WORK/mismatch.err"; rc=$?; set -e
[[ $rc -eq 2 ]] || fail "key mismatch exit $rc"
grep -q "not the key this store was created with" "$WORK/mismatch.err" || fail "mismatch message"
cp "$WORK/saved.key" "$DATA/secret.key"

# A second host adopts the key: same hashes.
chmod 600 "$WORK/saved.key"
"$LW" --data "$WORK/host2" init --key-file "$WORK/saved.key" > /dev/null
[[ $(stat -c %a "$WORK/host2/secret.key") == 600 ]] || fail "adopted key mode"
echo wang.fang.secret@qq.com | "$LW" --data "$WORK/host2" hash - > "$WORK/h2"
echo wang.fang.secret@qq.com | lw hash - > "$WORK/h1"
cmp -s "$WORK/h1" "$WORK/h2" || fail "hashes differ across hosts sharing a key"
lw enroll --watchlist pre --prehashed "$WORK/h2" | grep -qx "enrolled 1 new, 0 already present, 0 rejected" || fail "prehashed"
chmod 644 "$WORK/saved.key"
expect_exit 2 "$LW" --data "$WORK/host3" init --key-file "$WORK/saved.key"

# unenroll
echo 13912345678 | lw unenroll --watchlist execs - | grep -qx "unenrolled 1, 0 not present, 0 rejected" || fail "unenroll"
lw watchlists --format json | grep -q '"name":"execs","size":3' || fail "size after unenroll"
echo "foundation: ok"
