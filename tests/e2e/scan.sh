#!/usr/bin/env bash
# scan: every leak format, compressed and archived; the exact exposures; idempotence.
source "$(dirname "$0")/lib.sh"

lw init > /dev/null
write_leak_dump
lw enroll --watchlist vip "$WORK/watch.txt" | grep -qx "enrolled 10 new, 0 already present, 0 rejected" || fail enroll
D=$WORK/dump

lw scan --source e2e "$D" > "$WORK/scan1.out"
grep -q "scanned 7 documents" "$WORK/scan1.out" || fail "documents: $(cat "$WORK/scan1.out")"
grep -q "9 new exposures (vip: 9)" "$WORK/scan1.out" || fail "new: $(cat "$WORK/scan1.out")"

# The exact set: hint, severity, match, location.
lw exposures --format csv | tail -n +2 | cut -d, -f4,5,7,9 | sed "s|$D/||" | sort > "$WORK/got.txt"
sort > "$WORK/want.txt" <<'WANT'
credential,alias,l**********e@mac.com,combo.txt
credential,exact,+86*********00,nested/stealer.log
credential,exact,c***********e@qq.com,nested/deeper/bundle.zip!dump.sql
credential,exact,z***********e@icloud.com,combo.txt
exposure,encoded,h***********e@gmail.com,nested/deeper/bundle.zip!page.html
exposure,encoded,z**********e@outlook.com,nested/deeper/bundle.zip!page.html
exposure,exact,+86*********00,customers.csv.gz
exposure,hashed,sha256 of a watched email,hashes.tar.gz!hashes.txt
exposure,obfuscated,w***********e@163.com,nested/deeper/bundle.zip!export.json
WANT
diff -u "$WORK/want.txt" "$WORK/got.txt" || fail "exposures differ"

# Scanning again finds nothing new; stdin works; --fail-on-exposure exits 3 only on news.
lw scan --source e2e "$D" | grep -q " 0 new exposures" || fail "rescan not idempotent"
gzip -c "$WORK/customers.csv" | lw scan --fail-on-exposure - | grep -q " 0 new exposures" || fail "stdin gz"
set +e; printf 'qian.hao.e2e@foxmail.com\n' | lw scan --fail-on-exposure - > /dev/null; rc=$?; set -e
[[ $rc -eq 3 ]] || fail "--fail-on-exposure exit $rc"
lw history --watchlist vip --format json | grep -c '"watchlists":\["vip"\]' | grep -qx 10 || fail "history --watchlist"

# Neither identifiers nor the passwords beside them reach the disk.
for needle in zhang.wei.e2e Tr0ub4dor hunter22 S3cretPass 13800138000 e10adc3949ba59abbe56e057f20f883e qian.hao.e2e; do
  if grep -rIaF -- "$needle" "$DATA" > /dev/null; then fail "'$needle' found under $DATA"; fi
done
expect_exit 1 lw scan "$WORK/does-not-exist"

# Pseudo-files report no size (/proc) or a wrong one (/sys): they are read to their end.
printf 'proc.self.e2e@qq.com\n' | lw enroll --watchlist proc - > /dev/null
LW_E2E_PROBE=proc.self.e2e@qq.com lw scan /proc/self/environ | grep -q " 1 new exposures" || fail "/proc/self/environ"
if [[ -r /sys/kernel/mm/transparent_hugepage/enabled ]]; then
  lw scan /sys/kernel/mm/transparent_hugepage/enabled > /dev/null || fail "a /sys file"
fi
echo "scan: ok"
