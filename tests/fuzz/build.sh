#!/usr/bin/env bash
# Builds the libFuzzer targets (parsers of untrusted bytes): tests/fuzz/build.sh OUTDIR
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
       -isystem "$here/compat" -I "$root" -DOPENSSL_API_COMPAT=0x10100000L $(pkg-config --cflags libxml-2.0))
# target: the sources it needs besides its own .cc
declare -A deps=(
  [extractor_fuzzer]="matcher/class_masks.cc matcher/decoders.cc matcher/extractor.cc matcher/records.cc base/identifier.cc base/providers.cc base/public_suffix.cc base/keyed_hash.cc base/siphash.cc"
  [decoders_fuzzer]="matcher/class_masks.cc matcher/decoders.cc matcher/extractor.cc matcher/records.cc base/identifier.cc base/public_suffix.cc base/keyed_hash.cc base/siphash.cc"
  [config_fuzzer]="base/config.cc base/units.cc"
  [input_parser_fuzzer]="watchlists/input_parser.cc"
  [html_text_fuzzer]="crawler/html_text.cc crawler/url.cc"
  [feed_fuzzer]="crawler/feed.cc crawler/html_text.cc crawler/url.cc"
  [telegram_fuzzer]="crawler/telegram.cc crawler/html_text.cc crawler/url.cc"
  [zip_fuzzer]="matcher/zip_reader.cc"
)
# Like the leakwatch binary, the config fuzzer uses Debian's compiled toml++ (the header-only
# build's debug assertions are not what ships).
declare -A extra=(
  [config_fuzzer]="-DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1"
)
declare -A libs=(
  [extractor_fuzzer]="-lre2 -lidn2 -lpsl -lunistring -lphonenumber -lcrypto"
  [decoders_fuzzer]="-lre2 -lidn2 -lpsl -lunistring -lphonenumber -lcrypto"
  [config_fuzzer]="-lre2 -ltomlplusplus"
  [input_parser_fuzzer]=""
  [html_text_fuzzer]="-lgumbo -lcurl -lre2"
  [feed_fuzzer]="-lxml2 -lgumbo -lcurl -lre2 -lcrypto"
  [telegram_fuzzer]="-lgumbo -lcurl -lre2"
  [zip_fuzzer]="-lz"
)
objs() { for s in $1; do echo "$out/$(basename "${s%.cc}").o"; done; }
all_sources=$(printf '%s\n' "${deps[@]}" | tr ' ' '\n' | sort -u)
for s in $all_sources; do
  # shellcheck disable=SC2086
  clang++ "${flags[@]}" ${s_extra:-} $([[ $s == base/config.cc ]] && echo "${extra[config_fuzzer]}") \
    -fsanitize=fuzzer-no-link -c "$root/$s" -o "$out/$(basename "${s%.cc}").o" &
done
wait
for target in "${!deps[@]}"; do
  # shellcheck disable=SC2046,SC2086
  clang++ "${flags[@]}" ${extra[$target]:-} "$here/$target.cc" $(objs "${deps[$target]}") ${libs[$target]} -o "$out/$target" &
done
wait
for target in "${!deps[@]}"; do [[ -x "$out/$target" ]] || { echo "fuzz: building $target failed" >&2; exit 1; }; done
echo "built ${!deps[*]} in $out"
