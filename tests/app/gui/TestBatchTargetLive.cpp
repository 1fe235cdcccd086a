// SPDX-License-Identifier: Apache-2.0
// The desktop app's live apply path against the Samba AD DC: an approved batch sent by BatchApplyRunner on its
// worker thread through LdapBatchTarget, whose connection factory connects and binds on that thread; results
// come back by queued signals and the directory holds the new values. A factory that cannot bind fails the run
// with the reason and sends nothing. Uses a contact in an OU of its own, removed at the end.
#include "support/BreakGlassForTests.h"
#include "support/TemporaryHistory.h"
#include "BatchApplyRunner.h"
#include "LdapBatchTarget.h"
#include "support/samba/SambaTestDomain.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestBatchTargetLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void runnerAppliesThroughFactoryConnection();
    void bindFailureFailsTheRun();

private:
    bool runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                     bool mayFail = false);
    qint64 approvedBatch(HistoryStore& store, const QString& before, const QString& after);
    LdapBatchTarget::ConnectionFactory factory(QByteArray password, Qt::HANDLE* thread = nullptr);

    SambaTestDomain m_domain;
    QByteArray m_ou;
    QByteArray m_contact;
    HistoryActor tester() const { return {u"tester"_s, m_domain.bindUpn()}; }
};

void TestBatchTargetLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    m_ou = "OU=Sunset GUI Apply Tests," + m_domain.baseDn();
    m_contact = "CN=Gui Apply," + m_ou;
    runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
    QVERIFY(runLdapTool(u"ldapadd"_s, {},
                        "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\ndn: " + m_contact +
                            "\nobjectClass: contact\nextensionAttribute4: before\n\n"));
}

void TestBatchTargetLive::cleanupTestCase()
{
    if (!m_ou.isEmpty())
        QVERIFY(runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
}

bool TestBatchTargetLive::runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input,
                                      bool mayFail)
{
    return m_domain.runLdapTool(tool, arguments, input, mayFail).has_value();
}

qint64 TestBatchTargetLive::approvedBatch(HistoryStore& store, const QString& before, const QString& after)
{
    auto id = store.createBatch(WritebackBatch::fromObjects(
        {{QString::fromUtf8(m_contact),
          {},
          {{AttributeId::ExtensionAttribute4, QStringList{before}, QStringList{after}}},
          true}})); // a cloud-managed mailbox: the LDAP layer writes no other
    if (!id || !store.approveBatch(id.value(), sunset::test::breakGlass()))
        return 0;
    return id.value();
}

LdapBatchTarget::ConnectionFactory TestBatchTargetLive::factory(QByteArray password, Qt::HANDLE* thread)
{
    return [this, password, thread]() -> LdapResult<std::unique_ptr<LdapConnection>> {
        if (thread)
            *thread = QThread::currentThreadId();
        LdapConnectionOptions options;
        options.uri = m_domain.ldapsUri();
        options.caFile = m_domain.caFile();
        options.networkTimeout = std::chrono::seconds(5);
        auto connection = std::make_unique<LdapConnection>(options);
        if (auto bound = connection->simpleBind(m_domain.bindUpn(), password); !bound)
            return bound.error();
        return connection;
    };
}

void TestBatchTargetLive::runnerAppliesThroughFactoryConnection()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QString& path = history.path();
    const qint64 id = approvedBatch(history.store(), u"before"_s, u"after from the GUI"_s);
    QVERIFY(id > 0);

    Qt::HANDLE workerThread = nullptr;
    auto target = std::make_shared<LdapBatchTarget>(m_domain.ldapsUri(), m_domain.bindUpn(),
                                                    factory(m_domain.password(), &workerThread));
    BatchApplyRunner runner;
    QSignalSpy finished(&runner, &BatchApplyRunner::finished);
    QSignalSpy failed(&runner, &BatchApplyRunner::failed);
    std::vector<StoredChange> settled;
    QList<ChangeState> seen;
    connect(&runner, &BatchApplyRunner::changesSettled, this, [&](const std::vector<StoredChange>& c) {
        settled = c;
        seen << c.front().state;
    });
    QVERIFY(runner.apply(path, tester(), id, target));
    QVERIFY(finished.wait(60'000) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QVERIFY(workerThread && workerThread != QThread::currentThreadId()); // the connection was made off the GUI thread
    const ApplyReport report = finished.first().first().value<ApplyReport>();
    QCOMPARE(report.finalState, BatchState::Applied);
    QCOMPARE(settled.size(), size_t(1));
    QCOMPARE(settled[0].state, ChangeState::Applied);
    QCOMPARE(seen.first(), ChangeState::Pending); // journalled before sending, shown as it was
    QCOMPARE(history->batch(id)->state, BatchState::Applied);

    // Read back with the OpenLDAP tools: the directory holds the new value.
    QProcess search;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"LDAPTLS_CACERT"_s, m_domain.caFile());
    search.setProcessEnvironment(environment);
    search.start(u"ldapsearch"_s, {u"-x"_s, u"-LLL"_s, u"-H"_s, m_domain.ldapsUri(), u"-D"_s, m_domain.bindUpn(),
                                  u"-y"_s, m_domain.passwordFile(), u"-b"_s, QString::fromUtf8(m_contact), u"-s"_s,
                                  u"base"_s, u"extensionAttribute4"_s});
    QVERIFY(search.waitForFinished(60'000));
    QVERIFY2(search.readAllStandardOutput().contains("extensionAttribute4: after from the GUI"), "not written");
}

void TestBatchTargetLive::bindFailureFailsTheRun()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QString& path = history.path();
    const qint64 id = approvedBatch(history.store(), u"after from the GUI"_s, u"never"_s);
    QVERIFY(id > 0);
    auto target = std::make_shared<LdapBatchTarget>(m_domain.ldapsUri(), m_domain.bindUpn(),
                                                    factory("wrong password"));
    BatchApplyRunner runner;
    QSignalSpy failed(&runner, &BatchApplyRunner::failed);
    QVERIFY(runner.apply(path, tester(), id, target));
    QVERIFY(failed.wait(60'000));
    QVERIFY2(failed.first().first().toString().startsWith(u"Batch %1 was not applied:"_s.arg(id)),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(history->batch(id)->state, BatchState::Approved); // nothing sent, still to apply
    const auto changes = history->changes(id);
    QVERIFY(changes);
    for (const StoredChange& c : changes.value())
        QCOMPARE(c.state, ChangeState::Planned);
}

QTEST_MAIN(TestBatchTargetLive)
#include "TestBatchTargetLive.moc"
