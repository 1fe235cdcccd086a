// SPDX-License-Identifier: Apache-2.0
#include "ScanInputs.h"

#include "StagedRun.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The reads of one comparison, in turn: AD (and the Graph users file), then Exchange Online, then Cloud Sync's
// files unless the live read brought its state. Each blocking read is a backgroundFuture, the live cloud read is
// readCloudSnapshot.
class ScanInputsRun final : public StagedRun<ScanInputs> {
public:
    ScanInputsRun(ScanInputRequest request, ScanInputProgress progress, QObject* owner)
        : StagedRun<ScanInputs>(owner, u"sunset-scan-inputs"_s)
        , m_request(std::move(request))
        , m_progress(std::move(progress))
    {
        m_inputs.options.asOfMsecs = m_request.asOfMsecs;
        m_inputs.sources = ReportSources{m_request.liveAd ? m_request.liveAd->dc.uri : m_request.adFile,
                                         m_request.exoFile, m_request.graphFile};
    }

    void start() { readAd(); }

private:
    struct AdRead {
        GraphDirectory graphUsers; // from the Graph users file, when one is given
        Snapshot ad;
        QString adReadNote;
    };

    void readAd()
    {
        then(inBackground<Expected<AdRead, QString>>(
                 [request = m_request, progress = m_progress](TaskControl&) -> Expected<AdRead, QString> {
                     AdRead read;
                     if (!request.graphFile.isEmpty()) {
                         auto users = loadGraphUsersFile(request.graphFile, progress.files);
                         if (!users)
                             return users.error().toString();
                         read.graphUsers = std::move(users.value());
                     }
                     Result<Snapshot> ad = readAdSide(request, progress, read.adReadNote);
                     if (!ad)
                         return ad.error().toString();
                     read.ad = std::move(ad.value());
                     return read;
                 }),
             [this](AdRead read) {
                 m_inputs.ad = std::move(read.ad);
                 m_inputs.adReadNote = std::move(read.adReadNote);
                 readCloud(std::move(read.graphUsers));
             });
    }

    static Result<Snapshot> readAdSide(const ScanInputRequest& request, const ScanInputProgress& progress,
                                       QString& readNote)
    {
        if (!request.liveAd)
            return loadAdSnapshotFile(request.adFile, progress.files);
        LiveAd connected;
        if (const auto ready = connectLiveAd(*request.liveAd, progress.report, connected); !ready)
            return ImportError{{}, 0, {}, ready.error()};
        ReadProgress entries;
        if (progress.adEntries)
            entries = [&progress, where = connected.connection->host()](qint64 n) {
                return progress.adEntries(where, n);
            };
        return readLiveAdSnapshotIncrementally(connected, *request.liveAd, entries, progress.report, readNote);
    }

    void readCloud(GraphDirectory graphUsers)
    {
        if (m_request.liveCloud) {
            then(readCloudSnapshot(*m_request.liveCloud, m_progress.report, m_progress.cloud, parent()),
                 [this](CloudSnapshotRead read) {
                     m_inputs.sources.exo = read.mailboxes.source;
                     m_inputs.sources.graph = read.users.source;
                     m_inputs.cloud = std::move(read.mailboxes);
                     m_inputs.options.cloudSync = std::move(read.cloudSync);
                     readCloudSyncFiles();
                 });
            return;
        }
        then(inBackground<Result<Snapshot>>(
                 [request = m_request, progress = m_progress, graphUsers = std::move(graphUsers)](TaskControl&) {
                     return loadCloudSnapshotFile(request.exoFile, request.graphFile.isEmpty() ? nullptr : &graphUsers,
                                                  progress.files);
                 }),
             [this](Snapshot cloud) {
                 m_inputs.cloud = std::move(cloud);
                 readCloudSyncFiles();
             });
    }

    void readCloudSyncFiles()
    {
        if (m_inputs.options.cloudSync) { // read live with the tenant
            succeed(std::move(m_inputs));
            return;
        }
        struct SyncRead {
            CloudSyncState state;
            QStringList unattachedSchemas;
        };
        then(inBackground<Expected<SyncRead, QString>>(
                 [files = m_request.syncFiles, progress = m_progress](TaskControl&) -> Expected<SyncRead, QString> {
                     SyncRead read;
                     auto state = loadCloudSyncFiles(files, &read.unattachedSchemas, progress.files);
                     if (!state)
                         return state.error().toString();
                     read.state = std::move(state.value());
                     return read;
                 }),
             [this](SyncRead read) {
                 m_inputs.options.cloudSync = std::make_shared<const CloudSyncState>(std::move(read.state));
                 m_inputs.unattachedSchemas = std::move(read.unattachedSchemas);
                 succeed(std::move(m_inputs));
             });
    }

    ScanInputRequest m_request;
    ScanInputProgress m_progress;
    ScanInputs m_inputs;
};

} // namespace

QFuture<Expected<ScanInputs, QString>> loadScanInputs(const ScanInputRequest& request,
                                                      const ScanInputProgress& progress, QObject* owner)
{
    auto* run = new ScanInputsRun(request, progress, owner);
    QFuture<Expected<ScanInputs, QString>> future = run->future();
    run->start();
    return future;
}

} // namespace sunset
