#!/bin/sh
# Checks a leakwatch webhook: LEAKWATCH_WEBHOOK_SECRET=... verify-signature.sh "$HEADER" BODY_FILE
# HEADER is X-Leakwatch-Signature ("t=UNIXTIME,v1=HEX"); exit 0 when valid and fresh.
header=$1 body=$2 tolerance=${3:-300}
t=${header#t=}; t=${t%%,*}; sig=${header##*,v1=}
case $t in ''|*[!0-9]*) echo "malformed header" >&2; exit 1 ;; esac
age=$(( $(date +%s) - t ))
[ "$age" -le "$tolerance" ] && [ "$age" -ge "-$tolerance" ] || { echo "stale timestamp" >&2; exit 1; }
mac=$( { printf '%s.' "$t"; cat "$body"; } | openssl dgst -sha256 -hmac "$LEAKWATCH_WEBHOOK_SECRET" -r | cut -d' ' -f1)
[ "$mac" = "$sig" ] || { echo "bad signature" >&2; exit 1; }
