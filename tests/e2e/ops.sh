#!/usr/bin/env bash
# stats, prune (dry run and real, [store] retain), export and import.
source "$(dirname "$0")/lib.sh"

lw init > /dev/null
printf 'a.ops@qq.com\n13800138000\n' | lw enroll --watchlist vip - > /dev/null
printf 'a.ops@qq.com:Passw0rd1\n' | lw scan --source s1 - > /dev/null
printf '+86 138 0013 8000\n' | lw scan --source s2 - > /dev/null
lw stats --format json > "$WORK/stats.json"
grep -q '"watchlists":{"vip":2}' "$WORK/stats.json" || fail "stats watchlists: $(cat "$WORK/stats.json")"
grep -q '"by_source":{"s1":1,"s2":1}' "$WORK/stats.json" || fail "stats by source"
grep -q '"total":2' "$WORK/stats.json" || fail "stats total"
lw stats | grep -q "exposures: 2 (credential: 1)" || fail "stats table"

# Export, then import into a fresh data directory on "another host".
lw export "$WORK/backup" | grep -q "NOT in the export" || fail "export message"
[[ -f "$WORK/backup/store/CURRENT" ]] || fail "no checkpoint"
grep -rIaqF "a.ops@qq.com" "$WORK/backup" && fail "plaintext in the export"
expect_exit 2 lw export "$WORK/backup"
"$LW" --data "$WORK/restored" import "$WORK/backup" --key-file "$DATA/secret.key" | grep -q imported || fail "import"
"$LW" --data "$WORK/restored" history a.ops@qq.com --format json | grep -q '"source":"s1"' || fail "history after import"
head -c 32 /dev/urandom > "$WORK/other.key"; chmod 600 "$WORK/other.key"
expect_exit 2 "$LW" --data "$WORK/elsewhere" import "$WORK/backup" --key-file "$WORK/other.key"
expect_exit 2 "$LW" --data "$WORK/restored" import "$WORK/backup"

# Retention: nothing is old yet; a zero window prunes everything but watch entries.
lw prune --older-than 1d | grep -q "pruned 0 exposures" || fail "prune 1d"
sleep 2.1  # timestamps have one-second resolution
lw prune --older-than 0s --dry-run | grep -q "would prune 2 exposures" || fail "dry run"
[[ $(lw exposures --format json | wc -l) -eq 2 ]] || fail "dry run pruned"
printf '[store]\nretain = "1s"\n' > "$DATA/config.toml"
printf 'nothing here\n' | lw scan - > /dev/null 2> "$WORK/retain.err"
grep -q "retention: pruned 2 exposures" "$WORK/retain.err" || fail "retain: $(cat "$WORK/retain.err")"
[[ $(lw exposures --format json | wc -l) -eq 0 ]] || fail "exposures left"
lw watchlists --format json | grep -q '"size":2' || fail "watch entries pruned"
printf 'a.ops@qq.com\n' > "$WORK/again.txt"
rm "$DATA/config.toml"
lw scan "$WORK/again.txt" | grep -q "1 new exposures" || fail "matching after prune"
echo "ops: ok"
