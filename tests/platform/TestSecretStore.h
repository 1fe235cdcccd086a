// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QTemporaryDir>

class TestSecretStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void entryNames();
    void withoutKeyringTheErrorIsClearAndNothingIsWritten();
    void withKeyringRememberRecallForget();

private:
    QTemporaryDir m_home;
    bool m_keyring = false;
};
