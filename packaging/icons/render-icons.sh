#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Renders resources/icons/sunset.svg to the hicolor PNG sizes the package installs (the SVG itself goes in
# hicolor/scalable). Run after editing the SVG; needs rsvg-convert (librsvg2-bin). The PNGs are committed, so
# building the package does not need it.
set -eu
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio ../../resources/icons/sunset.svg > "sunset-$size.png"
done
