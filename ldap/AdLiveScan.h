// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DcConnectionSettings.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "Snapshot.h"
#include "platform/BackgroundTask.h"

#include <QObject>

#include <functional>
#include <memory>

namespace sunset {

// How to reach and read AD for one live read: the desktop app's scan (AdLiveScan), sunset-cli's commands and the
// wizard's checks (app/services' AdSource) alike.
struct AdLiveScanSettings {
    DcConnectionSettings dc; // which domain controller, how to bind, the base DN
    QByteArray password;     // for a simple bind; held only until the bind, never written anywhere
    int pageSize = 1000;
    // Incremental rescans (readAdSnapshotIncrementally): the profile's directory for the AD cursor and kept
    // entries; empty: a full read, nothing kept.
    QString stateDirectory;
    bool fullRead = false;
    int maxCursorAgeDays = 7;
};

// Reads every mailbox from AD on a thread of its own, with its own connection (an LDAP* belongs to one thread),
// so the GUI stays responsive: entries stream page by page into the snapshot, progress (entries so far) and
// the result arrive as queued signals, cancel() takes effect at the next page. No nested event loop.
class AdLiveScan final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdLiveScan)

public:
    explicit AdLiveScan(QObject* parent = nullptr);
    ~AdLiveScan() override; // cancels and waits for the worker

    void start(AdLiveScanSettings settings); // ignored while a scan runs
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progress(qint64 entries);
    // Just before finished(): which read it was (incremental, or full and why), for the status.
    void readDescribed(const QString& description);
    void finished(std::shared_ptr<const sunset::Snapshot> snapshot);
    void failed(const QString& message); // what failed and what to do; "cancelled" after cancel()

private:
    // The outcome: finished or failed, emitted on this object's thread.
    BackgroundTask<std::function<void(AdLiveScan&)>> m_task{this, QStringLiteral("sunset-ad-scan")};
};

} // namespace sunset
