// SPDX-License-Identifier: Apache-2.0
#include "FreshScan.h"

#include "DriftEngine.h"
#include "DriftSummary.h"
#include "HistoryStore.h"
#include "Matcher.h"
#include "ScanRecording.h"
#include "SnapshotFiles.h"
#include "StagedRun.h"
#include "platform/StageProgressFilter.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The fresh scan's stages (recordFreshScan): AD, the Graph users file, Exchange Online, then the comparison and its
// record. The blocking stages say their progress through their thread's post, so it reaches progress on this run's
// thread (and is dropped once the run's owner is gone).
class FreshScanRun final : public StagedRun<qint64> {
public:
    FreshScanRun(ChecklistSources sources, QString historyPath, HistoryActor actor, FreshScanProgress progress,
                 QObject* owner)
        : StagedRun<qint64>(owner, u"sunset-fresh-scan"_s)
        , m_sources(std::move(sources))
        , m_historyPath(std::move(historyPath))
        , m_actor(std::move(actor))
        , m_progress(std::move(progress))
    {
    }

    void start()
    {
        m_started = QDateTime::currentDateTimeUtc();
        readAd();
    }

private:
    // progress, callable from a blocking stage's thread: what changed crosses to this run's thread.
    static FreshScanProgress postedFrom(const TaskControl& control, const FreshScanProgress& progress)
    {
        if (!progress)
            return {};
        return [&control, progress, filter = std::make_shared<StageProgressFilter>()](const QString& stage,
                                                                                       double fraction) {
            if (filter->changed(stage, fraction))
                control.post([progress, stage, fraction] { progress(stage, fraction); });
        };
    }
    // A file read reports its fraction and stops when cancelled (the reader then returns a "cancelled" error).
    static LoadProgress fileProgress(const TaskControl& control, const FreshScanProgress& say, const QString& stage)
    {
        return [&control, say, stage](const QString&, double fraction) {
            if (say)
                say(stage, fraction);
            return !control.isCanceled();
        };
    }

    void readAd()
    {
        then(
            inBackground<Result<Snapshot>>([sources = m_sources, progress = m_progress](TaskControl& control) {
                const FreshScanProgress say = postedFrom(control, progress);
                if (!sources.adFile.isEmpty())
                    return loadAdSnapshotFile(sources.adFile,
                                              fileProgress(control, say, u"Reading AD from %1"_s.arg(sources.adFile)));
                if (say)
                    say(u"Connecting to %1"_s.arg(sources.ad->dc.uri), -1);
                LiveAd live;
                // The reads' warnings are not part of a checklist run: the findings say what matters.
                if (const Expected<void, QString> connected = connectLiveAd(*sources.ad, {}, live); !connected)
                    return Result<Snapshot>(ImportError{{}, 0, {}, connected.error()});
                return readLiveAdSnapshot(live, {}, [&](qint64 entries) {
                    if (say)
                        say(u"Reading AD from %1 … %2 entries"_s.arg(sources.ad->dc.uri).arg(entries), -1);
                    return !control.isCanceled();
                });
            }),
            [this](Snapshot ad) {
                m_ad = std::move(ad);
                readGraphUsers();
            },
            u"The fresh scan could not read AD: "_s);
    }

    // Live, the cloud read reads the users itself.
    void readGraphUsers()
    {
        if (m_sources.exoFile.isEmpty() || m_sources.graphFile.isEmpty()) {
            readCloud({});
            return;
        }
        then(
            inBackground<Result<GraphDirectory>>(
                [path = m_sources.graphFile, progress = m_progress](TaskControl& control) {
                    return loadGraphUsersFile(path, fileProgress(control, postedFrom(control, progress),
                                                                 u"Reading Graph users from %1"_s.arg(path)));
                }),
            [this](GraphDirectory users) { readCloud(std::move(users)); },
            u"The fresh scan could not read the Graph users: "_s);
    }

    void readCloud(GraphDirectory users)
    {
        const QString failurePrefix = u"The fresh scan could not read Exchange Online: "_s;
        if (m_sources.exoFile.isEmpty()) {
            CloudScanProgress pages;
            if (m_progress)
                pages = [progress = m_progress](CloudLiveScan::Service service, qint64 done, qint64, double) {
                    progress(u"Reading %1 … %2"_s.arg(cloudServiceName(service)).arg(done), -1);
                };
            then(
                readCloudSnapshot(*m_sources.cloud, {}, pages, parent()),
                [this](CloudSnapshotRead read) { compareAndRecord(std::move(read.mailboxes)); }, failurePrefix);
            return;
        }
        then(
            inBackground<Result<Snapshot>>([sources = m_sources, progress = m_progress,
                                            users = std::move(users)](TaskControl& control) {
                return loadCloudSnapshotFile(sources.exoFile, sources.graphFile.isEmpty() ? nullptr : &users,
                                             fileProgress(control, postedFrom(control, progress),
                                                          u"Reading Exchange Online from %1"_s.arg(sources.exoFile)));
            }),
            [this](Snapshot cloud) { compareAndRecord(std::move(cloud)); }, failurePrefix);
    }

    // Recorded as sunset-cli diff records a scan, on a thread of its own with its own history connection (a Qt SQL
    // connection belongs to the thread that made it).
    void compareAndRecord(Snapshot cloud)
    {
        then(inBackground<Expected<qint64, QString>>(
                 [ad = std::move(m_ad), cloud = std::move(cloud), sources = m_sources, path = m_historyPath,
                  actor = m_actor, started = m_started, progress = m_progress](TaskControl& control) {
                     const FreshScanProgress say = postedFrom(control, progress);
                     if (say)
                         say(u"Comparing AD with Exchange Online"_s, -1);
                     const DriftReport report = computeDrift(ad, cloud, matchMailboxes(ad.records, cloud.records));
                     const DriftSummary summary = summarize(report, ad, cloud);
                     if (control.isCanceled())
                         return Expected<qint64, QString>(u"cancelled before the scan was recorded"_s);
                     const ReportSources names{sources.adFile.isEmpty() ? sources.ad->dc.uri : sources.adFile,
                                               sources.exoFile.isEmpty() ? cloud.source : sources.exoFile,
                                               sources.graphFile};
                     if (say)
                         say(u"Recording the scan"_s, -1);
                     auto history = HistoryStore::open(path, actor);
                     if (!history)
                         return Expected<qint64, QString>(history.error().message);
                     HistoryResult<qint64> id = history.value()->recordScan(
                         scanRecord({report, ad, cloud, summary, names}, started, QDateTime::currentDateTimeUtc()));
                     if (!id)
                         return Expected<qint64, QString>(id.error().message);
                     return Expected<qint64, QString>(id.value());
                 }),
             [this](qint64 id) { succeed(id); });
    }

    ChecklistSources m_sources;
    QString m_historyPath;
    HistoryActor m_actor;
    FreshScanProgress m_progress;
    QDateTime m_started;
    Snapshot m_ad;
};

} // namespace

bool canRecordFreshScan(const ChecklistSources& sources)
{
    return (sources.ad || !sources.adFile.isEmpty()) && (sources.cloud || !sources.exoFile.isEmpty());
}

QFuture<Expected<qint64, QString>> recordFreshScan(const ChecklistSources& sources, const QString& historyPath,
                                                   const HistoryActor& actor, const FreshScanProgress& progress,
                                                   QObject* owner)
{
    Q_ASSERT(canRecordFreshScan(sources));
    auto* run = new FreshScanRun(sources, historyPath, actor, progress, owner);
    QFuture<Expected<qint64, QString>> future = run->future();
    run->start();
    return future;
}

} // namespace sunset
