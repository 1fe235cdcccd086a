// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudLiveScan.h"
#include "ConnectionProfile.h"
#include "DriftScan.h"
#include "ImportError.h"
#include "ScanProgress.h"
#include "platform/BackgroundTask.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

namespace sunset {

struct CloudScanResult;

// One scan: both sides read at the same time off the GUI thread (each from snapshot files or live), then matched
// and compared on a thread of their own. Progress per side (with its rate), the result and errors come back as queued
// calls on the loader's thread; nothing waits in a nested event loop. Cancel stops both sides; starting a new
// scan cancels the running one, whose late results are dropped. A side's reader that was cancelled finishes on
// its own and deletes itself, so cancel() never blocks the GUI.
class ScanLoader final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanLoader)

public:
    using NameOrder = std::shared_ptr<const std::vector<quint32>>;

    explicit ScanLoader(QObject* parent = nullptr);
    ~ScanLoader() override; // cancels and waits for the workers

    void start(const ScanRequest& request, const DriftOptions& options = {});
    void start(const ReportSources& files, const DriftOptions& options = {})
    {
        start(ScanRequest{ConnectionProfile::fromFiles(files), {}}, options);
    }
    void cancel();
    bool isRunning() const { return m_running; }
    // Readers still under way, cancelled ones included (tests wait for 0 after a cancel).
    int activeReaders() const;

Q_SIGNALS:
    void started(const sunset::ConnectionProfile& profile);
    void sideProgress(sunset::ScanSide side, const sunset::SideProgress& progress);
    void comparing(); // both sides read: matching and comparing
    // Device code sign-in: show this to the admin (open the URL, enter the code).
    void deviceCodeReady(const QString& userCode, const QUrl& verificationUri, const QString& message,
                         qint64 expiresInSeconds);
    void signedIn(); // the device code was used: its dialog can close
    // Just before finished(): where the AD side was read from, with the password typed for this scan (empty for
    // an LDIF file or a Kerberos bind), so the writeback can apply to the same directory with the same settings.
    // The loader keeps the password only while the scan runs; a receiver that keeps it keeps it in memory only.
    void adSourceRead(const sunset::AdSourceProfile& ad, const QByteArray& password);
    // Just before finished(), when the cloud side was read live: the sign-in it used (credentials in memory only),
    // for "Ask Cloud Sync to write it back now" (OnDemandFlow).
    void cloudSourceRead(const sunset::CloudScanSettings& settings);
    void finished(std::shared_ptr<const sunset::DriftScan> scan, sunset::ScanLoader::NameOrder nameOrder);
    void failed(const sunset::ImportError& error);
    void cancelled();

private:
    struct Side {
        QPointer<QObject> reader;
        std::shared_ptr<Snapshot> snapshot;
        QElapsedTimer clock;
        SideProgress progress;
    };

    Side& side(ScanSide s) { return s == ScanSide::Ad ? m_ad : m_cloud; }
    void startAd(const AdSourceProfile& profile, const ScanSecrets& secrets);
    void startCloud(const CloudSourceProfile& profile, const ScanSecrets& secrets);
    void report(ScanSide s, SideProgress::Stage stage, const QString& what, SideProgress::Unit unit, qint64 done,
                qint64 total);
    void sideFinished(ScanSide s, std::shared_ptr<Snapshot> snapshot);
    void sideFailed(ScanSide s, const ImportError& error);
    void retireReaders(); // cancel both sides' readers and let them delete themselves
    void compareWhenBothRead();

    Side m_ad;
    Side m_cloud;
    ConnectionProfile m_profile;
    std::optional<CloudScanSettings> m_cloudSettings; // the running live cloud scan's, for cloudSourceRead()
    QByteArray m_adPassword; // the running scan's, for adSourceRead(); cleared when it ends
    DriftOptions m_options;
    // The last live cloud read, which a rescan of the same tenant continues from (Graph delta).
    std::shared_ptr<const CloudScanResult> m_previousCloud;
    std::shared_ptr<const CloudSyncState> m_liveCloudSync; // read by the live cloud scan, for its comparison
    QString m_previousCloudKey;
    quint64 m_generation = 0;
    bool m_running = false;
    // Declared last, destroyed first: a cancelled comparison may still be finishing, and it reports to `this`.
    BackgroundTaskGroup<TaskOutcome> m_comparisons{this, QStringLiteral("sunset-compare")};
};

} // namespace sunset

Q_DECLARE_METATYPE(sunset::ScanLoader::NameOrder)
