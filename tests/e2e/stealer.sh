#!/usr/bin/env bash
# stealer: a tree of infostealer logs (many small files), as a directory, a tar.gz and a
# zip: every planted login found once with credential severity, the same exposures from
# the archives, no password on disk; kill -9 mid-scan, then a re-scan: each exposure
# recorded once and alerted at least once.
source "$(dirname "$0")/lib.sh"
GEN=${GEN:?set GEN to leakwatch-gen}

lw init > /dev/null
"$GEN" watchlist --count 5000 --seed 3 > "$WORK/watch.txt"
lw enroll --watchlist soc "$WORK/watch.txt" > /dev/null
"$GEN" stealer --dir "$WORK/logs" --folders 1500 --seed 3 --watchlist "$WORK/watch.txt" --plant 60 \
  --planted "$WORK/planted.txt" 2> /dev/null
planted=$(wc -l < "$WORK/planted.txt")
files=$(find "$WORK/logs" -type f | wc -l)
(cd "$WORK" && tar -czf logs.tar.gz logs && zip -qr logs.zip logs)

lw scan --source stealer "$WORK/logs" > "$WORK/scan1.out"
grep -q "scanned $files documents" "$WORK/scan1.out" || fail "documents: $(cat "$WORK/scan1.out")"
grep -q " $planted new exposures (soc: $planted), 0 seen again" "$WORK/scan1.out" || fail "new: $(cat "$WORK/scan1.out")"
lw exposures --format json > "$WORK/exp.jsonl"
[[ $(grep -c '"severity":"credential"' "$WORK/exp.jsonl") -eq $planted ]] || fail "not all credential"
[[ $(grep -c '"location":"'"$WORK"'/logs/[^"]*/[Pp]asswords.txt"' "$WORK/exp.jsonl") -eq $planted ]] ||
  fail "locations: $(head -c 600 "$WORK/exp.jsonl")"

# The archives hold the same contents: the same exposures, seen again.
lw scan --source stealer "$WORK/logs.tar.gz" | grep -q "scanned $files documents.* 0 new exposures, $planted seen again" ||
  fail "tar.gz"
lw scan --source stealer "$WORK/logs.zip" | grep -q "scanned $files documents.* 0 new exposures, $planted seen again" ||
  fail "zip"

# Neither identifiers nor the passwords beside them reach the disk.
grep -rhoa 'Password: [^ ]*\|PASS:[^ ]*' "$WORK/logs" | sed 's/^Password: //; s/^PASS://' | awk 'length($0) >= 10' |
  sort -u > "$WORK/passwords.txt"
[[ -s $WORK/passwords.txt ]] || fail "no passwords to look for"
if grep -rIaF -f "$WORK/passwords.txt" "$DATA" > /dev/null; then fail "a password found under $DATA"; fi
if grep -rIaF -f "$WORK/planted.txt" "$DATA" > /dev/null; then fail "an identifier found under $DATA"; fi

# kill -9 at random points of scans of the tree, into a fresh store; then a full scan.
rm -rf "$DATA"
lw init > /dev/null
lw enroll --watchlist soc "$WORK/watch.txt" > /dev/null
printf '[[alert]]\nname = "log"\nkind = "jsonl"\npath = "%s"\n' "$WORK/alerts.jsonl" > "$DATA/config.toml"
kill_at_random 6 "$LW" --data "$DATA" scan "$WORK/logs"
lw scan "$WORK/logs" > "$WORK/final.out" 2>&1 || fail "final scan: $(cat "$WORK/final.out")"
lw alerts retry > /dev/null || true
lw exposures --format json | grep -o '"id":"[0-9a-f]*"' | sort > "$WORK/ids"
[[ $(wc -l < "$WORK/ids") -eq $planted ]] || fail "expected $planted exposures, got $(wc -l < "$WORK/ids")"
[[ $(sort -u "$WORK/ids" | wc -l) -eq $planted ]] || fail "an exposure was recorded twice"
grep -o '"id":"[0-9a-f]*"' "$WORK/alerts.jsonl" | sort -u > "$WORK/alerted"
missing=$(comm -23 "$WORK/ids" "$WORK/alerted" | wc -l)
[[ $missing -eq 0 ]] || fail "$missing exposures never alerted"
echo "stealer: $files files, $planted credential exposures once each, archives agree, kill -9 x6 safe"
