#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make check-package: builds the Debian package from the normal build (cpack in BUILD, default build/) and checks
# it on this machine as a new user would meet it: lintian without errors, desktop-file-validate, appstreamcli
# validate; installed with apt (which resolves its dependencies); the installed sunset-cli on the installed demo
# tenant reports exactly the planted drift; the installed sunset --demo renders offscreen to a PNG; the man pages
# render; Tab completes sunset-cli's commands and options; an upgrade installs over it; removal and purge leave
# nothing of it in /usr and the users' histories where they are. Prints PASS/FAIL per check and a last line
# "package: N passed, M failed"; exits non-zero on any failure.
#
# It installs into /usr (root, or sudo) and always removes the package again, also when a check fails. A sunset
# package already installed is left alone: the check refuses to run.
set -uo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
root=$(pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

passed=0
failed=0
pass() { echo "PASS  $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL  $1"
  [ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 40 | sed 's/^/      /'
  failed=$((failed + 1))
}
# check NAME COMMAND…: passes when the command succeeds; its output is shown on failure.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}
finish() {
  echo "package: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

if dpkg-query -W -f='${Status}' sunset 2>/dev/null | grep -q "installed"; then
  echo "check-package: a sunset package is already installed here; remove it first (apt-get purge sunset)." >&2
  exit 1
fi
work=$(mktemp -d /tmp/sunset-package.XXXXXX)
chmod 755 "$work" # apt's _apt user reads the .deb from here
installedByUs=false
cleanup() {
  if $installedByUs && dpkg-query -W sunset >/dev/null 2>&1; then
    $sudo dpkg --purge sunset >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- Build -------------------------------------------------------------------------------------------------------
rm -f "$build"/sunset_*.deb
if ! out=$(cmake --build "$build" --target sunset sunset-cli sunset_release_files 2>&1 &&
           cd "$build" && cpack -G DEB 2>&1); then
  fail "cpack builds the package" "$out"
  finish
fi
deb=$(ls "$build"/sunset_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "cpack builds the package" "no $build/sunset_*.deb"; finish; }
cp "$deb" "$work/"
deb="$work/$(basename "$deb")"
version=$(dpkg-deb -f "$deb" Version)
pass "cpack builds $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB; Depends: $(dpkg-deb -f "$deb" Depends | cut -c1-60)…)"

# --- Static checks -----------------------------------------------------------------------------------------------
check "lintian: no errors" lintian --fail-on error --tag-display-limit 0 "$deb"
dpkg-deb -x "$deb" "$work/root"
appId=$(basename "$(ls "$work"/root/usr/share/applications/*.desktop)" .desktop)
check "desktop-file-validate $appId.desktop" desktop-file-validate "$work/root/usr/share/applications/$appId.desktop"
check "appstreamcli validate $appId.metainfo.xml" \
  appstreamcli validate --no-net "$work/root/usr/share/metainfo/$appId.metainfo.xml"

# --- Installed -------------------------------------------------------------------------------------------------
before="$work/usr-before"
find /usr -iname '*sunset*' | sort > "$before"
installedByUs=true
if ! out=$($sudo apt-get install -y -qq --no-install-recommends "$deb" 2>&1); then
  fail "apt-get install ./$(basename "$deb")" "$out"
  finish
fi
pass "apt-get install ./$(basename "$deb") (dependencies resolved by apt)"
dpkg -L sunset | sort > "$work/files"

check "sunset-cli --version names the package's version and the licence" \
  bash -c "/usr/bin/sunset-cli --version | head -n 2 | tr '\n' ' ' | grep -qx 'sunset-cli $version Licence: Apache-2.0 '"
check "sunset --version without a display" \
  env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM bash -c "/usr/bin/sunset --version | grep -q '^sunset $version$'"

demo=/usr/share/sunset/demo
home="$work/home" # a user's home: what the installed programs write goes here, and must outlive the package
mkdir -p "$home"
planted() { jq -r '.drift[] | "\(.upn) | \(.attribute) | \(.severity) | \(.cause)"' "$demo/planted-drift.json" | sort; }
reported() { jq -r '.mailboxes[] | .upn as $u | .drift[] | "\($u) | \(.attribute) | \(.severity) | \(.cause)"' "$1" | sort; }
if out=$(cd "$work" && env -u XDG_DATA_HOME HOME="$home" /usr/bin/sunset-cli diff --ad "$demo/demo-ad.ldif" \
           --exo "$demo/demo-exo.json" --graph "$demo/demo-graph.json" --sync-jobs "$demo/demo-sync-jobs.json" \
           --sync-schema "$demo/demo-sync-schema.json" --provisioning-log "$demo/demo-provisioning.json" \
           --json "$work/report.json" 2>&1) &&
   [ "$(planted | wc -l)" -gt 0 ] && diff <(planted) <(reported "$work/report.json") > "$work/drift.diff"; then
  pass "installed sunset-cli diff on the installed demo reports the $(planted | wc -l) planted drift items"
else
  fail "installed sunset-cli diff on the installed demo reports the planted drift" "$out$(cat "$work/drift.diff" 2>/dev/null)"
fi
check "…and recorded the scan in the user's history" test -s "$home/.local/share/sunset/profiles/default/history.sqlite"

shot="$work/sunset-demo.png"
check "installed sunset --demo renders offscreen to a PNG" \
  bash -c "cd '$work' && HOME='$home' QT_QPA_PLATFORM=offscreen timeout 120 /usr/bin/sunset --demo --screenshot '$shot' &&
           file '$shot' | grep -q 'PNG image data, 1500 x 900'"
[ -z "${SUNSET_PACKAGE_SCREENSHOT:-}" ] || cp "$shot" "$SUNSET_PACKAGE_SCREENSHOT" 2>/dev/null

manRenders() { # manRenders PAGE TEXT…: no groff warnings, and each TEXT on the page
  local page=$1 warnings text
  shift
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || { echo "$warnings"; return 1; }
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -P cat "$page") || return 1
  for t in "$@"; do grep -qF -- "$t" <<<"$text" || { echo "man $page: no '$t'"; return 1; }; done
}
check "man sunset-cli renders (no groff warnings), with every command" \
  manRenders sunset-cli "sunset-cli diff" "sunset-cli dump" "sunset-cli batch" "sunset-cli checklist" "--password-file"
check "man sunset renders (no groff warnings)" manRenders sunset "--demo" "--screenshot"
tab() { # tab WORD…: what Tab offers after "sunset-cli WORD…", from the installed completion script
  bash -c 'source /usr/share/bash-completion/completions/sunset-cli; COMP_WORDS=(sunset-cli "$@"); COMP_CWORD=$#
           _sunset_cli; echo "${COMPREPLY[*]}"' tab "$@"
}
completes() {
  [ "$(tab di)" = diff ] && tab diff --ex | grep -qw -- --exo && [ "$(tab batch ap)" = approve ] &&
    tab checklist --con | grep -qw -- --config-ldif && [ "$(tab --ver)" = --version ] ||
    { echo "di: $(tab di) / diff --ex: $(tab diff --ex) / batch ap: $(tab batch ap) / --ver: $(tab --ver)"; return 1; }
}
check "Tab completes commands, options and actions" completes
menuEntry() {
  test -f "/usr/share/applications/$appId.desktop" && test -f "/usr/share/icons/hicolor/scalable/apps/$appId.svg" &&
    test -f "/usr/share/icons/hicolor/48x48/apps/$appId.png" && test -f "/usr/share/metainfo/$appId.metainfo.xml" &&
    grep -qx 'Exec=sunset' "/usr/share/applications/$appId.desktop"
}
check "menu entry, icons and metainfo in place" menuEntry

# --- Upgrade -----------------------------------------------------------------------------------------------------
# The same package under a higher version, as the next build would be.
dpkg-deb -R "$deb" "$work/next"
sed -i "s/^Version: .*/Version: $version+next/" "$work/next/DEBIAN/control"
dpkg-deb --root-owner-group -b "$work/next" "$work/sunset_next.deb" >/dev/null
check "upgrade to $version+next installs over it" \
  bash -c "$sudo apt-get install -y -qq --no-install-recommends '$work/sunset_next.deb' >/dev/null &&
           [ \"\$(dpkg-query -W -f='\${Version}' sunset)\" = '$version+next' ] && /usr/bin/sunset-cli --version >/dev/null"

# --- Removal -----------------------------------------------------------------------------------------------------
leftovers() { # what dpkg -L listed and is still there, bar directories other packages (or the system) own
  while read -r path; do
    [ -e "$path" ] || [ -L "$path" ] || continue
    if [ -d "$path" ] && ! [ -L "$path" ] && dpkg-query -S "$path" >/dev/null 2>&1; then continue; fi
    echo "$path"
  done < "$work/files"
  comm -13 "$before" <(find /usr -iname '*sunset*' | sort)
}
if out=$($sudo apt-get remove -y -qq sunset 2>&1) && [ -z "$(leftovers)" ]; then
  pass "apt-get remove leaves nothing of it in /usr ($(wc -l < "$work/files") paths checked)"
else
  fail "apt-get remove leaves nothing of it in /usr" "$out$(leftovers)"
fi
# Sunset has no conffiles, so remove may already have let dpkg forget it; dpkg --purge then has nothing to do.
if out=$($sudo dpkg --purge sunset 2>&1) && ! dpkg-query -W sunset >/dev/null 2>&1 && [ -z "$(leftovers)" ]; then
  pass "dpkg --purge: dpkg no longer knows it, nothing left"
else
  fail "dpkg --purge: dpkg no longer knows it, nothing left" "$out$(dpkg-query -W sunset 2>&1)$(leftovers)"
fi
installedByUs=false
check "the user's history outlives the package" test -s "$home/.local/share/sunset/profiles/default/history.sqlite"
finish
