#!/usr/bin/env python3
# Checks a leakwatch webhook: LEAKWATCH_WEBHOOK_SECRET=... verify-signature.py "$HEADER" < body
# HEADER is X-Leakwatch-Signature ("t=UNIXTIME,v1=HEX"); exit 0 when valid and fresh.
import hashlib, hmac, os, sys, time

def verify(secret: bytes, header: str, body: bytes, tolerance: int = 300) -> bool:
    fields = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t = fields.get("t", "")
    if not t.isdigit() or abs(time.time() - int(t)) > tolerance:
        return False  # malformed, or too old (a replay) or too far ahead
    expected = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))

if __name__ == "__main__":
    secret = os.environb[b"LEAKWATCH_WEBHOOK_SECRET"]
    sys.exit(0 if verify(secret, sys.argv[1], sys.stdin.buffer.read()) else 1)
