// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

// The facts samba-dc.sh wrote about the test domain ($SUNSET_SAMBA_DIR/env, KEY=VALUE lines).
struct SambaTestDomain {
    QHash<QString, QString> values;
    QString error; // empty when loaded

    static SambaTestDomain load()
    {
        SambaTestDomain domain;
        const QString dir = qEnvironmentVariable("SUNSET_SAMBA_DIR");
        if (dir.isEmpty()) {
            domain.error = QStringLiteral("SUNSET_SAMBA_DIR is not set: run this test through ctest (fixture SambaDc)");
            return domain;
        }
        QFile file(dir + QStringLiteral("/env"));
        if (!file.open(QIODevice::ReadOnly)) {
            domain.error = file.fileName() + QStringLiteral(" is missing: did SambaDcStart fail?");
            return domain;
        }
        for (const QByteArray& line : file.readAll().split('\n')) {
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                domain.values.insert(QString::fromUtf8(line.first(eq)), QString::fromUtf8(line.sliced(eq + 1)));
        }
        return domain;
    }

    QString value(const char* key) const { return values.value(QString::fromLatin1(key)); }
    QString ldapsUri() const { return value("SUNSET_TEST_LDAPS_URI"); }
    QString ldapUri() const { return value("SUNSET_TEST_LDAP_URI"); }
    QString caFile() const { return value("SUNSET_TEST_CA_FILE"); }
    QString otherCaFile() const { return value("SUNSET_TEST_OTHER_CA_FILE"); }
    QString bindUpn() const { return value("SUNSET_TEST_BIND_UPN"); }
    QString bindDn() const { return value("SUNSET_TEST_BIND_DN"); }
    QString passwordFile() const { return value("SUNSET_TEST_PASSWORD_FILE"); }
    QByteArray baseDn() const { return value("SUNSET_TEST_BASE_DN").toUtf8(); }
    QByteArray mailboxOu() const { return value("SUNSET_TEST_MAILBOX_OU").toUtf8(); }
    qint64 mailboxes() const { return value("SUNSET_TEST_MAILBOXES").toLongLong(); }

    QByteArray password() const
    {
        QFile file(passwordFile());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // Runs an OpenLDAP client (ldapsearch, ldapmodify, ldapdelete) against the domain over LDAPS with the CA
    // checked, bound as the test account, input on its stdin: what it printed, or nullopt when it failed (its
    // stderr logged unless mayFail). The generous timeout is for deleting a test's thousand objects on a busy CI
    // machine.
    std::optional<QByteArray> runLdapTool(const QString& tool, const QStringList& arguments,
                                          const QByteArray& input = {}, bool mayFail = false) const
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("LDAPTLS_CACERT"), caFile());
        environment.insert(QStringLiteral("LDAPTLS_REQCERT"), QStringLiteral("hard"));
        process.setProcessEnvironment(environment);
        process.start(tool, QStringList{QStringLiteral("-x"), QStringLiteral("-H"), ldapsUri(), QStringLiteral("-D"),
                                        bindUpn(), QStringLiteral("-y"), passwordFile()} +
                                arguments);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(180'000) || process.exitStatus() != QProcess::NormalExit ||
            process.exitCode() != 0) {
            if (!mayFail)
                qWarning("%s failed (exit %d): %s", qPrintable(tool), process.exitCode(),
                         process.readAllStandardError().constData());
            return std::nullopt;
        }
        return process.readAllStandardOutput();
    }
};
