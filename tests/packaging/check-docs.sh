#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-docs.sh SUNSET-CLI SUNSET GENERATED-DIR: every option the programs' --help lists (sunset-cli's own and each
# command's) is in the man pages, and each of sunset-cli's is offered by its bash completion. The options are read
# here with grep, not with sunset-docgen's parser, so a parser that drops an option fails this test.
set -euo pipefail
cli=$1 gui=$2 generated=$3
missing=0
options() { grep -oE '^  (-[A-Za-z?], )?--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/^  //; s/, /\n/'; }
# Each page decompressed once. (Not `zcat | grep -q`: grep -q stops at the first match, zcat then dies of SIGPIPE,
# and under pipefail a page holding the option reads as one that does not, at random.)
declare -A pages
inPage() { # the option as the man page writes it: every '-' a troff minus
  local escaped=${2//-/\\-}
  [ -n "${pages[$1]+set}" ] || pages[$1]=$(zcat "$1")
  grep -qF -- "\\fB$escaped\\fR" <<<"${pages[$1]}" || { echo "$(basename "$1"): no $2 ($3)"; return 1; }
}
inCompletion() {
  grep -qE -- "(^|[ '])$1( |'|$)" "$generated/sunset-cli.bash" || { echo "sunset-cli.bash: no $1 ($2)"; return 1; }
}
help=$("$cli" --help)
commands=$(awk '/^Commands:/{on=1; next} on && /^$/{exit} on {print $1}' <<<"$help")
[ -n "$commands" ] || { echo "sunset-cli --help lists no commands"; exit 1; }
count=0
for option in $(options <<<"$help"); do
  inPage "$generated/sunset-cli.1.gz" "$option" "sunset-cli --help" || missing=$((missing + 1))
  inCompletion "$option" "sunset-cli --help" || missing=$((missing + 1))
  count=$((count + 1))
done
for command in $commands; do
  grep -qF "\\fB${command//-/\\-}\\fR" <<<"$(zcat "$generated/sunset-cli.1.gz")" ||
    { echo "sunset-cli.1: no command $command"; missing=$((missing + 1)); }
  grep -qE "^ +$command\)" "$generated/sunset-cli.bash" || { echo "sunset-cli.bash: no command $command"; missing=$((missing + 1)); }
  for option in $("$cli" "$command" --help | options); do
    inPage "$generated/sunset-cli.1.gz" "$option" "sunset-cli $command --help" || missing=$((missing + 1))
    inCompletion "$option" "sunset-cli $command --help" || missing=$((missing + 1))
    count=$((count + 1))
  done
done
for option in $(env -u DISPLAY -u WAYLAND_DISPLAY "$gui" --help | options); do
  inPage "$generated/sunset.1.gz" "$option" "sunset --help" || missing=$((missing + 1))
  count=$((count + 1))
done
[ "$count" -gt 50 ] || { echo "only $count options read from the programs' --help"; exit 1; }
echo "$count options checked, $missing missing"
[ "$missing" -eq 0 ]
