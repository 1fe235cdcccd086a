// SPDX-License-Identifier: Apache-2.0
// sunset-cli checklist check against the test DC: each AD-based step reports what samba-dc.sh seeded (the server,
// its Autodiscover SCP, the hybrid configuration, the Cloud Sync agent's gMSA, the organization's leftovers).
#include "CliCommands.h"
#include "ChecklistCommands.h"
#include "support/samba/SambaTestDomain.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestChecklistCliLive final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;
    QTemporaryDir m_dir;

    std::pair<int, QString> check(const QString& step, const QStringList& extra = {})
    {
        QString text;
        QTextStream out(&text);
        QTextStream err(&text);
        const int code = runCli(QStringList{u"checklist"_s, u"check"_s, step, u"--db"_s, m_dir.filePath(u"h.sqlite"_s),
                                            u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(),
                                            u"--password-file"_s, m_domain.passwordFile(), u"--ca"_s,
                                            m_domain.caFile()} + extra,
                                out, err);
        out.flush();
        err.flush();
        return {code, text};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    }

    void uninstallListsTheRegisteredServerAndItsScp()
    {
        const auto [code, text] = check(u"uninstall"_s);
        QVERIFY2(code == kChecklistNotPassed, qPrintable(text));
        QVERIFY(text.contains(u"1 Exchange server is still registered"_s));
        QVERIFY(text.contains(u"CN=EX01,CN=Servers,"_s));
        QVERIFY(text.contains(u"-> https://mail.sunset.test/Autodiscover/Autodiscover.xml"_s));
    }

    void hybridCleanupFindsTheConfigurationObjectAndSaysTheCloudIsMissing()
    {
        const auto [code, text] = check(u"hybrid-cleanup"_s);
        QCOMPARE(code, 1); // Exchange Online not given: the run cannot prove anything
        QVERIFY(text.contains(u"Exchange Online was not given"_s));
        QVERIFY(text.contains(u"CN=Hybrid Configuration,CN=Hybrid Configuration,CN=Sunset Test Org"_s));
    }

    void prerequisitesFindTheAgentAccount()
    {
        const auto [code, text] =
            check(u"prerequisites"_s, {u"--exo"_s, QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/demo-exo.json")});
        QVERIFY2(code == kChecklistNotPassed, qPrintable(text)); // attestations outstanding (and demo exceptions)
        QVERIFY(text.contains(u"CN=provAgentgMSA,CN=Managed Service Accounts,DC=sunset,DC=test"_s));
        QVERIFY(text.contains(u"directory-synced mailboxes"_s));
    }

    void verificationRunsAFreshScanWhenBothSidesAreGiven()
    {
        const auto [code, text] =
            check(u"verification"_s, {u"--exo"_s, QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/demo-exo.json")});
        QVERIFY2(code == kChecklistNotPassed, qPrintable(text)); // attestations outstanding at least
        QVERIFY2(text.contains(u"Fresh scan recorded as scan 1."_s), qPrintable(text));
        QVERIFY(text.contains(u"scan 1, finished "_s));
        QVERIFY(text.contains(u"The latest scan is recent."_s));
    }

    void postUninstallSortsWhatStaysFromWhatGoes()
    {
        const auto [code, text] = check(u"post-uninstall-cleanup"_s);
        QVERIFY2(code == kChecklistNotPassed, qPrintable(text));
        QVERIFY(text.contains(u"Keep: the Exchange schema extensions are present"_s));
        QVERIFY(text.contains(u"organization: CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=sunset,DC=test"_s));
        QVERIFY(text.contains(u"system objects: CN=Microsoft Exchange System Objects,DC=sunset,DC=test"_s));
        QVERIFY(text.contains(u"security groups: OU=Microsoft Exchange Security Groups,DC=sunset,DC=test"_s));
    }
};

QTEST_GUILESS_MAIN(TestChecklistCliLive)
#include "TestChecklistCliLive.moc"
