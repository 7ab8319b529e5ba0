#!/usr/bin/env bash
# Faults: kill -9 at random points of a scan, ten times, then finish: every exposure is
# recorded exactly once, every alert delivered at least once, the store opens cleanly.
# Then a full disk: a clear error, and nothing already stored is lost.
source "$(dirname "$0")/lib.sh"
GEN=${GEN:?set GEN to leakwatch-gen}

lw init > /dev/null
"$GEN" watchlist --count 20000 --seed 7 > "$WORK/watch.txt"
lw enroll --watchlist big "$WORK/watch.txt" > /dev/null
"$GEN" corpus --size 60MiB --watchlist "$WORK/watch.txt" --plant 300 --seed 7 --planted "$WORK/planted.txt" > "$WORK/corpus.txt"
mkdir "$WORK/dump"
(cd "$WORK/dump" && split -n l/12 -d "$WORK/corpus.txt" part-)
rm "$WORK/corpus.txt"
planted=$(wc -l < "$WORK/planted.txt")
printf '[[alert]]\nname = "log"\nkind = "jsonl"\npath = "%s"\n' "$WORK/alerts.jsonl" > "$DATA/config.toml"

for i in $(seq 10); do
  "$LW" --data "$DATA" scan "$WORK/dump" > /dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
lw scan "$WORK/dump" > "$WORK/final.out" 2>&1 || fail "final scan: $(cat "$WORK/final.out")"
lw alerts retry > /dev/null || true

got=$(lw exposures --format json | wc -l)
unique=$(lw exposures --format json | grep -o '"id":"[0-9a-f]*"' | sort -u | wc -l)
[[ $got -eq $planted ]] || fail "expected $planted exposures, got $got"
[[ $unique -eq $got ]] || fail "an exposure was recorded twice"
lw exposures --format json | grep -o '"id":"[0-9a-f]*"' | sort -u > "$WORK/ids"
grep -o '"id":"[0-9a-f]*"' "$WORK/alerts.jsonl" | sort -u > "$WORK/alerted"
missing=$(comm -23 "$WORK/ids" "$WORK/alerted" | wc -l)
[[ $missing -eq 0 ]] || fail "$missing exposures never alerted"
[[ -z $(lw alerts pending) ]] || fail "alerts still pending"
echo "faults: kill -9 x10: $got exposures once each, all alerted ($(wc -l < "$WORK/alerts.jsonl") deliveries)"

# A full disk: enrollment fails with a clear error; what was stored survives.
small=$WORK/small
mkdir "$small"
if mount -t tmpfs -o size=6m tmpfs "$small" 2>/dev/null; then
  trap 'umount "$small" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  "$LW" --data "$small/data" init > /dev/null
  printf 'first.entry@qq.com\n' | "$LW" --data "$small/data" enroll --watchlist w - > /dev/null
  dd if=/dev/zero of="$small/filler" bs=64k 2>/dev/null || true   # fill it up
  set +e
  "$LW" --data "$small/data" enroll --watchlist w "$WORK/watch.txt" > /dev/null 2> "$WORK/full.err"
  rc=$?
  set -e
  [[ $rc -eq 1 ]] || fail "disk full: exit $rc"
  grep -qi "no space" "$WORK/full.err" || fail "disk full message: $(cat "$WORK/full.err")"
  [[ $(wc -l < "$WORK/full.err") -le 3 ]] || fail "disk full: too chatty"
  rm -f "$small/filler"
  "$LW" --data "$small/data" watchlists --format json | grep -q '"size":1' || fail "store after disk full"
  printf 'first.entry@qq.com\n' | "$LW" --data "$small/data" scan - | grep -q "1 new exposures" || fail "matching after disk full"
  umount "$small"
  echo "faults: disk full: clear error, store intact"
else
  echo "faults: skipping the disk-full check (cannot mount a tmpfs here)"
fi
echo "faults: ok"
