// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudSyncState.h"
#include "ImportError.h"
#include "Snapshot.h"

#include <QFile>

#include <memory>

namespace sunset {

// A file mapped into memory, read once front to back. Pages already parsed can be handed back to the kernel,
// so reading a 1 GB export does not keep 1 GB resident.
class MappedFile final {
public:
    static Result<std::shared_ptr<MappedFile>> open(const QString& path);
    QByteArrayView bytes() const { return m_bytes; }
    void releaseUpTo(qint64 offset);

private:
    MappedFile() = default;
    QFile m_file;
    QByteArrayView m_bytes;
    qint64 m_released = 0;
};

enum class CloudFileFormat { GetMailboxJson, GetMailboxCsv };
CloudFileFormat detectCloudFileFormat(const QString& path, QByteArrayView head);

// Progress for the caller: fraction done of the current file (0..1); return false to cancel.
using LoadProgress = std::function<bool(const QString& file, double fraction)>;

Result<Snapshot> loadAdSnapshotFile(const QString& ldifPath, const LoadProgress& progress = {});
Result<GraphDirectory> loadGraphUsersFile(const QString& path, const LoadProgress& progress = {});
// Cloud Sync's state from saved Graph answers; an empty path leaves that part unread (the causes then say what is
// missing). Schemas that match no writeback job read are reported in unattachedSchemas.
struct CloudSyncFiles {
    QString jobs;
    QString schema;
    QString provisioningLog;
};
Result<CloudSyncState> loadCloudSyncFiles(const CloudSyncFiles& files, QStringList* unattachedSchemas = nullptr,
                                          const LoadProgress& progress = {});

Result<Snapshot> loadCloudSnapshotFile(const QString& exoPath, const GraphDirectory* graph,
                                       const LoadProgress& progress = {});

} // namespace sunset
