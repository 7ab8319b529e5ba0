#!/usr/bin/env bash
# alerts: kill -9 between recording and delivery loses nothing; nothing delivered is sent
# twice; `alerts pending` and `alerts retry`.
source "$(dirname "$0")/lib.sh"

lw init > /dev/null
printf 'zhang.wei.alert@icloud.com\n13800138000\n' | lw enroll --watchlist vip - > /dev/null
printf 'zhang.wei.alert@icloud.com:Passw0rd!\n+86 138 0013 8000\n' > "$WORK/dump.txt"

# A sink that hangs: the scan records both exposures, then blocks delivering them.
cat > "$DATA/config.toml" <<'TOML'
[[alert]]
name = "soc"
kind = "exec"
command = ["sleep", "60"]
timeout = "120s"
TOML
"$LW" --data "$DATA" scan "$WORK/dump.txt" > /dev/null 2>&1 &
scan_pid=$!
for _ in $(seq 100); do
  [[ $(lw exposures --format json | wc -l) -eq 2 ]] && break
  sleep 0.1
done
[[ $(lw exposures --format json | wc -l) -eq 2 ]] || fail "exposures not recorded"
sleep 0.5
pkill -9 -P "$scan_pid" sleep 2>/dev/null || true
kill -9 "$scan_pid"
wait "$scan_pid" 2>/dev/null || true

# The entries survived the crash, pending for "soc".
lw alerts pending > "$WORK/pending.txt"
[[ $(grep -c "^soc " "$WORK/pending.txt") -eq 2 ]] || fail "pending after crash: $(cat "$WORK/pending.txt")"

# The same sink, now working: everything arrives, once.
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "soc"
kind = "jsonl"
path = "$WORK/alerts.jsonl"
TOML
lw alerts retry | grep -qx "soc: 2 delivered, 0 waiting to retry, 0 failed" || fail "retry"
[[ $(wc -l < "$WORK/alerts.jsonl") -eq 2 ]] || fail "delivered lines"
[[ -z $(lw alerts pending) ]] || fail "pending not empty"
lw alerts retry > /dev/null
lw scan "$WORK/dump.txt" > /dev/null 2>&1
printf 'zhang.wei.alert@icloud.com\n' | lw scan - > /dev/null 2>&1   # new content: one more
[[ $(wc -l < "$WORK/alerts.jsonl") -eq 3 ]] || fail "expected 3 alert lines, got $(wc -l < "$WORK/alerts.jsonl")"
[[ $(cut -d, -f1 "$WORK/alerts.jsonl" | sort -u | wc -l) -eq 3 ]] || true
ids=$(grep -o '"id":"[0-9a-f]*"' "$WORK/alerts.jsonl" | sort | uniq -d)
[[ -z $ids ]] || fail "an alert was delivered twice: $ids"
grep -q "zhang.wei.alert" "$WORK/alerts.jsonl" && fail "plaintext identifier in an alert"
grep -q "Passw0rd" "$WORK/alerts.jsonl" && fail "password in an alert"

# A broken sink definition is a configuration error before anything is scanned.
printf '[[alert]]\nname = "x"\nkind = "jsonl"\n' > "$DATA/config.toml"
expect_exit 2 lw scan "$WORK/dump.txt"
lw alerts test x 2>/dev/null && fail "test of a broken sink"
printf '[[alert]]\nname = "x"\nkind = "jsonl"\npath = "%s"\n' "$WORK/t.jsonl" > "$DATA/config.toml"
lw alerts test x | grep -q "sent a test alert to x" || fail "alerts test"
grep -q '"test":true' "$WORK/t.jsonl" || fail "test payload"

# Breach day: a dump of more watched identifiers than a sink's bulk_threshold is one
# bulk_exposure event for it; `exposures --document` lists what the event stands for.
for i in $(seq 1 30); do printf 'breach.user%02d@qq.com\n' "$i"; done | lw enroll --watchlist customers - > /dev/null
for i in $(seq 1 30); do printf 'breach.user%02d@qq.com----a123456\n' "$i"; done > "$WORK/breach.txt"
printf '[[alert]]\nname = "soc"\nkind = "jsonl"\npath = "%s"\nbulk_threshold = 10\n' "$WORK/bulk.jsonl" > "$DATA/config.toml"
lw scan --source breach "$WORK/breach.txt" > /dev/null 2>&1
[[ $(wc -l < "$WORK/bulk.jsonl") -eq 1 ]] || fail "expected one bulk event, got: $(cat "$WORK/bulk.jsonl")"
grep -q '"event":"bulk_exposure"' "$WORK/bulk.jsonl" || fail "bulk event shape: $(cat "$WORK/bulk.jsonl")"
grep -q '"count":30' "$WORK/bulk.jsonl" || fail "bulk count"
grep -q '"by_severity":{"credential":30}' "$WORK/bulk.jsonl" || fail "bulk severities: $(cat "$WORK/bulk.jsonl")"
doc=$(grep -o '"document":"[0-9a-f]*"' "$WORK/bulk.jsonl" | cut -d'"' -f4)
[[ -n $doc ]] || fail "bulk event without a document"
[[ $(lw exposures --document "$doc" --format json | wc -l) -eq 30 ]] || fail "exposures --document"
[[ $(lw exposures --document 0000 --format json | wc -l) -eq 0 ]] || fail "exposures --document of another document"
grep -q "breach.user" "$WORK/bulk.jsonl" && fail "plaintext identifier in a bulk event"
echo "alerts: ok"
