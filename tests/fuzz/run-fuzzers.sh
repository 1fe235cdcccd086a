#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs Sunset's libFuzzer targets one after the other on one core.
#   run-fuzzers.sh <build-fuzz dir> <seconds each> [target ...]
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>) plus what earlier runs found
# (<build>/corpus/<target>, where new inputs go: the source tree is never written). A crash, leak, sanitizer
# report or broken property stops that target with its input saved as <build>/fuzz-artifacts/<target>/crash-*,
# and the script fails. Replay one input: <build>/tests/fuzz/<target> <file>.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
seconds=${2:?seconds}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzLdif FuzzExoJson FuzzExoCsv FuzzCloudPage FuzzTokenAnswer FuzzDn
                                     FuzzFilterEscape FuzzProxyAddress)
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  # -max_len: seeds are trimmed to a few KiB; 64 KiB leaves room to grow without slowing every run.
  # -rss_limit_mb/-malloc_limit_mb: a parser that buffers without bound fails here instead of passing.
  if ! "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" "$here/corpus/$t" 2>"$build/fuzz-artifacts/$t.log"; then
    tail -n 60 "$build/fuzz-artifacts/$t.log" >&2
    echo "run-fuzzers: $t failed; the input is in $artifacts/" >&2
    status=1
  else
    echo "$t: $(grep -E '^stat::number_of_executed_units' "$build/fuzz-artifacts/$t.log" | awk '{print $2}') executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) new inputs"
  fi
done
exit $status
