#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Puts the SPDX licence line at the top of every tracked source file that lacks it:
#   // SPDX-License-Identifier: Apache-2.0    C++ (*.cpp, *.h), as line 1
#   # SPDX-License-Identifier: Apache-2.0     CMake, shell, Python, Makefile, .ci/run, as line 1 (after a #! line)
# Idempotent: a file that has the line within its first two lines is left as it is.
#   scripts/add-spdx-headers.sh            add the line where it is missing
#   scripts/add-spdx-headers.sh --check    change nothing; list the files without it and exit 1 if there are any
# Data files (resources/, tests/data, fuzz corpora, JSON, LDIF, CSV, images) carry no header.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-add}
case $mode in add | --check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac
id="SPDX-License-Identifier: Apache-2.0"
missing=0
while IFS= read -r -d '' file; do
  case $file in
    *.cpp | *.h) line="// $id" ;;
    *CMakeLists.txt | *.cmake | *.sh | *.py | Makefile | .ci/run) line="# $id" ;;
    *) continue ;;
  esac
  head -n 2 "$file" | grep -qF "$id" && continue
  if [ "$mode" = --check ]; then
    echo "$file"
    missing=$((missing + 1))
    continue
  fi
  tmp=$(mktemp "$file.XXXXXX")
  if head -n 1 "$file" | grep -q '^#!'; then
    { head -n 1 "$file"; echo "$line"; tail -n +2 "$file"; } > "$tmp"
  else
    { echo "$line"; cat "$file"; } > "$tmp"
  fi
  chmod --reference="$file" "$tmp"
  mv "$tmp" "$file"
done < <(git ls-files -z)
if [ "$mode" = --check ] && [ "$missing" -gt 0 ]; then
  echo "$missing file(s) above lack '$id': run scripts/add-spdx-headers.sh" >&2
  exit 1
fi
exit 0
