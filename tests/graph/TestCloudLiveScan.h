// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class TestCloudLiveScan final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void progressArrivesWhileTheCallerRuns();
    void cancelStopsTheScan();
    void faultFailsClearly();
    void damagedPagesAreReadAgain();
    void deviceCodeForTheGui();
    void rescanFetchesOnlyChanges();
    void interruptedScanResumes();
    void nothingConfigured();
    void cloudSyncReadAfterTheMailboxes();
};
