#!/usr/bin/env bash
# crawl: a paste archive (raw rewrite), a JSON paste API and a two-page GBK broker listing
# served by the fixture server; the exact exposures; a second crawl fetches no item again;
# robots.txt is obeyed; private addresses are refused unless allowed; `sources` reports.
source "$(dirname "$0")/lib.sh"
SAMPLES=$(cd "$(dirname "$0")/../../ops/samples" && pwd)

# The sites are copied so that the test can publish a new paste later.
SITES=$WORK/sites
cp -r "$SAMPLES/sites" "$SITES"
serve "$SITES"
# Requests per path (without the query) that the server answered.
hits() { curl -fsS "$BASE/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get(sys.argv[1], 0))' "$1"; }

write_config() {  # $1: allow_private_addresses
  cat > "$WORK/config.toml" <<TOML
[crawl]
allow_private_addresses = $1
per_host_delay = "0s"
timeout = "10s"

[[source]]
name = "pastes"
kind = "listing"
url = "$BASE/pastes/archive.html"
item_pattern = '/pastes/view/([A-Za-z0-9]{8})\.html\$'
item_url = '$BASE/pastes/raw/\1.txt'

[[source]]
name = "paste-api"
kind = "json"
url = "$BASE/api/pastes.json"
item_field = "scrape_url"

[[source]]
name = "broker"
kind = "listing"
url = "$BASE/broker/index.gbk.html"
item_pattern = '/broker/item/\d+\.gbk\.html\$'
next_pattern = '/broker/page\d+\.gbk\.html\$'
max_pages = 5
every = "1h"
TOML
}
write_config true
export LEAKWATCH_CONFIG=$WORK/config.toml

lw init > /dev/null
lw enroll --watchlist demo "$SAMPLES/watchlist.csv" | grep -qx "enrolled 8 new, 0 already present, 0 rejected" || fail enroll

# Nothing has run yet.
lw sources | grep -q "^pastes .* never " || fail "sources before the first crawl: $(lw sources)"

lw crawl > "$WORK/crawl1.out" 2> "$WORK/crawl1.err" || fail "crawl: $(cat "$WORK/crawl1.out" "$WORK/crawl1.err")"
cat > "$WORK/want1.out" <<'OUT'
pastes: 3 items, 2 new exposures, 1 errors
paste-api: 3 items, 2 new exposures, 0 errors
broker: 3 items, 3 new exposures, 0 errors
crawled 3 sources: 9 items, 7 new exposures (demo: 7), 1 errors
OUT
diff -u "$WORK/want1.out" "$WORK/crawl1.out" || fail "crawl summary differs"
grep -q "pastes: item: robots-denied" "$WORK/crawl1.err" || fail "robots: $(cat "$WORK/crawl1.err")"
[[ $(hits /pastes/raw/HIDDEN01.txt) -eq 0 ]] || fail "a path disallowed by robots.txt was fetched"
[[ $(hits /robots.txt) -ge 1 ]] || fail "robots.txt was not read"
[[ $(hits /pastes/view/Xk3mP9qA.html) -eq 0 ]] || fail "the view page was fetched instead of the raw one"

# The exact set: source, severity, match, hint, location.
lw exposures --format json | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(",".join([e["source"], e["severity"], e["match"], e["hint"], e["location"].split("/", 3)[3]]))
' | sort > "$WORK/got.txt"
sort > "$WORK/want.txt" <<'WANT'
broker,exposure,exact,+86*********00,broker/item/1001.gbk.html
broker,exposure,exact,+86*********34,broker/item/1003.gbk.html
broker,exposure,exact,w************o@163.com,broker/item/1002.gbk.html
paste-api,credential,alias,l***********o@mac.com,api/items/Qw8eR5tY.txt
paste-api,exposure,hashed,sha256 of a watched email,api/items/Zx2cV6bN.txt
pastes,credential,exact,z************o@icloud.com,pastes/raw/Xk3mP9qA.txt
pastes,exposure,obfuscated,c************o@qq.com,pastes/raw/R7tYw2Lc.txt
WANT
diff -u "$WORK/want.txt" "$WORK/got.txt" || fail "exposures differ"

# A second crawl: nothing new, no item fetched again (listings answer 304).
before=$(curl -fsS "$BASE/__stats")
lw crawl --force > "$WORK/crawl2.out" 2> /dev/null
grep -qx "crawled 3 sources: 0 items, 0 new exposures, 0 errors" "$WORK/crawl2.out" || fail "recrawl: $(cat "$WORK/crawl2.out")"
after=$(curl -fsS "$BASE/__stats")
python3 - "$before" "$after" <<'PY' || fail "items fetched again"
import json, sys
before, after = (json.loads(a)["requests"] for a in sys.argv[1:3])
again = [p for p in after if ("/raw/" in p or "/items/" in p or "/item/" in p) and after[p] != before.get(p, 0)]
if again: sys.exit("fetched again: %s" % again)
PY
lw exposures --format csv | tail -n +2 | wc -l | grep -qx 7 || fail "exposure count changed"

# Not due yet without --force (every = 10m and 1h).
lw crawl > "$WORK/crawl3.out"
grep -q "^pastes: not due (next " "$WORK/crawl3.out" || fail "schedule: $(cat "$WORK/crawl3.out")"

# A new paste appears: only it is fetched; --fail-on-exposure exits 3.
printf 'fresh dump\n0086 137 0000 1234----pass1234\n' > "$SITES/pastes/raw/Jk8Lm2Np.txt"
sed -i 's|</table>|<tr><td><a href="view/Jk8Lm2Np.html">fresh</a></td></tr></table>|' "$SITES/pastes/archive.html"
touch -d '+2 seconds' "$SITES/pastes/archive.html"
set +e; lw crawl --source pastes --force --fail-on-exposure > "$WORK/crawl4.out" 2> /dev/null; rc=$?; set -e
[[ $rc -eq 3 ]] || fail "--fail-on-exposure exit $rc: $(cat "$WORK/crawl4.out")"
grep -qx "pastes: 1 items, 1 new exposures, 1 errors" "$WORK/crawl4.out" || fail "new paste: $(cat "$WORK/crawl4.out")"
[[ $(hits /pastes/raw/Xk3mP9qA.txt) -eq 1 ]] || fail "an old paste was fetched again"
[[ $(hits /pastes/archive.html) -eq 3 ]] || fail "archive fetches: $(hits /pastes/archive.html)"

# `sources` while nothing runs, and in JSON.
lw sources --format json > "$WORK/sources.json"
python3 - "$WORK/sources.json" <<'PY' || fail "sources json: $(cat "$WORK/sources.json")"
import json, sys
rows = {r["name"]: r for r in map(json.loads, open(sys.argv[1]))}
assert set(rows) == {"pastes", "paste-api", "broker"}, rows
assert all(r["outcome"] == "ok" for r in rows.values()), rows
assert rows["pastes"]["items_total"] == 4 and rows["broker"]["items_total"] == 3, rows
assert rows["broker"]["kind"] == "listing" and rows["broker"]["next_due"], rows
PY

# With the private-address guard on, the 127.0.0.1 sources fail; the crawl itself does not.
write_config false
lw crawl --force > "$WORK/crawl5.out" 2> "$WORK/crawl5.err" || fail "guarded crawl exit $?"
grep -q "^broker: 0 items, 0 new exposures, 1 errors" "$WORK/crawl5.out" || fail "guarded: $(cat "$WORK/crawl5.out")"
lw sources > "$WORK/sources.txt"
for s in pastes paste-api broker; do
  grep -E "^$s +(listing|json) .* error .*address-denied" "$WORK/sources.txt" > /dev/null || fail "$s: $(cat "$WORK/sources.txt")"
done

# Bad usage: an unknown source, a bad duration.
expect_exit 2 lw crawl --source nope
expect_exit 2 lw crawl --max-duration 10x

# No watched identifier, and no password beside one, reaches the disk.
for needle in zhang.wei.demo chen.jing.demo liu.yang.demo wang.fang.demo huang.lei.demo 13800138000 13700001234 Summer2024 hunter22; do
  if grep -rIaF -- "$needle" "$DATA" > /dev/null; then fail "'$needle' found under $DATA"; fi
done
echo "crawl: ok"
