#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Renders the SVG sources to the PNGs the .qrc bundles (24 px and 48 px for high-DPI @2x). Run after editing an
# SVG; needs ImageMagick. The PNGs are committed, so building Sunset does not need it.
set -eu
cd "$(dirname "$0")"
for svg in *.svg; do
  name=${svg%.svg}
  convert -background none -density 96 "$svg" -resize 24x24 "$name.png"
  convert -background none -density 192 "$svg" -resize 48x48 "$name@2x.png"
done
