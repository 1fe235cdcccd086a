// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON and CSV literals in the .cpp.
class TestGraphUsersJsonReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void page();
    void bareArrayOfUsers();
    void arrayOfPages();
    void removedUsersInDeltaPagesAreLeftOut();
    void userWithoutId();
    void wrongShapes();
    void cancel();
};
