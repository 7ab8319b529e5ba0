#!/usr/bin/env bash
# crawl_kinds: the bundled Telegram channel preview and RSS feed (ops/samples/sites)
# served by the fixture server: one exposure per message or entry at its own URL, a reply's
# quote not counted, nothing matched twice, an edited message matched again, a hostile
# feed reported as the source's error, health changes (error, blocked by a challenge page,
# back to ok) alerted once each, a source missing its channel refused with exit 2.
source "$(dirname "$0")/lib.sh"
SAMPLES=$(cd "$(dirname "$0")/../../ops/samples" && pwd)
SITES=$WORK/sites
cp -r "$SAMPLES/sites" "$SITES"
serve "$SITES"

cat > "$WORK/config.toml" <<TOML
[crawl]
allow_private_addresses = true
per_host_delay = "0s"

[[source]]
name = "broker-channel"
kind = "telegram"
channel = "leak_broker_demo"
base_url = "$BASE/telegram"

[[source]]
name = "forum-rss"
kind = "feed"
url = "$BASE/feed/forum.rss"

[[source]]
name = "evil-rss"
kind = "feed"
url = "$BASE/feed/evil.rss"

[[source]]
name = "bomb-rss"
kind = "feed"
url = "$BASE/hostile/gzip-bomb"   # 100 KB of gzip inflating to 101 MiB
max_body = "1MiB"

[[source]]
name = "slow-page"
kind = "page"
url = "$BASE/slow?ms=3000"
every = "1000d"

[[alert]]
name = "log"
kind = "jsonl"
path = "$WORK/alerts.jsonl"
TOML
cat > "$SITES/feed/evil.rss" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<rss><channel><item><title>&c;</title></item></channel></rss>
XML
export LEAKWATCH_CONFIG=$WORK/config.toml
lw init > /dev/null
lw enroll --watchlist demo "$SAMPLES/watchlist.csv" > /dev/null

lw crawl --source broker-channel --source forum-rss --source evil-rss > "$WORK/crawl1.out" 2> "$WORK/crawl1.err" || fail "crawl: $(cat "$WORK/crawl1.out" "$WORK/crawl1.err")"
cat > "$WORK/want1.out" <<'OUT'
broker-channel: 5 items, 4 new exposures, 0 errors
forum-rss: 3 items, 3 new exposures, 0 errors
evil-rss: 0 items, 0 new exposures, 1 errors
crawled 3 sources: 8 items, 7 new exposures (demo: 7), 1 errors
OUT
diff -u "$WORK/want1.out" "$WORK/crawl1.out" || fail "crawl summary differs"
lw sources --format json | grep '"evil-rss"' | grep -q 'the feed declares XML entities' ||
  fail "the hostile feed's error: $(lw sources --format json)"
# A feed that inflates past max_body is cut there: the source's error, nothing else.
lw crawl --source bomb-rss > "$WORK/bomb.out" 2>&1 || fail "crawl of the bomb: $(cat "$WORK/bomb.out")"
lw sources --format json | grep '"bomb-rss"' | grep -q '"error":"[^"]*too-large' ||
  fail "the oversized feed's error: $(lw sources --format json | grep bomb-rss)"

lw exposures --format json | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(",".join([e["source"], e["severity"], e["hint"], e["location"].split("/", 3)[3]]))
' | sort > "$WORK/got.txt"
cat > "$WORK/want.txt" <<'TXT'
broker-channel,credential,z************o@icloud.com,telegram/leak_broker_demo/2
broker-channel,exposure,+86*********00,telegram/leak_broker_demo/2
broker-channel,exposure,c************o@qq.com,telegram/leak_broker_demo/5
broker-channel,exposure,l***********o@me.com,telegram/leak_broker_demo/4
forum-rss,credential,h************o@gmail.com,thread-3002-1-1.html
forum-rss,exposure,+86*********34,thread-3001-1-1.html
forum-rss,exposure,w************o@163.com,thread-3001-1-1.html
TXT
diff -u "$WORK/want.txt" "$WORK/got.txt" || fail "exposures differ"

# Again: nothing new is handed on, nothing is matched twice.
lw crawl --force > "$WORK/crawl2.out" 2>&1 || fail "second crawl"
grep -qx "broker-channel: 0 items, 0 new exposures, 0 errors" "$WORK/crawl2.out" || fail "second crawl: $(cat "$WORK/crawl2.out")"
grep -qx "forum-rss: 0 items, 0 new exposures, 0 errors" "$WORK/crawl2.out" || fail "second crawl: $(cat "$WORK/crawl2.out")"

# An edit: message 6 now holds a watched phone; only it is matched again.
sed -i 's/Selling 2M CN mobile numbers, DM for price/Selling 2M CN mobile numbers, e.g. 13800138000/' \
  "$SITES/telegram/s/leak_broker_demo"
lw crawl --force --source broker-channel > "$WORK/crawl3.out" 2>&1 || fail "third crawl"
grep -qx "broker-channel: 1 items, 1 new exposures, 0 errors" "$WORK/crawl3.out" || fail "edit: $(cat "$WORK/crawl3.out")"
# (Outputs go to files before grep -q: an early exit of grep must not fail the writer.)
lw exposures --format json > "$WORK/exposures3.json"
grep -q 'telegram/leak_broker_demo/6' "$WORK/exposures3.json" || fail "the edited message's exposure"

# Alerts: every exposure with "event":"exposure", and the hostile feeds' first health.
[[ $(grep -c '"event":"exposure"' "$WORK/alerts.jsonl") -eq 8 ]] || fail "exposure events: $(cat "$WORK/alerts.jsonl")"
grep '"source_health"' "$WORK/alerts.jsonl" | python3 -c '
import json, sys
events = [json.loads(l) for l in sys.stdin]
assert [(e["source"], e["previous"], e["health"]) for e in events] == [
    ("evil-rss", "never", "error"), ("bomb-rss", "never", "error")], events
assert "the feed declares XML entities" in events[0]["error"], events
assert "too-large" in events[1]["error"], events
' || fail "health events: $(grep source_health "$WORK/alerts.jsonl")"

# The channel turns into a Cloudflare challenge: blocked, alerted once, shown by sources.
cp "$SITES/telegram/s/leak_broker_demo" "$WORK/channel.html"
printf '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>' \
  > "$SITES/telegram/s/leak_broker_demo"
lw crawl --force --source broker-channel > /dev/null 2>&1 || fail "crawl of the challenged channel"
lw crawl --force --source broker-channel > /dev/null 2>&1 || fail "crawl of the challenged channel"
lw sources --format json | python3 -c '
import json, sys
health = {json.loads(l)["name"]: json.loads(l)["health"] for l in sys.stdin}
assert health == {"broker-channel": "blocked", "forum-rss": "ok", "evil-rss": "error", "bomb-rss": "error",
                  "slow-page": "ok"}, health
' || fail "health: $(lw sources --format json)"
lw sources > "$WORK/sources.txt"
grep -q "^broker-channel .* blocked " "$WORK/sources.txt" || fail "sources table: $(cat "$WORK/sources.txt")"
[[ $(grep -c '"health":"blocked"' "$WORK/alerts.jsonl") -eq 1 ]] || fail "blocked alerts: $(grep source_health "$WORK/alerts.jsonl")"
cp "$WORK/channel.html" "$SITES/telegram/s/leak_broker_demo"
lw crawl --force --source broker-channel > /dev/null 2>&1 || fail "crawl of the channel, back"
[[ $(lw sources --format json | grep -c '"health":"ok"') -eq 3 ]] || fail "back to ok: $(lw sources --format json)"
[[ $(grep -c '"previous":"blocked"' "$WORK/alerts.jsonl") -eq 1 ]] || fail "unblocked alert: $(grep source_health "$WORK/alerts.jsonl")"

# Metrics: Prometheus text, each sample line well-formed; health, exposures, outbox depth.
lw metrics > "$WORK/metrics.txt" || fail "metrics"
python3 - "$WORK/metrics.txt" <<'PY' || fail "metrics: $(cat "$WORK/metrics.txt")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
sample = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"\\]*",?)*\})? -?\d+$')
for l in lines:
    assert l.startswith("# HELP ") or l.startswith("# TYPE ") or sample.match(l), l
want = {
    'leakwatch_source_health{health="ok",source="broker-channel"} 1',
    'leakwatch_source_health{health="blocked",source="broker-channel"} 0',
    'leakwatch_source_health{health="error",source="evil-rss"} 1',
    'leakwatch_source_health{health="never",source="slow-page"} 0',
    'leakwatch_source_items_total{source="forum-rss"} 3',
    'leakwatch_source_errors_total{source="evil-rss"} 2',
    'leakwatch_exposures{severity="credential",watchlist="demo"} 2',
    'leakwatch_exposures{severity="exposure",watchlist="demo"} 6',
    'leakwatch_alert_outbox_depth{sink="log"} 0',
}
missing = want - set(lines)
assert not missing, missing
assert any(l.startswith("leakwatch_last_successful_crawl_age_seconds ") for l in lines)
assert not any('source_last_success_age_seconds{source="evil-rss"}' in l for l in lines)
PY

# While a crawl is running (a page that takes 3 s), metrics and sources still answer.
lw crawl --force --source slow-page > /dev/null 2>&1 &
crawler=$!
sleep 1
lw metrics > "$WORK/metrics2.txt" 2>&1 || fail "metrics during a crawl: $(cat "$WORK/metrics2.txt")"
grep -q '^leakwatch_source_health{health="ok",source="forum-rss"} 1$' "$WORK/metrics2.txt" || fail "metrics during a crawl: $(cat "$WORK/metrics2.txt")"
lw sources > /dev/null || fail "sources during a crawl"
wait "$crawler" || fail "the slow crawl"

# A telegram source without its channel is a configuration error naming the key.
printf '[[source]]\nname = "t"\nkind = "telegram"\n' > "$WORK/bad.toml"
LEAKWATCH_CONFIG=$WORK/bad.toml expect_exit 2 lw sources 2> "$WORK/bad.err"
grep -q "bad.toml:1: source.channel: a telegram source needs a channel" "$WORK/bad.err" || fail "bad config: $(cat "$WORK/bad.err")"
echo "crawl_kinds: ok"
