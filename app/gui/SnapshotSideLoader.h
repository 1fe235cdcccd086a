// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "Snapshot.h"
#include "platform/BackgroundTask.h"

#include <QObject>

#include <memory>

namespace sunset {

// Reads one side of a scan from snapshot files on a thread of its own: the AD LDIF, or the Graph users and Get-Mailbox
// exports of the cloud side. One object per read: progress, the snapshot or the error come back as queued
// signals, and done() always comes last, also after cancel(), so the owner knows when it may delete it.
class SnapshotSideLoader final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotSideLoader)

public:
    explicit SnapshotSideLoader(QObject* parent = nullptr);
    ~SnapshotSideLoader() override; // cancels and waits for the worker (it stops at its next chunk)

    void startAd(const QString& ldifPath);
    void startCloud(const QString& exoPath, const QString& graphPath);
    void cancel();
    bool isRunning() const { return m_task.isRunning(); }

Q_SIGNALS:
    // Bytes of the current file read so far, and its size.
    void progress(const QString& file, qint64 bytesDone, qint64 bytesTotal);
    void finished(std::shared_ptr<sunset::Snapshot> snapshot);
    void failed(const sunset::ImportError& error); // not after cancel()
    void done();

private:
    void run(std::function<void(TaskControl&)> work);

    BackgroundTask<void> m_task{this, QStringLiteral("sunset-snapshot-read")};
};

} // namespace sunset
