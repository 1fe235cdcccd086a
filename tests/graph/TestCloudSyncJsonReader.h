// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON literals in the .cpp.
class TestCloudSyncJsonReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jobsPage();
    void jobsConcatenatedAndArrayOfPages();
    void jobNeverRunReadsAsNever();
    void schemaMappingsFromTheFirstRule();
    void schemasAttachToTheirJobs();
    void provisioningLogReducedPerObject();
    void provisioningFailuresKeptPastALaterSuccess();
    void provisioningDocVariants();
    void provisioningOfOtherJobsLeftOut();
    void cutJsonNamesFileAndPlace();
    void wrongShapeNamesPath();
    void secondJsonTextPlacesErrors();
    void syncedGroupsAndContacts();
    void isoDurations();
    void domainOfDn();
};
