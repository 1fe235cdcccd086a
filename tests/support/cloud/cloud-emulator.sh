#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The HTTPS cloud emulator fixture of the CTest run.
#
#   cloud-emulator.sh start DIR EMULATOR   make a throwaway CA and a localhost server certificate it signs (and a
#                                          second, unrelated CA for the wrong-CA test) with openssl into DIR, start
#                                          EMULATOR (sunset-cloud-emulator) detached, wait for DIR/env
#   cloud-emulator.sh stop DIR             stop that emulator and remove DIR
set -euo pipefail

die() { echo "cloud-emulator: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 start DIR EMULATOR | stop DIR"
command=$1
dir=${2%/}

stop() {
  if [ -f "$dir/pid" ]; then
    local pid
    pid=$(cat "$dir/pid")
    # Only our emulator: the pid file's process, if it still runs that executable.
    if kill -0 "$pid" 2>/dev/null && grep -q sunset-cloud-emulator "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
}

case "$command" in
start)
  [ $# -eq 3 ] || die "usage: $0 start DIR EMULATOR"
  emulator=$3
  stop
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Sunset test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Some other CA" \
    -keyout wrong-ca.key -out wrong-ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
    -out server.pem 2>/dev/null
  rm -f ca.key wrong-ca.key server.csr
  setsid "$emulator" --dir "$dir" --cert server.pem --key server.key </dev/null >emulator.log 2>&1 &
  echo $! >pid
  for _ in $(seq 1 300); do
    [ -f env ] && { cat emulator.log; exit 0; }
    kill -0 "$(cat pid)" 2>/dev/null || { cat emulator.log >&2; die "the emulator ended before it was ready"; }
    sleep 0.1
  done
  cat emulator.log >&2
  stop
  die "the emulator was not ready within 30 s"
  ;;
stop)
  stop
  rm -rf "$dir"
  ;;
*) die "unknown command $command" ;;
esac
