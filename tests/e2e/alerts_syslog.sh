#!/usr/bin/env bash
# syslog sinks against a real rsyslog on loopback: RFC 5424 over UDP, TCP (octet
# counting) and TLS (a test CA made here; an unknown CA and a wrong name refused), in json
# and CEF; the CEF read back by a strict reference parser (cef_strict.py).
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
command -v rsyslogd > /dev/null || fail "rsyslogd is not installed (ops/setup installs rsyslog)"
[[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so || -n $(find /usr/lib -name 'lmnsd_ossl.so' 2>/dev/null) ]] ||
  fail "rsyslog's TLS driver is not installed (rsyslog-openssl)"

# A test CA and a server certificate for localhost / 127.0.0.1.
pki=$WORK/pki
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 2 \
  -subj "/CN=leakwatch test CA" 2> /dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" -subj "/CN=localhost" 2> /dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$pki/ext.cnf"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
  -out "$pki/server.pem" -days 2 -extfile "$pki/ext.cnf" 2> /dev/null

# A second certificate from the same CA for another name: its server is refused.
openssl req -newkey rsa:2048 -nodes -keyout "$pki/other.key" -out "$pki/other.csr" -subj "/CN=other.example" 2> /dev/null
printf 'subjectAltName=DNS:other.example\n' > "$pki/other.cnf"
openssl x509 -req -in "$pki/other.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
  -out "$pki/other.pem" -days 2 -extfile "$pki/other.cnf" 2> /dev/null

read -r udp tcp tls tls_other < <(python3 -c '
import socket
ports = []
for _ in range(4):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)')
rs=$WORK/rsyslog
mkdir -p "$rs"
cat > "$rs/rsyslog.conf" <<CONF
global(workDirectory="$rs")
module(load="imudp")
module(load="imtcp")
template(name="fields" type="string"
         string="%msgid%\t%app-name%\t%syslogfacility%\t%syslogseverity%\t%hostname%\t%timereported:::date-rfc3339%\t%msg%\n")
ruleset(name="udp") { action(type="omfile" file="$rs/udp.log" template="fields") }
ruleset(name="tcp") { action(type="omfile" file="$rs/tcp.log" template="fields") }
ruleset(name="tls") { action(type="omfile" file="$rs/tls.log" template="fields") }
input(type="imudp" address="127.0.0.1" port="$udp" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="$tcp" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="$tls" ruleset="tls" streamDriver.name="ossl" streamDriver.mode="1"
      streamDriver.authMode="anon" streamDriver.CAFile="$pki/ca.pem" streamDriver.CertFile="$pki/server.pem"
      streamDriver.KeyFile="$pki/server.key")
input(type="imtcp" address="127.0.0.1" port="$tls_other" ruleset="tls" streamDriver.name="ossl" streamDriver.mode="1"
      streamDriver.authMode="anon" streamDriver.CAFile="$pki/ca.pem" streamDriver.CertFile="$pki/other.pem"
      streamDriver.KeyFile="$pki/other.key")
CONF
rsyslogd -n -f "$rs/rsyslog.conf" -i "$rs/rsyslogd.pid" > "$rs/rsyslogd.out" 2>&1 &
rsyslog_pid=$!
trap 'kill "$rsyslog_pid" 2>/dev/null; wait "$rsyslog_pid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $tls), 0.2)" 2> /dev/null && break
  sleep 0.1
done

lw init > /dev/null
printf 'zhang.wei.syslog@icloud.com\n13800138000\n' | lw enroll --watchlist vip - > /dev/null
# A location with CEF's special characters: "=" and "\" and "|".
printf 'zhang.wei.syslog@icloud.com:Passw0rd!\n+86 138 0013 8000\n' > "$WORK/dump=a|b\\c.txt"
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "udp-json"
kind = "syslog"
url = "udp://127.0.0.1:$udp"
format = "json"

[[alert]]
name = "tcp-cef"
kind = "syslog"
url = "tcp://127.0.0.1:$tcp"
format = "cef"

[[alert]]
name = "tls-cef"
kind = "syslog"
url = "tls://localhost:$tls"
format = "cef"
ca_file = "$pki/ca.pem"

[[alert]]
name = "tls-ip"               # the certificate names 127.0.0.1 too
kind = "syslog"
url = "tls://127.0.0.1:$tls"
format = "json"
ca_file = "$pki/ca.pem"

[[alert]]
name = "tls-wrong-name"       # a certificate from the right CA for another name: refused
kind = "syslog"
url = "tls://localhost:$tls_other"
format = "cef"
ca_file = "$pki/ca.pem"

[[alert]]
name = "tls-unverified"       # the system CAs do not know the test CA: refused
kind = "syslog"
url = "tls://localhost:$tls"
format = "cef"
TOML
lw scan "$WORK/dump=a|b\\c.txt" > /dev/null 2> "$WORK/scan.err"
lw exposures --format json > "$WORK/exposures.jsonl"
[[ $(wc -l < "$WORK/exposures.jsonl") -eq 2 ]] || fail "expected 2 exposures"
for f in udp:2 tcp:2 tls:4; do
  n=${f#*:} f=${f%:*}
  for _ in $(seq 50); do [[ -f $rs/$f.log && $(wc -l < "$rs/$f.log") -ge $n ]] && break; sleep 0.1; done
  [[ $(wc -l < "$rs/$f.log" 2>/dev/null || echo 0) -eq $n ]] ||
    fail "$f: expected $n messages in rsyslog, got: $(cat "$rs/$f.log" 2>/dev/null) $(cat "$rs/rsyslogd.out")"
done
# tls-ip's JSON messages beside tls-cef's CEF ones: split them.
grep -v $'\t{' "$rs/tls.log" > "$rs/tls-cef.log" || true
grep $'\t{' "$rs/tls.log" > "$rs/tls-ip.log" || true

# What rsyslog parsed: MSGID the exposure id, APP-NAME leakwatch, facility auth (4),
# severity critical (2) for the credential and warning (4) for the other.
python3 - "$WORK/exposures.jsonl" "$rs" "$here/cef_strict.py" <<'PY' || fail "syslog content"
import json, subprocess, sys
exposures = {e["id"]: dict(e, event="exposure") for e in map(json.loads, open(sys.argv[1]))}  # an alert is the record and its event
rs, cef = sys.argv[2], sys.argv[3]
def rows(name):
    out = []
    for line in open(f"{rs}/{name}.log", encoding="utf-8"):
        msgid, app, fac, sev, host, ts, msg = line.rstrip("\n").split("\t", 6)
        out.append(dict(msgid=msgid, app=app, fac=fac, sev=sev, host=host, ts=ts, msg=msg))
    return out
def check_header(r):
    e = exposures[r["msgid"]]
    assert r["app"] == "leakwatch", r
    assert r["fac"] == "4", r
    assert r["sev"] == ("2" if e["severity"] == "credential" else "4"), r
    assert r["host"] not in ("", "-"), r
    assert r["ts"].endswith("Z") or r["ts"].endswith("+00:00"), r
    return e
for name in ("udp", "tls-ip"):
    assert len(rows(name)) == 2, name
    for r in rows(name):
        e = check_header(r)
        assert json.loads(r["msg"].lstrip(" ")) == e, (r["msg"], e)
for name in ("tcp", "tls-cef"):
    assert len(rows(name)) == 2, name
    lines = [r["msg"].lstrip(" ") for r in rows(name)]
    parsed = subprocess.run([sys.executable, cef], input="\n".join(lines) + "\n", capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    for r, p in zip(rows(name), map(json.loads, parsed.stdout.splitlines())):
        e = check_header(r)
        assert p["vendor"] == "leakwatch" and p["product"] == "leakwatch", p
        assert p["signature"] == "exposure" and p["name"] == "Watched identifier exposed", p
        assert p["severity"] == ("8" if e["severity"] == "credential" else "5"), p
        x = p["ext"]
        assert x["externalId"] == e["id"], x
        assert x["duser"] == e["hint"], x
        assert x["request"] == e["location"], (x["request"], e["location"])
        assert x["cs1Label"] == "identifierHash" and x["cs1"] == e["identifier_hash"], x
        assert x["cs3"] == ",".join(e["watchlists"]), x
        assert x["cat"] == e["severity"], x
print("ok")
PY
grep -q "zhang.wei.syslog\|13800138000\|Passw0rd" "$rs"/*.log && fail "plaintext identifier or password sent to syslog"

# The unverified TLS sink delivered nothing and says why.
lw alerts pending > "$WORK/pending.txt"
[[ $(grep -c "^tls-unverified " "$WORK/pending.txt") -eq 2 ]] || fail "unverified TLS: $(cat "$WORK/pending.txt")"
grep -q "certificate" "$WORK/pending.txt" || fail "the TLS error names the certificate: $(cat "$WORK/pending.txt")"
[[ $(grep -c "^tls-wrong-name .*pending" "$WORK/pending.txt") -eq 2 ]] || fail "wrong name: $(cat "$WORK/pending.txt")"
grep "^tls-wrong-name " "$WORK/pending.txt" | grep -q "mismatch" || fail "the TLS error names the mismatch: $(cat "$WORK/pending.txt")"
[[ $(grep -vc "^tls-unverified \|^tls-wrong-name \|^SINK " "$WORK/pending.txt") -eq 0 ]] ||
  fail "other sinks pending: $(cat "$WORK/pending.txt")"

# TCP down: retried later, then delivered once.
sed -i "s|tcp://127.0.0.1:$tcp|tcp://127.0.0.1:1|" "$DATA/config.toml"
printf 'zhang.wei.syslog@icloud.com again\n' > "$WORK/second.txt"
lw scan "$WORK/second.txt" > /dev/null 2>&1
lw alerts pending | grep -q "^tcp-cef .*pending" || fail "tcp down: not pending"
sed -i "s|tcp://127.0.0.1:1|tcp://127.0.0.1:$tcp|" "$DATA/config.toml"
lw alerts retry > "$WORK/retry.txt" || true
grep -qx "tcp-cef: 1 delivered, 0 waiting to retry, 0 failed" "$WORK/retry.txt" || fail "retry: $(cat "$WORK/retry.txt")"
for _ in $(seq 50); do [[ $(wc -l < "$rs/tcp.log") -ge 3 ]] && break; sleep 0.1; done
[[ $(wc -l < "$rs/tcp.log") -eq 3 ]] || fail "tcp after retry: $(cat "$rs/tcp.log")"

# alerts test through syslog.
lw alerts test tls-cef | grep -q "sent a test alert to tls-cef" || fail "alerts test"
for _ in $(seq 50); do [[ $(grep -c "cn2Label=test" "$rs/tls.log") -ge 1 ]] && break; sleep 0.1; done
grep -q "cn2Label=test cn2=1" "$rs/tls.log" || fail "test alert: $(tail -1 "$rs/tls.log")"
echo "alerts_syslog: ok"
