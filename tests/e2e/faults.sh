#!/usr/bin/env bash
# Faults: kill -9 at random points of a scan, ten times, then finish: every exposure is
# recorded exactly once, every alert delivered at least once, the store opens cleanly.
# The same for a crawl of a local site. Then a full disk: a clear error, and nothing
# already stored is lost.
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

kill_at_random 10 "$LW" --data "$DATA" scan "$WORK/dump"
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

# The same for a crawl: 400 pastes behind 8 listing pages, 40 of them holding a watched
# identifier, served slowly enough that the kills land mid-crawl.
FIXTURE_SERVER=${FIXTURE_SERVER:?set FIXTURE_SERVER to leakwatch-fixture-server}
site=$WORK/site
mkdir -p "$site/list" "$site/raw"
head -n 40 "$WORK/planted.txt" > "$WORK/crawl-planted.txt"
awk -v dir="$site" -v planted="$WORK/crawl-planted.txt" 'BEGIN {
  n = 0; while ((getline line < planted) > 0) watched[n++] = line
  for (p = 1; p <= 8; p++) {
    f = dir "/list/page" p ".html"
    for (i = 0; i < 50; i++) printf "<a href=\"/view/P%dI%02d\">paste</a>\n", p, i > f
    if (p < 8) printf "<a href=\"/list/page%d.html\">next</a>\n", p + 1 > f
    close(f)
    for (i = 0; i < 50; i++) {
      g = sprintf("%s/raw/P%dI%02d.txt", dir, p, i)
      k = (p - 1) * 50 + i
      printf "paste %d\nfiller.%d@example-mail.com:pw%d\n", k, k, k > g
      if (k % 10 == 0) printf "%s:Passw0rd%d\n", watched[k / 10], k > g
      close(g) } } }'
serve "$site"
base=$BASE
cat > "$WORK/crawl.toml" <<TOML
[crawl]
allow_private_addresses = true
per_host_delay = "10ms"
concurrency = 4
per_host_concurrency = 4

[[source]]
name = "site"
kind = "listing"
url = "$base/list/page1.html"
item_pattern = '/view/(P\d+I\d+)\$'
item_url = '$base/raw/\1.txt'
next_pattern = '/list/page\d+\.html\$'
max_pages = 10

[[alert]]
name = "log"
kind = "jsonl"
path = "$WORK/crawl-alerts.jsonl"
TOML
"$LW" --data "$WORK/crawl-data" init > /dev/null
"$LW" --data "$WORK/crawl-data" enroll --watchlist big "$WORK/crawl-planted.txt" > /dev/null
cw() { "$LW" --data "$WORK/crawl-data" --config "$WORK/crawl.toml" "$@"; }
kill_at_random 10 "$LW" --data "$WORK/crawl-data" --config "$WORK/crawl.toml" crawl --force
cw crawl --force > "$WORK/crawl-final.out" 2>&1 || fail "final crawl: $(cat "$WORK/crawl-final.out")"
cw alerts retry > /dev/null || true
kill "$SERVER" 2>/dev/null || true
got=$(cw exposures --format json | wc -l)
unique=$(cw exposures --format json | grep -o '"id":"[0-9a-f]*"' | sort -u | wc -l)
[[ $got -eq 40 ]] || fail "crawl: expected 40 exposures, got $got"
[[ $unique -eq 40 ]] || fail "crawl: an exposure was recorded twice"
cw exposures --format json | grep -o '"id":"[0-9a-f]*"' | sort -u > "$WORK/crawl-ids"
grep -o '"id":"[0-9a-f]*"' "$WORK/crawl-alerts.jsonl" | sort -u > "$WORK/crawl-alerted"
[[ -z $(comm -23 "$WORK/crawl-ids" "$WORK/crawl-alerted") ]] || fail "crawl: exposures never alerted"
echo "faults: crawl killed x10: $got exposures once each, all alerted"

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
