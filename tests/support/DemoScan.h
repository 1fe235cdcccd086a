// SPDX-License-Identifier: Apache-2.0
#pragma once

// The bundled demo tenant as a DriftScan, read through the same SnapshotFiles functions the app uses.
#include "DriftScan.h"
#include "SnapshotFiles.h"

#include <QTest>

#include <functional>

namespace sunset::test {

inline QString demoFile(const char* name)
{
    return QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name);
}

inline ReportSources demoSources()
{
    return {demoFile("demo-ad.ldif"), demoFile("demo-exo.json"), demoFile("demo-graph.json")};
}

// adjustCloudSync, when given, changes Cloud Sync's state before the scan is computed (e.g. the service principal a
// live read would have named).
inline std::shared_ptr<const DriftScan> loadDemoScan(const std::function<void(CloudSyncState&)>& adjustCloudSync = {})
{
    const ReportSources files = demoSources();
    auto graph = loadGraphUsersFile(files.graph);
    if (!graph) {
        qWarning("%s", qPrintable(graph.error().toString()));
        return {};
    }
    auto ad = loadAdSnapshotFile(files.ad);
    auto cloud = loadCloudSnapshotFile(files.exo, &graph.value());
    if (!ad || !cloud) {
        qWarning("%s", qPrintable((ad ? cloud.error() : ad.error()).toString()));
        return {};
    }
    // Cloud Sync's state as the app's demo reads it, so the causes are the measured ones.
    auto cloudSync = loadCloudSyncFiles(
        {demoFile("demo-sync-jobs.json"), demoFile("demo-sync-schema.json"), demoFile("demo-provisioning.json")});
    if (!cloudSync) {
        qWarning("%s", qPrintable(cloudSync.error().toString()));
        return {};
    }
    if (adjustCloudSync)
        adjustCloudSync(cloudSync.value());
    DriftOptions options;
    options.cloudSync = std::make_shared<const CloudSyncState>(std::move(cloudSync.value()));
    return DriftScan::compute(std::move(ad.value()), std::move(cloud.value()), files, options);
}

// The scan row of the matched mailbox with this UPN, -1 if none.
inline int rowOfUpn(const DriftScan& scan, QByteArrayView upn)
{
    for (size_t i = 0; i < scan.rows().size(); ++i)
        if (scan.userPrincipalName(scan.rows()[i]) == upn)
            return int(i);
    return -1;
}

} // namespace sunset::test
