#pragma once

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QString>

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
};
