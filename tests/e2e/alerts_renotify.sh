#!/usr/bin/env bash
# renotify: 100 exposures of one identifier within a sink's window are one alert and one
# summary; a credential among them alerts at once; kill -9 while the window is open
# loses nothing.
source "$(dirname "$0")/lib.sh"

lw init > /dev/null
printf 'zhang.wei.fold@icloud.com\nli.na.fold@icloud.com\n' | lw enroll --watchlist vip - > /dev/null
mkdir -p "$WORK/a" "$WORK/b"
for i in $(seq 1 50); do printf 'paste %d: zhang.wei.fold@icloud.com\n' "$i" > "$WORK/a/$i.txt"; done
for i in $(seq 51 99); do printf 'paste %d: zhang.wei.fold@icloud.com\n' "$i" > "$WORK/b/$i.txt"; done
printf 'zhang.wei.fold@icloud.com:Passw0rd!\n' > "$WORK/credential.txt"
printf 'li.na.fold@icloud.com\n' > "$WORK/other.txt"
# "soc" folds; "hang" blocks the run after soc's pass so that it can be killed there.
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "soc"
kind = "jsonl"
path = "$WORK/soc.jsonl"
renotify = "15s"
TOML
start=$(date +%s)
lw scan --source pastes "$WORK/a" > /dev/null 2>&1         # 50: one alert, 49 folded
lw scan --source creds "$WORK/credential.txt" > /dev/null 2>&1   # a credential: alerts at once
lw scan --source other "$WORK/other.txt" > /dev/null 2>&1   # another identifier: its own alert
[[ $(wc -l < "$WORK/soc.jsonl") -eq 3 ]] || fail "expected 3 alerts, got: $(cat "$WORK/soc.jsonl")"
[[ $(grep -c '"severity":"credential"' "$WORK/soc.jsonl") -eq 1 ]] || fail "the credential did not break through"

# The remaining 49 arrive while a run is killed -9 mid-delivery, the window still open.
cat >> "$DATA/config.toml" <<'TOML'

[[alert]]
name = "hang"
kind = "exec"
command = ["sleep", "60"]
timeout = "120s"
TOML
"$LW" --data "$DATA" scan --source more "$WORK/b" > /dev/null 2>&1 &
scan_pid=$!
for _ in $(seq 100); do
  [[ $(lw alerts pending | grep -c "^soc .*folded") -eq 98 ]] && break
  sleep 0.1
done
pkill -9 -P "$scan_pid" sleep 2>/dev/null || true
kill -9 "$scan_pid"
wait "$scan_pid" 2>/dev/null || true
lw alerts pending > "$WORK/pending.txt"
[[ $(grep -c "^soc .*folded" "$WORK/pending.txt") -eq 98 ]] || fail "folded after the crash: $(cat "$WORK/pending.txt")"
[[ $(wc -l < "$WORK/soc.jsonl") -eq 3 ]] || fail "nothing more is sent within the window"

# The window closes: one summary for the 98 (the first and the credential went alone).
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "soc"
kind = "jsonl"
path = "$WORK/soc.jsonl"
renotify = "15s"
TOML
now=$(date +%s)
(( now - start < 16 )) && sleep $(( 16 - (now - start) ))
lw alerts retry > "$WORK/retry.txt" || fail "retry: $(cat "$WORK/retry.txt")"
[[ $(wc -l < "$WORK/soc.jsonl") -eq 4 ]] || fail "expected the summary: $(tail -2 "$WORK/soc.jsonl")"
summary=$(tail -1 "$WORK/soc.jsonl")
python3 - "$summary" "$(head -1 "$WORK/soc.jsonl")" <<'PY' || fail "summary shape: $summary"
import json, sys
s, first = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert set(s) == {"event", "identifier_hash", "hint", "count", "sources", "first_seen", "last_seen", "severity"}, s
assert s["event"] == "exposure_summary" and s["count"] == 98, s
assert s["identifier_hash"] == first["identifier_hash"] and s["hint"] == first["hint"], (s, first)
assert s["sources"] == ["more", "pastes"], s
assert s["severity"] == "exposure", s
assert s["first_seen"] <= s["last_seen"], s
PY
[[ -z $(lw alerts pending) ]] || fail "pending after the summary: $(lw alerts pending)"
grep -q "zhang.wei.fold" "$WORK/soc.jsonl" && fail "plaintext identifier in an alert"
# A bad renotify is a configuration error naming the key.
printf '[[alert]]\nname = "x"\nkind = "jsonl"\npath = "-"\nrenotify = "soon"\n' > "$DATA/config.toml"
expect_exit 2 lw alerts pending 2> "$WORK/err.txt"
grep -q "config.toml:5: alert.renotify" "$WORK/err.txt" || fail "renotify error: $(cat "$WORK/err.txt")"
echo "alerts_renotify: ok"
