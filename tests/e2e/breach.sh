#!/usr/bin/env bash
# breach: one document with 200,000 watched identifiers. Memory stays bounded, readers
# stay fast, each sink gets one bulk_exposure event; kill -9 while the exposures are being
# written, then a re-scan: the document whole after the crash, each exposure recorded
# once, every one alerted.
source "$(dirname "$0")/lib.sh"
GEN=${GEN:?set GEN to the leakwatch-gen binary}
N=200000
# Under AddressSanitizer memory runs several times larger and time slower: a quarter of
# the identifiers, and the memory bounds four times as wide.
rss_scale=1
if [[ ${LEAKWATCH_SANITIZE:-OFF} == ON ]]; then
  N=50000
  rss_scale=4
fi

lw init > /dev/null
"$GEN" watchlist --count "$N" --seed 7 > "$WORK/watch.txt"
lw enroll --watchlist staff "$WORK/watch.txt" | grep -qx "enrolled $N new, 0 already present, 0 rejected" || fail enroll
# The dump: every identifier once, as combo lines with a password.
awk '{ print $0 ":Winter2026!" NR }' "$WORK/watch.txt" > "$WORK/dump.txt"
cat > "$DATA/config.toml" <<TOML
[[alert]]
name = "soc"
kind = "jsonl"
path = "$WORK/soc.jsonl"

[[alert]]
name = "siem"
kind = "jsonl"
path = "$WORK/siem.jsonl"
TOML
# The exposure count stats keeps (the first "total" of its JSON, whose keys are sorted).
total() { lw stats --format json | grep -o '"total":[0-9]*' | head -n 1 | cut -d: -f2; }

# kill -9 while the document's exposures are being written: stopped (SIGSTOP) as soon as
# their table files appear beside the store (they are ingested at once, store/layout.md),
# then killed. Should the scan finish first (a fast machine), it is tried again on a
# fresh store.
crashed=0
for attempt in 1 2 3; do
  "$LW" --data "$DATA" scan --source dump "$WORK/dump.txt" > /dev/null 2>&1 &
  pid=$!
  while kill -0 "$pid" 2> /dev/null; do
    if compgen -G "$DATA/exposure-load-*.sst" > /dev/null; then
      kill -STOP "$pid" 2> /dev/null && crashed=1
      break
    fi
    sleep 0.01
  done
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  ((crashed)) && break
  rm -rf "$DATA/store" "$DATA/store.index" "$DATA/store.lock"
  lw init > /dev/null 2>&1 || true
  lw enroll --watchlist staff "$WORK/watch.txt" > /dev/null
  rm -f "$WORK/soc.jsonl" "$WORK/siem.jsonl"
done
((crashed)) || fail "the scan always finished before it could be killed"
seen=$(total)
# The document is whole: none of its exposures, or (killed between the ingestion and the
# removal of its files) all of them.
((seen == 0 || seen == N)) || fail "after the crash: $seen of $N exposures recorded"
# What the crash left is whole: each recorded exposure has its outbox entry, per sink.
[[ ! -e $WORK/soc.jsonl ]] || fail "alerts went out before the crash"
pending=$(lw alerts pending | tail -n +2 | wc -l)
((pending == 2 * seen)) || fail "after the crash: $seen exposures, $pending pending alerts (want $((2 * seen)))"

# The re-scan records the rest, once, in bounded memory, and alerts everything.
/usr/bin/time -f '%M' -o "$WORK/rss" "$LW" --data "$DATA" scan --source dump "$WORK/dump.txt" > "$WORK/scan.out" 2>&1 ||
  fail "re-scan: $(cat "$WORK/scan.out")"
grep -q "$((N - seen)) new exposures" "$WORK/scan.out" || fail "re-scan after $seen: $(cat "$WORK/scan.out")"
! compgen -G "$DATA/exposure-load-*.sst" > /dev/null || fail "the crash's table files are still there"
rss_kib=$(tail -n 1 "$WORK/rss")
((rss_kib < rss_scale * 1024 * 1024)) || fail "re-scan peak RSS ${rss_kib} KiB"
# The kept count: the re-scan found $seen of them recorded and counted none twice.
((  $(total) == N )) || fail "exposures counted after the re-scan: $(total)"
for sink in soc siem; do
  [[ $(wc -l < "$WORK/$sink.jsonl") -eq 1 ]] || fail "$sink: expected one event, got $(wc -l < "$WORK/$sink.jsonl")"
  grep -q '"event":"bulk_exposure"' "$WORK/$sink.jsonl" || fail "$sink: not a bulk event"
  grep -q "\"count\":$N" "$WORK/$sink.jsonl" || fail "$sink: the bulk event does not stand for all $N"
done
[[ $(lw alerts pending | wc -l) -eq 0 ]] || fail "alerts still pending after delivery"
doc=$(grep -o '"document":"[0-9a-f]*"' "$WORK/soc.jsonl" | cut -d'"' -f4)
lw exposures --document "$doc" --format json > "$WORK/doc.jsonl"
[[ $(wc -l < "$WORK/doc.jsonl") -eq $N ]] || fail "exposures --document: $(wc -l < "$WORK/doc.jsonl")"
[[ $(grep -o '"id":"[0-9a-f]*"' "$WORK/doc.jsonl" | sort -u | wc -l) -eq $N ]] || fail "an exposure recorded twice"

# Readers open fast and stream in bounded memory (loose bounds: timing is the bench's).
probe=$(head -n 1 "$WORK/watch.txt")
start=$EPOCHREALTIME
lw history "$probe" --format json | grep -q '"severity":"credential"' || fail "history of one identifier"
/usr/bin/time -f '%M' -o "$WORK/rss" "$LW" --data "$DATA" exposures --format json > /dev/null
((  $(tail -n 1 "$WORK/rss") < rss_scale * 200 * 1024 )) || fail "exposures peak RSS $(tail -n 1 "$WORK/rss") KiB"
/usr/bin/time -f '%M' -o "$WORK/rss" "$LW" --data "$DATA" history --watchlist staff --format csv > /dev/null
((  $(tail -n 1 "$WORK/rss") < rss_scale * 200 * 1024 )) || fail "history --watchlist peak RSS $(tail -n 1 "$WORK/rss") KiB"
elapsed=$(awk "BEGIN { print ${EPOCHREALTIME/,/.} - ${start/,/.} }")
awk "BEGIN { exit !($elapsed < 60) }" || fail "reads took ${elapsed}s"

# Neither identifiers nor passwords reach the disk.
for needle in "$probe" "$(sed -n 1000p "$WORK/watch.txt")" Winter2026; do
  if grep -rIaF -- "$needle" "$DATA" > /dev/null; then fail "'$needle' found under $DATA"; fi
done
echo "breach: ok (killed after $seen of $N)"
