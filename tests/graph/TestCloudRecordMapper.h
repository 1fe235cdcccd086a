// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON and CSV literals in the .cpp.
class TestCloudRecordMapper final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resolveIsCaseInsensitiveAndIgnoresAnnotations();
    void identityAndProperties();
    void recipientTypeNumbers_data();
    void recipientTypeNumbers();
    void primaryFromEmailAddresses();
    void windowsEmailAddressIsKeptWhenGiven();
    void booleansAcceptedSpellings();
    void badExternalDirectoryObjectId();
    void unparseableTimestampIsAbsentNotAnError();
    void missingIdentityIsAnError();
    void graphJoin();
};
