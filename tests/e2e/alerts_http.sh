#!/usr/bin/env bash
# Webhook formats against the fixture server's recording endpoint: Splunk HEC (envelope,
# Authorization: Splunk <token>), ECS, and signatures X-Leakwatch-Signature:
# t=UNIXTIME,v1=HEX checked by the README's verifiers (ops/alerts/verify-signature.*):
# a fresh one passes, an old one and a tampered body are rejected.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$WORK/www"
serve "$WORK/www"
base=$BASE

lw init > /dev/null
printf 'zhang.wei.hec@icloud.com\n' | lw enroll --watchlist vip - > /dev/null
printf 'zhang.wei.hec@icloud.com:Passw0rd!\n' > "$WORK/dump.txt"
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "splunk"
kind = "webhook"
url = "$base/__collect/services/collector/event"
format = "splunk_hec"
token_env = "LW_TEST_HEC_TOKEN"

[[alert]]
name = "elastic"
kind = "webhook"
url = "$base/__collect/leakwatch-alerts/_doc"
format = "ecs"
token_env = "LW_TEST_ES_KEY"

[[alert]]
name = "hook"
kind = "webhook"
url = "$base/__collect/hook"
secret_env = "LEAKWATCH_WEBHOOK_SECRET"
TOML
export LEAKWATCH_WEBHOOK_SECRET=whsec-test-0123
export LW_TEST_ES_KEY=
# Without the token the HEC sink waits, naming the variable.
lw scan "$WORK/dump.txt" > /dev/null 2>&1
lw alerts pending | grep -q "^splunk .*LW_TEST_HEC_TOKEN" || fail "missing token not reported: $(lw alerts pending)"
export LW_TEST_ES_KEY=es-key-7
LW_TEST_HEC_TOKEN=hec-token-42 lw alerts retry > /dev/null || fail "retry with the token"
LW_TEST_HEC_TOKEN=hec-token-42 lw alerts test hook > /dev/null || fail "alerts test"
curl -sf "$base/__collected" > "$WORK/collected.json"
lw exposures --format json > "$WORK/exposures.jsonl"

# Splunk and Elastic shapes.
python3 - "$WORK/collected.json" "$WORK/exposures.jsonl" <<'PY' || fail "HEC/ECS shapes"
import json, sys
reqs = json.load(open(sys.argv[1]))
exposure = dict(json.loads(open(sys.argv[2]).readline()), event="exposure")  # an alert is the record and its event
by = {}
for r in reqs:
    by.setdefault(r["path"], []).append(r)
hec = by["/__collect/services/collector/event"]
assert len(hec) == 1, hec
assert hec[0]["headers"]["Authorization"] == "Splunk hec-token-42", hec[0]["headers"]
assert hec[0]["headers"]["Content-Type"] == "application/json"
env = json.loads(hec[0]["body"])
assert set(env) == {"time", "host", "source", "sourcetype", "event"}, env
assert isinstance(env["time"], int) and env["host"] and env["source"] == "leakwatch", env
assert env["sourcetype"] == "leakwatch:exposure", env
assert env["event"] == exposure, (env["event"], exposure)
ecs = [json.loads(r["body"]) for r in by["/__collect/leakwatch-alerts/_doc"]]
assert len(ecs) == 1
d = ecs[0]
assert d["@timestamp"] == exposure["first_seen"], d
assert d["event"]["kind"] == "alert" and d["event"]["category"] == ["threat"], d
assert d["event"]["severity"] == 73 and d["event"]["id"] == exposure["id"], d
assert d["file"]["path"] == exposure["location"], d
assert d["leakwatch"] == exposure and d["tags"] == ["vip"], d
assert by["/__collect/leakwatch-alerts/_doc"][0]["headers"]["Authorization"] == "ApiKey es-key-7"
hook = by["/__collect/hook"]
assert len(hook) == 2 and json.loads(hook[1]["body"])["test"] is True, hook
for i, r in enumerate(hook):
    open(sys.argv[1] + ".body%d" % i, "wb").write(r["body"].encode())
    open(sys.argv[1] + ".sig%d" % i, "w").write(r["headers"]["X-Leakwatch-Signature"])
print("ok")
PY
grep -q "zhang.wei.hec\|Passw0rd" "$WORK/collected.json" && fail "plaintext identifier or password sent"

# Signatures: the documented verifiers accept what leakwatch sent (the exposure and the
# `alerts test` request) ...
for i in 0 1; do
  sig=$(cat "$WORK/collected.json.sig$i")
  [[ $sig =~ ^t=[0-9]+,v1=[0-9a-f]{64}$ ]] || fail "header shape: $sig"
  python3 "$root/ops/alerts/verify-signature.py" "$sig" < "$WORK/collected.json.body$i" || fail "python verifier rejects $i"
  sh "$root/ops/alerts/verify-signature.sh" "$sig" "$WORK/collected.json.body$i" || fail "shell verifier rejects $i"
done
# ... reject a tampered body and another secret ...
printf 'x' >> "$WORK/collected.json.body0"
sig=$(cat "$WORK/collected.json.sig0")
python3 "$root/ops/alerts/verify-signature.py" "$sig" < "$WORK/collected.json.body0" && fail "python: tampered body"
sh "$root/ops/alerts/verify-signature.sh" "$sig" "$WORK/collected.json.body0" 2> /dev/null && fail "shell: tampered body"
LEAKWATCH_WEBHOOK_SECRET=other python3 "$root/ops/alerts/verify-signature.py" "$sig" < "$WORK/collected.json.body1" &&
  fail "python: another secret"
# ... and a replay: a request signed correctly ten minutes ago.
old=$(( $(date +%s) - 600 ))
mac=$( { printf '%s.' "$old"; cat "$WORK/collected.json.body1"; } | openssl dgst -sha256 -hmac "$LEAKWATCH_WEBHOOK_SECRET" -r | cut -d' ' -f1)
python3 "$root/ops/alerts/verify-signature.py" "t=$old,v1=$mac" < "$WORK/collected.json.body1" && fail "python: replay accepted"
sh "$root/ops/alerts/verify-signature.sh" "t=$old,v1=$mac" "$WORK/collected.json.body1" 2> /dev/null && fail "shell: replay accepted"
sh "$root/ops/alerts/verify-signature.sh" "t=$old,v1=$mac" "$WORK/collected.json.body1" 900 || fail "shell: tolerance"

# The example configurations in ops/alerts are valid.
for example in "$root"/ops/alerts/*.toml; do
  "$LW" --data "$DATA" --config "$example" alerts pending > /dev/null || fail "example $example"
done
echo "alerts_http: ok"
