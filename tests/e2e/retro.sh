#!/usr/bin/env bash
# retro: sightings and the retro-hunt at enrollment. Enrolling after a scan yields exactly
# the exposures (ids, match kinds, severities, aliases and hashed forms) that enrolling
# before it does; --prehashed too; unenrolling and re-enrolling never duplicates one;
# retention removes sightings; no plaintext reaches the disk; kill -9 leaves each
# document's sightings once and each earlier exposure recorded once, alerted at least once.
source "$(dirname "$0")/lib.sh"
GEN=${GEN:?set GEN to leakwatch-gen}
command -v jq > /dev/null || fail "jq is needed"

# The watchlist and dump of scan.sh, plus a Google address watched and found dotted and
# tagged, its md5 among the hashes, and a QQ number found by its label.
write_leak_dump
D=$WORK/dump
printf 'hu.xin.e2e@gmail.com,s7\n' >> "$WORK/watch.txt"
printf '%s\n' "$(printf 'huxine2e@googlemail.com' | md5sum | cut -d' ' -f1)" >> "$WORK/hashes.txt"
tar -C "$WORK" -czf "$D/hashes.tar.gz" hashes.txt
printf 'Hu.Xin.E2E+news@googlemail.com\nQQ: 123456789\n' > "$D/google.txt"
printf '123456789@qq.com,q1\n' >> "$WORK/watch.txt"

# What makes two runs comparable: the same key, and everything but the times.
key=$WORK/secret.key
head -c 32 /dev/urandom > "$key" && chmod 600 "$key"
at() { "$LW" --data "$WORK/$1" "${@:2}"; }
fields() { at "$1" exposures --format json | jq -c '[.id, .match, .severity, .kind, .source, .location, .watchlists, .labels, .identifier_hash]' | sort; }

# Enrolled before the scan.
at before init --key-file "$key" > /dev/null
at before enroll --watchlist vip "$WORK/watch.txt" > /dev/null
at before scan --source e2e "$D" > /dev/null
fields before > "$WORK/before.txt"
[[ $(wc -l < "$WORK/before.txt") -eq 12 ]] || fail "before: $(cat "$WORK/before.txt")"

# Enrolled after it: the same exposures, found by the retro-hunt.
at after init --key-file "$key" > /dev/null
at after scan --source e2e "$D" > /dev/null
at after enroll --watchlist vip "$WORK/watch.txt" > "$WORK/enroll.out"
head -1 "$WORK/enroll.out" | grep -qx "enrolled 12 new, 0 already present, 0 rejected" || fail "first line: $(cat "$WORK/enroll.out")"
sed -n 2p "$WORK/enroll.out" | grep -qx "found 12 earlier exposures of 11 identifiers" || fail "second line: $(cat "$WORK/enroll.out")"
fields after > "$WORK/after.txt"
diff -u "$WORK/before.txt" "$WORK/after.txt" || fail "retro-hunt differs from enrolling first"
[[ $(at after exposures --format json | jq -s 'map(select(.retro == true)) | length') -eq 12 ]] || fail "retro flag"
[[ $(at before exposures --format json | jq -s 'map(select(.retro == true)) | length') -eq 0 ]] || fail "retro flag on a scan's"
# first_seen and last_seen come from the document
at after exposures --format json | jq -e 'select(.first_seen > .last_seen)' > /dev/null && fail "times"

# Unenrolling and re-enrolling never duplicates an exposure; re-enrolling finds nothing new.
at after unenroll --watchlist vip "$WORK/watch.txt" > /dev/null
at after enroll --watchlist vip "$WORK/watch.txt" | sed -n 2p | grep -qx "found 0 earlier exposures of 0 identifiers" || fail "re-enroll"
at after enroll --watchlist other "$WORK/watch.txt" > /dev/null
[[ $(at after exposures --format json | wc -l) -eq 12 ]] || fail "duplicated exposures"

# --prehashed retro-hunts too.
at pre init --key-file "$key" > /dev/null
at pre scan --source e2e "$D" > /dev/null
at pre hash "$WORK/watch.txt" > "$WORK/hashed.txt"
at pre enroll --watchlist vip --prehashed "$WORK/hashed.txt" | sed -n 2p | grep -qx "found 12 earlier exposures of 11 identifiers" || fail "prehashed"
diff -u "$WORK/before.txt" <(fields pre) || fail "prehashed retro-hunt differs"

# Sightings off: nothing remembered, nothing found later.
at off init --key-file "$key" > /dev/null
printf '[store]\nsightings = false\n' > "$WORK/off/config.toml"
at off scan "$D" > /dev/null
at off stats --format json | jq -e '.sightings.sightings == 0 and .sightings.documents == 0' > /dev/null || fail "sightings = false"
at off enroll --watchlist vip "$WORK/watch.txt" | sed -n 2p | grep -qx "found 0 earlier exposures of 0 identifiers" || fail "off: found"

# [alerts] retro = false keeps them out of the sinks, [alerts] retro = true (default) not.
for retro in true false; do
  at "alerts-$retro" init --key-file "$key" > /dev/null
  printf '[alerts]\nretro = %s\n[[alert]]\nname = "log"\nkind = "jsonl"\npath = "%s"\n' "$retro" "$WORK/alerts-$retro.jsonl" \
    > "$WORK/alerts-$retro/config.toml"
  at "alerts-$retro" scan "$D" > /dev/null 2>&1
  at "alerts-$retro" enroll --watchlist vip "$WORK/watch.txt" > /dev/null 2>&1
  at "alerts-$retro" alerts retry > /dev/null
done
[[ $(grep -c '"retro":true' "$WORK/alerts-true.jsonl") -eq 12 ]] || fail "retro alerts"
[[ ! -s $WORK/alerts-false.jsonl ]] || fail "retro = false delivered: $(cat "$WORK/alerts-false.jsonl")"
[[ -z $(at alerts-false alerts pending) ]] || fail "retro = false left them pending"

# Retention removes sightings and documents with the exposures.
at after stats --format json | jq -e '.sightings.sightings > 0 and .sightings.documents == 8' > /dev/null ||
  fail "stats: $(at after stats --format json | jq -c .sightings)"
sleep 1.1
at after prune --older-than 0s | grep -q "pruned 8 documents with" || fail "prune"
at after stats --format json | jq -e '.sightings.sightings == 0 and .sightings.documents == 0' > /dev/null || fail "pruned stats"
printf 'qian.hao.e2e@foxmail.com\n' > "$WORK/late.txt"
at after enroll --watchlist late "$WORK/late.txt" | sed -n 2p | grep -qx "found 0 earlier exposures of 0 identifiers" || fail "after prune"

# No plaintext on disk after a scan of 10,000 distinct unwatched identifiers.
at many init --key-file "$key" > /dev/null
for i in $(seq 1 5000); do printf 'plain.user%05d@example.org:pw%05d\n+86 139%08d\n' "$i" "$i" "$i"; done > "$WORK/many.txt"
at many scan "$WORK/many.txt" > /dev/null
at many stats --format json | jq -e '.sightings.sightings >= 10000' > /dev/null || fail "10000 sightings"
at many stats --format json > /dev/null
sed -n '1~97p' "$WORK/many.txt" | cut -d: -f1 | sed 's/^+86 //' > "$WORK/needles.txt"
printf 'plain.user\n' >> "$WORK/needles.txt"
if grep -rIaF -f "$WORK/needles.txt" "$WORK/many" > /dev/null; then fail "plaintext under the data directory"; fi
grep -rIaF -e Tr0ub4dor -e hunter22 -e zhang.wei.e2e "$WORK/after" "$WORK/before" > /dev/null && fail "plaintext in a store"

# kill -9 during a scan of a large document, then the scan to its end: the same sightings
# as one clean scan, each once.
"$GEN" corpus --size 24MiB --seed 11 > "$WORK/big.txt"
at clean init --key-file "$key" > /dev/null
at clean scan "$WORK/big.txt" > /dev/null
at clean stats --format json | jq -c .sightings | jq -c '[.sightings, .documents]' > "$WORK/clean.sightings"
at killed init --key-file "$key" > /dev/null
kill_at_random 5 "$LW" --data "$WORK/killed" scan "$WORK/big.txt"
at killed scan "$WORK/big.txt" > /dev/null
at killed stats --format json | jq -c .sightings | jq -c '[.sightings, .documents]' > "$WORK/killed.sightings"
diff "$WORK/clean.sightings" "$WORK/killed.sightings" || fail "sightings after kill -9"
[[ $(jq '.[0]' "$WORK/clean.sightings") -gt 65536 ]] || fail "the large document should take the ingestion path"

# kill -9 during the retro-hunt of an enrollment, then the enrollment again: each earlier
# exposure recorded once and alerted at least once.
"$GEN" watchlist --count 3000 --seed 12 > "$WORK/w3k.txt"
"$GEN" corpus --size 8MiB --seed 12 --watchlist "$WORK/w3k.txt" --plant 400 --planted "$WORK/planted.txt" > "$WORK/c8.txt"
at rclean init --key-file "$key" > /dev/null
at rclean enroll --watchlist w "$WORK/w3k.txt" > /dev/null
at rclean scan "$WORK/c8.txt" > /dev/null
want=$(at rclean exposures --format json | jq -r .id | sort | tee "$WORK/want.ids" | wc -l)
[[ $want -ge 400 ]] || fail "planted: $want"
at rkill init --key-file "$key" > /dev/null
printf '[[alert]]\nname = "log"\nkind = "jsonl"\npath = "%s"\nbulk_threshold = 0\n' "$WORK/r.jsonl" > "$WORK/rkill/config.toml"
at rkill scan "$WORK/c8.txt" > /dev/null
for round in 1 2 3 4 5; do
  "$LW" --data "$WORK/rkill" enroll --watchlist w "$WORK/w3k.txt" > /dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 6))$((RANDOM % 10))"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
done
at rkill enroll --watchlist w "$WORK/w3k.txt" > /dev/null 2>&1
at rkill alerts retry > /dev/null
at rkill exposures --format json | jq -r .id | sort > "$WORK/got.ids"
diff "$WORK/want.ids" "$WORK/got.ids" > /dev/null || fail "retro after kill -9: $(wc -l < "$WORK/got.ids") of $want"
jq -r .id "$WORK/r.jsonl" | sort -u > "$WORK/alerted.ids"
diff "$WORK/want.ids" "$WORK/alerted.ids" > /dev/null || fail "not all alerted: $(wc -l < "$WORK/alerted.ids") of $want"
echo "retro: ok ($want earlier exposures after kill -9, all alerted)"
