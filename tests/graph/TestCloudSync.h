// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Cloud Sync's state read live (CloudSyncClient) against the emulator's synchronization API and provisioning log.
class TestCloudSync final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void liveCausesEqualFiles();
    void provisioningPagedAndPaced();
    void throttleAnswerIsHonoured();
    void permissionLackingDegrades_data();
    void permissionLackingDegrades();
    void noServicePrincipalIsSaid();
    void checklistReadsJobsLiveWithoutTheLog();
    void checklistCancelStopsALiveRead();
    void emulatorRefusesUndocumentedQueries_data();
    void emulatorRefusesUndocumentedQueries();
};
