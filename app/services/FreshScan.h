// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ChecklistChecks.h"
#include "HistoryDatabase.h"
#include "ImportError.h"

#include <QFuture>
#include <QString>

#include <functional>

namespace sunset {

// The verification step's "fresh scan": both sides read, compared as sunset-cli diff compares them, and recorded
// in the history, which the step then judges.

// Whether sources give both sides: AD (live, or an AD snapshot file) and Exchange Online (live, or a Get-Mailbox
// export). Without them the latest recorded scan is judged instead.
bool canRecordFreshScan(const ChecklistSources& sources);

// Reads AD, then Exchange Online (and the Graph users file), then compares them and records the scan, with every
// drift item so a batch can be planned from it, in the history at historyPath as actor; the future carries the
// recorded scan's id or why there is none. The file and LDAP reads and the recording run on threads of their own
// (owned by owner; none: by themselves), the tenant's live read on this thread's event loop: call it on a thread
// with an event loop (the GUI's, or sunset-cli's while it waits at its edge). progress hears each stage in words on
// this thread, with the fraction of the file being read (-1 when not known). Cancelling the future stops the read
// under way; nothing is recorded unless the recording had begun.
using FreshScanProgress = std::function<void(const QString& stage, double fraction)>;
QFuture<Expected<qint64, QString>> recordFreshScan(const ChecklistSources& sources, const QString& historyPath,
                                                   const HistoryActor& actor, const FreshScanProgress& progress = {},
                                                   QObject* owner = nullptr);

} // namespace sunset
