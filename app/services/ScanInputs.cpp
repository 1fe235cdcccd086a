// SPDX-License-Identifier: Apache-2.0
#include "ScanInputs.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

Expected<ScanInputs, QString> loadScanInputs(const ScanInputRequest& request, const ScanInputProgress& progress)
{
    ScanInputs inputs;
    inputs.options.asOfMsecs = request.asOfMsecs;
    GraphDirectory graphUsers;
    inputs.sources =
        ReportSources{request.liveAd ? request.liveAd->dc.uri : request.adFile, request.exoFile, request.graphFile};
    if (!request.graphFile.isEmpty()) {
        auto users = loadGraphUsersFile(request.graphFile, progress.files);
        if (!users)
            return users.error().toString();
        graphUsers = std::move(users.value());
    }
    auto adSnapshot = [&]() -> Result<Snapshot> {
        if (!request.liveAd)
            return loadAdSnapshotFile(request.adFile, progress.files);
        LiveAd connected;
        if (const auto failure = connectLiveAd(*request.liveAd, progress.report, connected))
            return ImportError{{}, 0, {}, *failure};
        ReadProgress entries;
        if (progress.adEntries)
            entries = [&progress, where = connected.connection->host()](qint64 n) {
                return progress.adEntries(where, n);
            };
        return readLiveAdSnapshotIncrementally(connected, *request.liveAd, entries, progress.report, inputs.adReadNote);
    }();
    if (!adSnapshot)
        return adSnapshot.error().toString();
    std::shared_ptr<const CloudSyncState> liveSync;
    auto cloudSnapshot =
        request.liveCloud
            ? scanCloudSnapshot(*request.liveCloud, progress.report, graphUsers, nullptr, progress.cloud, &liveSync)
            : loadCloudSnapshotFile(request.exoFile, request.graphFile.isEmpty() ? nullptr : &graphUsers,
                                    progress.files);
    if (request.liveCloud && cloudSnapshot) {
        inputs.sources.exo = cloudSnapshot.value().source;
        inputs.sources.graph = graphUsers.source;
    }
    if (!cloudSnapshot)
        return cloudSnapshot.error().toString();
    if (liveSync) {
        inputs.options.cloudSync = liveSync;
    } else {
        auto cloudSync = loadCloudSyncFiles(request.syncFiles, &inputs.unattachedSchemas, progress.files);
        if (!cloudSync)
            return cloudSync.error().toString();
        inputs.options.cloudSync = std::make_shared<const CloudSyncState>(std::move(cloudSync.value()));
    }
    inputs.ad = std::move(adSnapshot.value());
    inputs.cloud = std::move(cloudSnapshot.value());
    return inputs;
}

} // namespace sunset
