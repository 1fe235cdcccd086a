// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON and CSV literals in the .cpp.
class TestExoMailboxJsonReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void capturedAdminApiPage();
    void windowsPowerShell51Shapes();
    void arrayAndSingleObject();
    void pageKeysAfterValueAreIgnored();
    void wrongShapes_data();
    void wrongShapes();
    void unknownPropertiesOfAnyShapeAreSkipped();
    void missingIdentity();
    void garbage();
    void utf16WithBom();
    void graphJoin();
    void progressAndCancel();
};
