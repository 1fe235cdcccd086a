// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"
#include "OverviewWidget.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace sunset {

// The GUI's side of the per-profile history: records each finished scan (as sunset-cli diff does) and reads the
// drift of the last scans for the overview's trend. Meant for a pool thread: each call opens its own connection
// (a HistoryStore belongs to one thread) so the GUI never waits on SQLite.
struct ScanHistoryResult {
    QList<ScanTrendPoint> trend; // oldest first
    std::optional<QString> error; // what could not be recorded or read, and where
};

// Records `scan` (when given) into the history at `path`, then reads up to `limit` newest scans.
ScanHistoryResult recordScanAndReadTrend(const QString& path, std::shared_ptr<const DriftScan> scan,
                                         const QDateTime& started, const QDateTime& finished, int limit = 20);

} // namespace sunset
