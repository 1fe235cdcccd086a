// SPDX-License-Identifier: Apache-2.0
#include "GraphLogging.h"

Q_LOGGING_CATEGORY(lcGraph, "sunset.graph")
Q_LOGGING_CATEGORY(lcGraphSlices, "sunset.graph.slices", QtInfoMsg)
