// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"

#include <QString>

#include <memory>

class QLockFile;

namespace sunset {

// One process at a time applies or settles a batch: sunset and sunset-cli (or two sunset-cli) share one history,
// and a settle that ran while another process was still sending would take its pending rows for a crash.
// A QLockFile next to the database, <db>.batch-<id>.lock, holds the holder's PID, application and host. A lock
// whose process no longer runs on this host is stale and taken over (QLockFile's own PID check); age never makes
// a lock stale, since an apply of a large batch may take hours.
class BatchLock final {
public:
    static QString path(const QString& historyPath, qint64 batchId);
    // Takes the batch's lock, or says who holds it and what to do. doing: "apply" or "settle", for the message.
    static HistoryResult<std::unique_ptr<BatchLock>> acquire(const QString& historyPath, qint64 batchId,
                                                             const QString& doing);
    // Who holds the batch's lock now ("process 4711 (sunset-cli) on host ws01"), or an empty string when no live
    // process does (no lock file, or a stale one). Nothing is taken or removed.
    static QString holder(const QString& historyPath, qint64 batchId);

    ~BatchLock(); // releases: the lock file is removed
    BatchLock(const BatchLock&) = delete;
    BatchLock& operator=(const BatchLock&) = delete;

private:
    explicit BatchLock(std::unique_ptr<QLockFile> file);
    std::unique_ptr<QLockFile> m_file;
};

} // namespace sunset
