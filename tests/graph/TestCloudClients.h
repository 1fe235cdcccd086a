// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON literals in the .cpp.
class TestCloudClients final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void endpointPolicy();
    void retryAfterIsDecimal();
    void secretSignIn();
    void certificateSignIn_data();
    void certificateSignIn();
    void certificateFromPkcs12();
    void wrongSecretShowsAadstsError();
    void unregisteredCertificateIsRefused();
    void graphRefusesPageSizeOver999();
    void usersPagedWithCount();
    void mailboxesPagedByRePost();
    void getMailboxStopsAtResultSize();
    void emulatorRefusesWhatTheServiceRefuses_data();
    void emulatorRefusesWhatTheServiceRefuses();
    void deviceCodePollNeedsItsClientId();
    void retryAfterDateIsReadOnTheClock();
    void faults_data();
    void faults();
    void secondRefusalOfATokenFails();
    void persistentOutageGivesUp();
    void tokenNeverFollowsAForeignNextLink();
    void cancel();
    void deltaRescan();
    void deviceCode_data();
    void deviceCode();
    void delegatedSecondResourceByRefreshToken();
    void delegatedSignInFailures_data();
    void delegatedSignInFailures();
    void mailboxesThroughV2Endpoint();
    void deltaGoneResyncs();
    void scanMatchesSnapshotFiles();
    void cliDiffLiveMatchesFiles();
    void cliDiffUsage();
    void cliDiffWithoutAuditLogPermission();
    void cliDiffSyncStateUsage();
    void cliDiffRescanReadsOnlyChanges();
    void cliDiffThroughDamagedPages();
    void cliDiffDeviceCode();
    void cliDiffExoApiV2();
    void cliDiffExoParallel();
    void damagedKeptStateMeansAFullRead();
};
