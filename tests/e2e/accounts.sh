#!/usr/bin/env bash
# accounts: every spelling of a watched account (provider aliases, tags, Gmail's dots) and
# the hashed forms of its aliases match; near misses do not; `hash` + `--prehashed` carry
# the same variants.
source "$(dirname "$0")/lib.sh"

lw init > /dev/null
cat > "$WORK/watch.txt" <<'IDS'
li.na@icloud.com,apple
Zhang.Wei@GMail.com,google
x@corp.example.com,corp
zhang.wei@outlook.com,microsoft
IDS
lw enroll --watchlist vip "$WORK/watch.txt" | grep -qx "enrolled 4 new, 0 already present, 0 rejected" || fail enroll

D=$WORK/leaks
mkdir -p "$D"
printf 'li.na+shop@icloud.com:Tr0ub4dor&3\n' > "$D/apple-tag.txt"
printf 'leaked hashes\n%s\n' "$(printf 'li.na@me.com' | sha1sum | cut -d' ' -f1)" > "$D/apple-sha1.txt"
printf '%s\n' "$(printf 'li.na@mac.com' | md5sum | cut -d' ' -f1)" > "$D/apple-md5.txt"
printf 'zhangwei+x@googlemail.com----hunter22\n' > "$D/google-dots.txt"
printf '%s\n' "$(printf 'zhangwei@googlemail.com' | sha256sum | cut -d' ' -f1)" > "$D/google-sha256.txt"
printf 'Zhang.Wei@GMail.com\n' > "$D/google-exact.txt"
# Near misses: no rule outside the table; dots matter at Microsoft; tags are not hashed.
printf 'x+y@corp.example.com:Passw0rd!\nzhangwei@outlook.com:Passw0rd!\nzhang.wei@hotmail.com\n%s\n' \
  "$(printf 'li.na+shop@icloud.com' | sha1sum | cut -d' ' -f1)" > "$D/near-misses.txt"

lw scan --source e2e "$D" > "$WORK/scan.out"
grep -q "6 new exposures (vip: 6)" "$WORK/scan.out" || fail "new: $(cat "$WORK/scan.out")"
lw exposures --format csv | tail -n +2 | cut -d, -f4,5,7,9 | sed "s|$D/||" | sort > "$WORK/got.txt"
sort > "$WORK/want.txt" <<'WANT'
credential,alias,l********p@icloud.com,apple-tag.txt
exposure,hashed,sha1 of a watched email,apple-sha1.txt
exposure,hashed,md5 of a watched email,apple-md5.txt
credential,alias,z********x@googlemail.com,google-dots.txt
exposure,hashed,sha256 of a watched email,google-sha256.txt
exposure,exact,z*******i@gmail.com,google-exact.txt
WANT
diff -u "$WORK/want.txt" "$WORK/got.txt" || fail "exposures differ"

# history finds the account from any spelling.
lw history 'li.na+other@mac.com' --format csv | tail -n +2 | wc -l | grep -qx 3 || fail "history of an alias"
lw history 'zhangwei@googlemail.com' --format csv | tail -n +2 | wc -l | grep -qx 3 || fail "history of a dotless alias"

# The same from hash lines: another data directory with the same key, enrolled --prehashed.
DATA2=$WORK/data2
"$LW" --data "$DATA2" init --key-file "$DATA/secret.key" > /dev/null
lw hash "$WORK/watch.txt" > "$WORK/watch.hashes"
grep -c ' alias:' "$WORK/watch.hashes" | grep -qx 1 || fail "one account key (the Gmail address)"
"$LW" --data "$DATA2" enroll --watchlist vip --prehashed "$WORK/watch.hashes" |
  grep -qx "enrolled 4 new, 0 already present, 0 rejected" || fail "enroll --prehashed"
"$LW" --data "$DATA2" scan --source e2e "$D" > /dev/null
"$LW" --data "$DATA2" exposures --format csv | tail -n +2 | cut -d, -f4,5,7,9 | sed "s|$D/||" | sort > "$WORK/got2.txt"
diff -u "$WORK/want.txt" "$WORK/got2.txt" || fail "prehashed exposures differ"

for needle in li.na zhang.wei zhangwei Tr0ub4dor hunter22 corp.example; do
  if grep -rIaiF -- "$needle" "$DATA" "$DATA2" > /dev/null; then fail "'$needle' found on disk"; fi
done
echo "accounts: ok"
