// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QList>
#include <QStringList>

namespace sunset {

// Values one per line as the side-by-side view shows them: leading/trailing spaces and tabs made visible, an
// empty string named, published as highlight spans for HighlightingDelegate. `none` is shown for no value.
// Values `other` lacks are highlighted (what a change really removes or adds among the values it rewrites).
struct VisibleText {
    QString text;
    QList<HighlightSpan> spans;
};
VisibleText visibleValues(const QStringList& values, const QString& none, const QStringList& other = {});

} // namespace sunset
