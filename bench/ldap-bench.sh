#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench-ldap: Sunset's LDAP read and pipelined writes against ldapsearch/ldapmodify, on a private Samba AD
# DC with 20,000 seeded mailboxes (seeded offline by tests/support/samba/samba-dc.sh through Samba's python bindings).
#
#   bench/ldap-bench.sh [BUILD_DIR] [sunset-ldap-bench options: --changes N --read-runs R --delay-ms MS ...]
#
# SUNSET_SEED_MAILBOXES changes the seed (default 20000); SUNSET_SAMBA_BACKEND_STORE the DC's database (tdb,
# Samba's default, unless set; make bench-ad-incremental sets mdb, Samba's LMDB store, which answers the rescan's
# uSNChanged range from an index as Windows does with its fATTINDEX on uSNChanged, where tdb reads every object); SUNSET_LDAP_BENCH_PROGRAM runs another bench of
# bench/ on such a DC (make bench-ad-incremental: sunset-ad-incremental-bench, with its own options). The DC
# lives in a temporary directory and is always stopped; the machine-wide lock /tmp/sunset-samba-tests.lock is
# held for its whole life, as the Samba tests hold it, because there is only one set of ports 88/389/636.
# Needs root, as samba-dc.sh does. Takes minutes.
set -euo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=${1:-build}
[ $# -gt 0 ] && shift
readonly BENCH="$build/bench/${SUNSET_LDAP_BENCH_PROGRAM:-sunset-ldap-bench}"
readonly LOCK=/tmp/sunset-samba-tests.lock
readonly MAILBOXES=${SUNSET_SEED_MAILBOXES:-20000}

[ -x "$BENCH" ] || { echo "ldap-bench: $BENCH is missing; run make build first" >&2; exit 1; }

exec 9>>"$LOCK"
if ! flock -n 9; then
  echo "ldap-bench: waiting for $LOCK (another Samba test run holds it)..." >&2
  flock 9
fi

workdir=$(mktemp -d /tmp/sunset-ldap-bench.XXXXXX)
cleanup() {
  "$ROOT/tests/support/samba/samba-dc.sh" stop "$workdir/dc" 9>&- || true
  rm -rf -- "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "ldap-bench: starting a Samba AD DC with $MAILBOXES seeded mailboxes in $workdir/dc..." >&2
# 9>&-: the DC does not inherit the lock; the trap stops it before the lock is released.
SUNSET_TEST_MAILBOXES=$MAILBOXES SUNSET_SEED_BATCH_MODE=1 SUNSET_SAMBA_BACKEND_STORE=${SUNSET_SAMBA_BACKEND_STORE:-tdb} \
  "$ROOT/tests/support/samba/samba-dc.sh" start "$workdir/dc" 9>&-
"$BENCH" "$workdir/dc" "$@" 9>&-
