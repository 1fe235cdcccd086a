#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# with-keyring.sh COMMAND...: runs COMMAND in a private D-Bus session with a fresh GNOME Keyring (Secret
# Service), unlocked with a throwaway password, everything in a temporary HOME that is removed afterwards.
# The admin's own session bus and keyring are never touched. Needs Debian's dbus-daemon, dbus-bin and
# gnome-keyring.
set -eu
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "with-keyring: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_RUNTIME_DIR=$home/run SUNSET_TEST_KEYRING=1
export HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR SUNSET_TEST_KEYRING
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- sh -c '
  # In the foreground (as our child, so that it ends with us), its output away from the test runner.
  printf %s throwaway | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  keyring=$!
  owned=""
  for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
      owned=yes
      break
    fi
    sleep 0.1
  done
  if [ -z "$owned" ]; then
    echo "with-keyring: GNOME Keyring did not start" >&2
    kill "$keyring" 2>/dev/null || true
    exit 1
  fi
  status=0
  "$@" || status=$?
  kill "$keyring" 2>/dev/null || true
  wait "$keyring" 2>/dev/null || true
  exit $status' sh "$@"
