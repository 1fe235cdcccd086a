// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcGraph)
// A parallel read's slices one by one (each slice's end, a split, a slice cancelled to be split): hundreds of lines
// on a large tenant, so off unless asked for (QT_LOGGING_RULES="sunset.graph.slices.debug=true"); the read's own
// summary goes to lcGraph.
Q_DECLARE_LOGGING_CATEGORY(lcGraphSlices)
