#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Opens Sunset on the bundled demo tenant. Without a display, prints the same comparison from sunset-cli.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
demo=resources/demo
if [ -x "$build/app/sunset" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$build/app/sunset" --demo
fi
if [ -x "$build/app/sunset" ]; then
  echo "No display found (DISPLAY is not set): showing the demo comparison from sunset-cli instead." >&2
fi
exec "$build/app/sunset-cli" diff --no-history --ad "$demo/demo-ad.ldif" --exo "$demo/demo-exo.json" --graph "$demo/demo-graph.json" \
  --sync-jobs "$demo/demo-sync-jobs.json" --sync-schema "$demo/demo-sync-schema.json" \
  --provisioning-log "$demo/demo-provisioning.json"
