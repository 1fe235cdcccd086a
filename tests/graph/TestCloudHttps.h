// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTemporaryDir>

class TestCloudHttps final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cliDiffOverVerifiedTls();
    void wrongCaFailsClearly();
    void liveCloudSyncEqualsItsFiles();

private:
    int cli(const QStringList& args, QString* errors = nullptr);
    // withSyncState: Cloud Sync's state read live too (else --no-sync-state).
    QStringList liveArgs(const QString& report, const QString& caFile, bool withSyncState = false) const;

    QString m_dir; // the fixture's directory: env, ca.pem, wrong-ca.pem, the tenant's files, secret
    QHash<QString, QString> m_env;
    QTemporaryDir m_work;
};
