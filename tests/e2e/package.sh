#!/usr/bin/env bash
# Installing: `cmake --install` puts each file in its place; ops/package builds the .deb,
# whose files, conffile, maintainer scripts, dependencies and man page are checked. Then,
# as root only, the .deb is installed into this machine with dpkg: the user, the modes,
# --version, the units (systemd-analyze verify), the man page, the completion, the
# administrator's init/enroll/configure and the service's crawl; a reinstall keeps the
# edited configuration; dpkg -r keeps the data, dpkg -P says so; then everything the test
# made is removed. LEAKWATCH_PACKAGE_TEST=0 skips the install. A machine where leakwatch is
# (or was) installed is never touched.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the build directory of \$LW}
export MAN_DISABLE_SECCOMP=1 MANWIDTH=100  # man-db's sandbox is refused in some containers

# --version: the project version and the build's `git describe`; the package's version is
# made of the same two (ops/packaging/version.cmake).
version_line=$("$LW" --version)
[[ $version_line =~ ^leakwatch\ ([0-9]+\.[0-9]+\.[0-9]+)\ \(git\ ([^\)]+)\)$ ]] || fail "--version: $version_line"
project_version=${BASH_REMATCH[1]}
pkg_version=$(sed -n 's/^set(LEAKWATCH_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/leakwatch-version.cmake")
[[ $pkg_version == "$project_version"* ]] || fail "package version $pkg_version is not of $project_version"

# Checks a rendered leakwatch(1): the sections, every command of --help, the exit codes.
check_man_page() {
  local page=$1 text
  text=$(man -l "$page" 2> "$WORK/man.err" | col -b) || fail "man -l $page: $(cat "$WORK/man.err")"
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
    grep -qx "$section" <<< "$text" || fail "man page: no $section section"
  done
  for cmd in $("$LW" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [^ ]/ { print $1 }'); do
    grep -q "^   leakwatch $cmd " <<< "$text" || fail "man page: command $cmd missing"
  done
  grep -q "^   leakwatch alerts test \[OPTIONS\] sink" <<< "$text" || fail "man page: nested commands missing"
  grep -q -- "--fail-on-exposure" <<< "$text" || fail "man page: command options missing"
  for code in 0 1 2 3 75; do grep -Eq "^       $code +[a-z]" <<< "$text" || fail "man page: exit code $code"; done
  for word in LEAKWATCH_DATA LEAKWATCH_CONFIG secret.key /etc/leakwatch/config.toml; do
    grep -q -- "$word" <<< "$text" || fail "man page: $word not mentioned"
  done
}

# cmake --install: each file in its place, /usr/local in the units become the prefix, and
# nothing goes to /etc (the conffile is the package's).
prefix=$WORK/prefix
cmake --install "$BUILD_DIR" --prefix "$prefix" --strip > "$WORK/install.log" || fail "cmake --install"
for f in bin/leakwatch lib/systemd/system/leakwatch-crawl.service lib/systemd/system/leakwatch-crawl.timer \
         share/man/man1/leakwatch.1.gz share/bash-completion/completions/leakwatch share/doc/leakwatch/README.md \
         share/doc/leakwatch/examples/config.toml share/doc/leakwatch/examples/leakwatch.cron \
         share/doc/leakwatch/examples/sources/pastebin-archive.toml share/doc/leakwatch/examples/alerts/splunk.toml \
         share/doc/leakwatch/examples/alerts/verify-signature.py; do
  [[ -f $prefix/$f ]] || fail "cmake --install: no $f"
done
grep -qx "ExecStart=$prefix/bin/leakwatch crawl --max-duration 4m" "$prefix/lib/systemd/system/leakwatch-crawl.service" ||
  fail "installed unit: $(grep ExecStart "$prefix/lib/systemd/system/leakwatch-crawl.service")"
grep -q "$prefix/bin/leakwatch crawl" "$prefix/share/doc/leakwatch/examples/leakwatch.cron" || fail "installed cron example"
grep -l /usr/local "$prefix"/lib/systemd/system/* "$prefix/share/doc/leakwatch/examples/leakwatch.cron" && fail "/usr/local left"
grep -q "^/etc" "$BUILD_DIR/install_manifest.txt" && fail "cmake --install wrote to /etc"
[[ $("$prefix/bin/leakwatch" --version) == "$version_line" ]] || fail "installed --version"

# The package.
LEAKWATCH_PACKAGE_NO_BUILD=1 "$ROOT/ops/package" "$BUILD_DIR" "$WORK/dist" > "$WORK/package.out" 2> "$WORK/package.err" ||
  fail "ops/package: $(cat "$WORK/package.err")"
deb=$(cat "$WORK/package.out")
[[ -f $deb && $deb == "$WORK/dist/leakwatch_${pkg_version}-1_$(dpkg --print-architecture).deb" ]] || fail "package file: $deb"
[[ $(dpkg-deb -f "$deb" Package) == leakwatch && $(dpkg-deb -f "$deb" Version) == "$pkg_version-1" ]] ||
  fail "package control: $(dpkg-deb -f "$deb" Package Version)"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$WORK/files"
for f in /usr/bin/leakwatch /usr/lib/systemd/system/leakwatch-crawl.service /usr/lib/systemd/system/leakwatch-crawl.timer \
         /usr/share/man/man1/leakwatch.1.gz /usr/share/bash-completion/completions/leakwatch \
         /usr/share/doc/leakwatch/README.md /usr/share/doc/leakwatch/examples/config.toml \
         /usr/share/doc/leakwatch/examples/leakwatch.cron /usr/share/doc/leakwatch/examples/sources/README.md \
         /etc/leakwatch/config.toml; do
  grep -qx -- "$f" "$WORK/files" || fail "package: no $f"
done
grep -E '^/var|^/usr/local' "$WORK/files" && fail "package: files outside /usr and /etc"
# The conffile and the maintainer scripts.
dpkg-deb -e "$deb" "$WORK/control"
[[ $(cat "$WORK/control/conffiles") == /etc/leakwatch/config.toml ]] || fail "conffiles: $(cat "$WORK/control/conffiles")"
for script in postinst prerm postrm; do
  [[ -x $WORK/control/$script ]] || fail "no executable $script"
  sh -n "$WORK/control/$script" || fail "$script: syntax"
done
# Depends: the package of every shared library the binary links (dpkg-shlibdeps).
depends=$(dpkg-deb -f "$deb" Depends)
depends_names=$(tr ',|' '\n\n' <<< "$depends" | sed 's/(.*//; s/ //g')
owner() {  # the package that holds a library (/lib and /usr/lib are one on merged /usr)
  local path=$1 p
  for p in "$path" "${path/#\/usr\/lib\//\/lib\/}" "${path/#\/lib\//\/usr\/lib\/}" "$(readlink -f "$path")"; do
    dpkg -S "$p" 2> /dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1 && return
  done
}
for lib in $(readelf -d "$LW" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldd "$LW" | awk -v lib="$lib" '$1 == lib { print $3 }')
  pkg=$(owner "$path")
  [[ -n $pkg ]] || fail "no package holds $lib ($path)"
  # The package, or a virtual package it provides (libphonenumber8-protobuf32).
  found=0
  for name in "$pkg" $(dpkg-query -W -f='${Provides}' "$pkg" | sed 's/([^)]*)//g; s/,/ /g'); do
    grep -qxF -- "$name" <<< "$depends_names" && found=1
  done
  [[ $found == 1 ]] || fail "Depends lacks $pkg (for $lib): $depends"
done
# The files themselves: the units name /usr/bin, the conffile is the example, and the
# example configuration parses, its commented-out tables too.
dpkg-deb -x "$deb" "$WORK/root"
grep -qx "ExecStart=/usr/bin/leakwatch crawl --max-duration 4m" "$WORK/root/usr/lib/systemd/system/leakwatch-crawl.service" ||
  fail "package unit ExecStart"
cmp -s "$WORK/root/etc/leakwatch/config.toml" "$WORK/root/usr/share/doc/leakwatch/examples/config.toml" || fail "conffile is not the example"
lw init > /dev/null
lw --config "$WORK/root/etc/leakwatch/config.toml" sources > /dev/null || fail "the example configuration does not parse"
sed -E 's/^# ((\[|[a-z_]+ = ).*)/\1/' "$WORK/root/etc/leakwatch/config.toml" > "$WORK/uncommented.toml"
lw --config "$WORK/uncommented.toml" sources | grep -q "^pastebin " || fail "the example's commented tables do not parse"
check_man_page "$WORK/root/usr/share/man/man1/leakwatch.1.gz"
echo "package: $(basename "$deb"): contents, conffile, Depends and man page checked"

# Installing it into this machine: root only, and never where leakwatch is or was.
skip_install() { echo "package: not installed with dpkg: $*"; exit 0; }
[[ ${LEAKWATCH_PACKAGE_TEST:-1} != 0 ]] || skip_install "LEAKWATCH_PACKAGE_TEST=0"
[[ $(id -u) -eq 0 ]] || skip_install "not running as root"
[[ ${LEAKWATCH_SANITIZE:-OFF} != ON ]] || skip_install "a sanitizer build is not what ships"
exec 9< "$0"
flock -w 600 9 || fail "another run of this test holds its lock"
status=$(dpkg-query -W -f='${db:Status-Abbrev}' leakwatch 2> /dev/null || true)
if [[ -n ${status// /} && $status != "un"* ]] || getent passwd leakwatch > /dev/null || getent group leakwatch > /dev/null ||
   [[ -e /var/lib/leakwatch || -e /etc/leakwatch ]]; then
  skip_install "leakwatch is, or was, installed on this machine (package, user or directories present)"
fi
dpkg-statoverride --list | sort > "$WORK/statoverride.before"
installed=0
cleanup() {
  if [[ $installed == 1 ]]; then
    [[ -n ${server:-} ]] && kill "$server" 2> /dev/null
    dpkg --purge leakwatch > /dev/null 2>&1 < /dev/null || true
    dpkg-statoverride --remove /etc/leakwatch/config.toml > /dev/null 2>&1 || true
    rm -rf /var/lib/leakwatch /etc/leakwatch
    userdel leakwatch 2> /dev/null || true
    groupdel leakwatch 2> /dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
installed=1
dpkg -i "$deb" > "$WORK/dpkg-i.out" 2>&1 < /dev/null || fail "dpkg -i: $(cat "$WORK/dpkg-i.out")"
grep -q "lw init" "$WORK/dpkg-i.out" || fail "postinst printed no next steps: $(cat "$WORK/dpkg-i.out")"
grep -q "systemctl enable --now leakwatch-crawl.timer" "$WORK/dpkg-i.out" || fail "next steps: no timer"

# The user, the directories and their modes; no key: that is the administrator's.
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd leakwatch) || fail "no leakwatch user"
((uid < 1000)) || fail "leakwatch is not a system user (uid $uid)"
[[ $home == /var/lib/leakwatch && $shell == /usr/sbin/nologin ]] || fail "user: home $home, shell $shell"
[[ $(stat -c '%a %U %G' /var/lib/leakwatch) == "700 leakwatch leakwatch" ]] || fail "data dir: $(stat -c '%a %U %G' /var/lib/leakwatch)"
[[ $(stat -c '%a %U %G' /etc/leakwatch/config.toml) == "640 root leakwatch" ]] || fail "config: $(stat -c '%a %U %G' /etc/leakwatch/config.toml)"
[[ -e /var/lib/leakwatch/secret.key ]] && fail "the package made a key"
[[ $(/usr/bin/leakwatch --version) == "$version_line" ]] || fail "installed --version: $(/usr/bin/leakwatch --version)"
[[ $(dpkg-query -W -f='${Version}' leakwatch) == "$pkg_version-1" ]] || fail "installed version"

# The units: valid, and the timer disabled. systemd-analyze verify works without systemd
# running; where it cannot work at all (a known-good unit fails too), that is said and skipped.
units=(/usr/lib/systemd/system/leakwatch-crawl.service /usr/lib/systemd/system/leakwatch-crawl.timer)
if ! command -v systemd-analyze > /dev/null; then
  echo "package: systemd-analyze missing: units not verified"
else
  printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$WORK/lw-probe.service"
  if ! systemd-analyze verify "$WORK/lw-probe.service" > "$WORK/probe.out" 2>&1; then
    echo "package: systemd-analyze verify does not work here ($(head -n 1 "$WORK/probe.out")): units not verified"
  else
    systemd-analyze verify "${units[@]}" > "$WORK/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$WORK/verify.out")"
    grep -i "leakwatch" "$WORK/verify.out" && fail "systemd-analyze verify warns about the units"
  fi
  enabled=$(systemctl is-enabled leakwatch-crawl.timer 2> /dev/null || true)
  [[ $enabled == disabled ]] || fail "the timer is not installed disabled: '$enabled'"
fi

# The man page where man finds it (unless dpkg is told to skip man pages, as in slim images).
if [[ -f /usr/share/man/man1/leakwatch.1.gz ]]; then
  check_man_page /usr/share/man/man1/leakwatch.1.gz
  [[ $(man -w leakwatch) == /usr/share/man/man1/leakwatch.1.gz ]] || fail "man -w leakwatch: $(man -w leakwatch)"
else
  echo "package: dpkg did not install /usr/share/man (path-exclude?): checked the page from the .deb only"
fi

# What the administrator does (README, "Install on a server"), as the leakwatch user:
# init, enroll, a configuration with a source and a sink, then the service's command.
FIXTURE_SERVER=${FIXTURE_SERVER:?set FIXTURE_SERVER to leakwatch-fixture-server}
"$FIXTURE_SERVER" --root "$ROOT/ops/samples/sites" --port-file "$WORK/port" > /dev/null 2>&1 &
server=$!
for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
[[ -s $WORK/port ]] || fail "the fixture server did not start"
as_lw() { runuser -u leakwatch -- /usr/bin/leakwatch --data /var/lib/leakwatch --config /etc/leakwatch/config.toml "$@"; }
as_lw init > "$WORK/init.out" || fail "init as leakwatch"
[[ $(stat -c '%a %U' /var/lib/leakwatch/secret.key) == "600 leakwatch" ]] || fail "key: $(stat -c '%a %U' /var/lib/leakwatch/secret.key)"
as_lw enroll --watchlist demo - < "$ROOT/ops/samples/watchlist.csv" | grep -q "^enrolled [1-9]" || fail "enroll as leakwatch"
cat >> /etc/leakwatch/config.toml <<TOML

[[source]]
name = "pastes"
kind = "listing"
url = "http://127.0.0.1:$(cat "$WORK/port")/pastes/archive.html"
item_pattern = '/pastes/view/([A-Za-z0-9]{8})\.html\$'
item_url = 'http://127.0.0.1:$(cat "$WORK/port")/pastes/raw/\1.txt'
allow_private_addresses = true
per_host_delay = "0s"

[[alert]]
name = "archive"
kind = "jsonl"
path = "/var/lib/leakwatch/alerts.jsonl"
TOML
# A reinstall (an upgrade) keeps the edited conffile.
dpkg -i "$deb" > "$WORK/dpkg-i2.out" 2>&1 < /dev/null || fail "dpkg -i again: $(cat "$WORK/dpkg-i2.out")"
grep -q 'name = "pastes"' /etc/leakwatch/config.toml || fail "reinstalling overwrote the configuration"
[[ $(stat -c '%a %U %G' /etc/leakwatch/config.toml) == "640 root leakwatch" ]] || fail "config mode after reinstall"
grep -q "lw init" "$WORK/dpkg-i2.out" && fail "next steps printed again after init"
# The completion, as the leakwatch user: commands, options, watchlists and sources.
complete_words() {
  runuser -u leakwatch -- bash -c 'source /usr/share/bash-completion/completions/leakwatch
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _leakwatch; echo "${COMPREPLY[*]}"' _ "$@"
}
[[ $(complete_words leakwatch en) == enroll ]] || fail "completion of commands: $(complete_words leakwatch en)"
[[ $(complete_words leakwatch scan --fail) == --fail-on-exposure ]] || fail "completion of options"
[[ $(complete_words leakwatch --data /var/lib/leakwatch history --watchlist d) == demo ]] || fail "completion of watchlists"
[[ $(complete_words leakwatch --config /etc/leakwatch/config.toml --data /var/lib/leakwatch crawl --source p) == pastes ]] ||
  fail "completion of sources: $(complete_words leakwatch --config /etc/leakwatch/config.toml --data /var/lib/leakwatch crawl --source p)"
# The service: under systemd when it runs here, else its ExecStart as its User with its Environment.
unit=/usr/lib/systemd/system/leakwatch-crawl.service
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  timeout 300 systemctl start leakwatch-crawl.service || fail "systemctl start: $(journalctl -u leakwatch-crawl -n 20 --no-pager)"
  [[ $(systemctl show -p Result --value leakwatch-crawl.service) == success ]] || fail "the service failed"
else
  read -r -a exec_start <<< "$(sed -n 's/^ExecStart=//p' "$unit")"
  mapfile -t environment < <(sed -n 's/^Environment=//p' "$unit")
  user=$(sed -n 's/^User=//p' "$unit")
  runuser -u "$user" -- env "${environment[@]}" "${exec_start[@]}" > "$WORK/crawl.out" 2>&1 || fail "the service's crawl: $(cat "$WORK/crawl.out")"
  echo "package: systemd is not running here: ran the service's ExecStart as $user"
fi
[[ $(as_lw exposures --format json | wc -l) -gt 0 ]] || fail "the crawl recorded no exposures"
[[ -s /var/lib/leakwatch/alerts.jsonl ]] || fail "the crawl delivered no alerts"
[[ -z $(find /var/lib/leakwatch ! -user leakwatch) ]] || fail "files not owned by leakwatch: $(find /var/lib/leakwatch ! -user leakwatch)"
kill "$server"; wait "$server" 2> /dev/null || true; server=""

# dpkg -r: the program goes, the data, the key, the configuration and the user stay.
key_sum=$(sha256sum < /var/lib/leakwatch/secret.key)
dpkg -r leakwatch > "$WORK/dpkg-r.out" 2>&1 < /dev/null || fail "dpkg -r: $(cat "$WORK/dpkg-r.out")"
[[ ! -e /usr/bin/leakwatch && ! -e $unit ]] || fail "dpkg -r left the program"
[[ $(sha256sum < /var/lib/leakwatch/secret.key) == "$key_sum" && -d /var/lib/leakwatch/store ]] || fail "dpkg -r touched the data"
[[ -f /etc/leakwatch/config.toml ]] || fail "dpkg -r removed the configuration"
getent passwd leakwatch > /dev/null || fail "dpkg -r removed the user"
# dpkg -P: the configuration goes; the data stays, and the output says how to remove it.
dpkg -P leakwatch > "$WORK/dpkg-p.out" 2>&1 < /dev/null || fail "dpkg -P: $(cat "$WORK/dpkg-p.out")"
grep -q "the data stays" "$WORK/dpkg-p.out" || fail "purge message: $(cat "$WORK/dpkg-p.out")"
grep -q "rm -rf /var/lib/leakwatch && userdel leakwatch" "$WORK/dpkg-p.out" || fail "purge: how to remove the data"
[[ ! -e /etc/leakwatch ]] || fail "dpkg -P left /etc/leakwatch: $(ls -la /etc/leakwatch)"
[[ $(sha256sum < /var/lib/leakwatch/secret.key) == "$key_sum" ]] || fail "dpkg -P touched the data"
dpkg-statoverride --list | sort | diff "$WORK/statoverride.before" - || fail "dpkg -P left a statoverride"

# What the purge message says, then the machine is as it was.
rm -rf /var/lib/leakwatch && userdel leakwatch
getent group leakwatch > /dev/null && fail "userdel left the leakwatch group"
[[ -z $(dpkg-query -W -f='${db:Status-Abbrev}' leakwatch 2> /dev/null | tr -d ' ') ]] || fail "dpkg still knows leakwatch"
installed=0
echo "package: installed, checked, removed and purged; the machine is as it was"
