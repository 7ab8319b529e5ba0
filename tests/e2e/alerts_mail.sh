#!/usr/bin/env bash
# The email digest against a real SMTP server (aiosmtpd, started here on loopback), its
# headers checked by Python's email parser in strict mode: an RFC 5322 Date, a
# Message-ID, and lines that read "credential exposure of ..." / "exposure of ...".
source "$(dirname "$0")/lib.sh"
# Debian's Python, where python3-aiosmtpd is installed (not a python3 earlier on PATH).
py=${LEAKWATCH_PYTHON3:-/usr/bin/python3}
"$py" -c "import aiosmtpd" 2> /dev/null || fail "python3-aiosmtpd is not installed (ops/setup installs it)"

mkdir -p "$WORK/mail"
cat > "$WORK/smtpd.py" <<'PY'
import asyncio, os, signal, sys, socket
from aiosmtpd.controller import Controller
out = sys.argv[1]
class Save:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Save.n += 1
        with open(os.path.join(out, "%03d.eml" % Save.n), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(out, "%03d.rcpt" % Save.n), "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        return "250 OK"
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
c = Controller(Save(), hostname="127.0.0.1", port=port)
c.start()
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(port))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
signal.sigwait({signal.SIGTERM, signal.SIGINT})
c.stop()
PY
"$py" "$WORK/smtpd.py" "$WORK/mail" "$WORK/port" &
smtpd_pid=$!
trap 'kill "$smtpd_pid" 2>/dev/null; wait "$smtpd_pid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
port=$(cat "$WORK/port")

lw init > /dev/null
printf 'zhang.wei.mail@icloud.com\n13800138000\n' | lw enroll --watchlist vip - > /dev/null
printf 'zhang.wei.mail@icloud.com:Passw0rd!\n+86 138 0013 8000\n' > "$WORK/dump.txt"
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "soc-mail"
kind = "email"
url = "smtp://127.0.0.1:$port"
from = "leakwatch@example.com"
to = ["soc@example.com", "cert@example.com"]
TOML
lw scan "$WORK/dump.txt" > /dev/null 2>&1
[[ -f $WORK/mail/001.eml ]] || fail "no mail arrived"
[[ ! -f $WORK/mail/002.eml ]] || fail "one digest expected"

"$py" - "$WORK/mail/001.eml" <<'PY' || fail "mail headers"
import email, email.policy, email.utils, re, sys, datetime
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.strict)
for h in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version", "Content-Type"):
    assert msg[h] is not None, "missing " + h
date = msg["Date"].datetime
assert date is not None and date.tzinfo is not None, msg["Date"]
assert abs((datetime.datetime.now(datetime.timezone.utc) - date).total_seconds()) < 300, date
assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000", str(msg["Date"])), msg["Date"]
assert re.fullmatch(r"<[^<>@\s]+@example\.com>", str(msg["Message-ID"])), msg["Message-ID"]
assert [a.addr_spec for a in msg["To"].addresses] == ["soc@example.com", "cert@example.com"]
assert str(msg["Subject"]) == "leakwatch: 2 new exposures (1 with credentials)", msg["Subject"]
assert not msg.defects, msg.defects
body = msg.get_content()
assert "exposure exposure" not in body, body
assert re.search(r"^- credential exposure of z\*+l@icloud\.com \(vip\)", body, re.M), body
assert re.search(r"^- exposure of \+86\*+00 \(vip\)", body, re.M), body
for line in raw.split(b"\r\n"):
    assert len(line) <= 998, "line too long"
print("ok")
PY
grep -q "zhang.wei.mail\|Passw0rd" "$WORK/mail/001.eml" && fail "plaintext identifier or password in mail"
[[ $(cat "$WORK/mail/001.rcpt") == $'soc@example.com\ncert@example.com' ]] || fail "recipients"
echo "alerts_mail: ok"
