#!/usr/bin/env bash
# Builds the matcher's libFuzzer targets: tests/fuzz/build.sh OUTDIR
# Then: OUTDIR/extractor_fuzzer -max_total_time=60 OUTDIR/corpus-extractor tests/fuzz/corpus/extractor
#
# clang 14 cannot compile libstdc++ 12's <expected>, so compat/ (a minimal std::expected,
# fuzz builds only) comes first on the include path.
set -euo pipefail
out=${1:?usage: tests/fuzz/build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"
flags=(-std=c++2b -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -O1 -g
       -isystem "$here/compat" -I "$root" -DOPENSSL_API_COMPAT=0x10100000L)
libs=(-lre2 -lidn2 -lunistring -lphonenumber -lcrypto)
sources=("$root/matcher/decoders.cc" "$root/matcher/extractor.cc" "$root/base/identifier.cc" "$root/base/keyed_hash.cc")
for s in "${sources[@]}"; do
  obj="$out/$(basename "${s%.cc}").o"
  clang++ "${flags[@]}" -fsanitize=fuzzer-no-link -c "$s" -o "$obj" &
done
wait
objs=("$out"/decoders.o "$out"/extractor.o "$out"/identifier.o "$out"/keyed_hash.o)
for target in extractor_fuzzer decoders_fuzzer; do
  clang++ "${flags[@]}" "$here/$target.cc" "${objs[@]}" "${libs[@]}" -o "$out/$target"
done
echo "built $out/extractor_fuzzer $out/decoders_fuzzer"
