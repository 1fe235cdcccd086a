// SPDX-License-Identifier: Apache-2.0
// Writes are refused at the LDAP layer's entry point, whoever calls it: the pipeline (LdapModifyPipeline::run,
// modifyEntry) sends only an ApprovedModify, and ApprovedModify::approve refuses an attribute outside Sunset's
// writable catalog, a mailbox not marked cloud-managed and a batch that is not approved. Each refusal is shown
// twice against the Samba test domain: at the factory (nothing can be handed to the pipeline) and through the
// history's BatchApplier with a batch recorded behind the GUI's and CLI's guard rails (WritebackBatch::fromObjects,
// as an undo or a tampered file would give it); the entry is read back unchanged. A positive control writes the
// same change through an approved, cloud-managed batch, so the refusals are not the server's doing.
#include "support/BreakGlassForTests.h"
#include "support/TemporaryHistory.h"
#include "BatchApplier.h"
#include "HistoryStore.h"
#include "LdapConnection.h"
#include "LdapModify.h"
#include "support/samba/SambaTestDomain.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestWriteGuardsLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void attributeOutsideTheWritableCatalog_data();
    void attributeOutsideTheWritableCatalog();
    void readOnlyCatalogAttributeInAnApprovedBatch();
    void mailboxNotCloudManaged();
    void batchNotApproved_data();
    void batchNotApproved();
    void unapprovedBatchNotApplied();
    void approvedCloudManagedBatchIsWritten();

private:
    QByteArrayList valuesOf(const QByteArray& attribute);
    // A batch of one change of m_dn, recorded as given (no guard rails run), in a history of its own.
    qint64 recordBatch(HistoryStore& store, AttributeId attribute, const QStringList& before, const QString& after,
                       bool cloudManaged);
    HistoryActor tester() const { return {u"tester"_s, m_domain.bindUpn()}; }
    static QStringList text(const QByteArrayList& values);

    SambaTestDomain m_domain;
    std::unique_ptr<LdapConnection> m_connection;
    QByteArray m_dn;
};

void TestWriteGuardsLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    m_connection = std::make_unique<LdapConnection>(options);
    const auto bindResult = m_connection->simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY2(bindResult, bindResult ? "" : qPrintable(bindResult.error().toString()));
    m_dn = "CN=Mailbox 00001," + m_domain.mailboxOu();
    QVERIFY(!valuesOf("mail").isEmpty());
}

QByteArrayList TestWriteGuardsLive::valuesOf(const QByteArray& attribute)
{
    LdapSearchRequest read;
    read.baseDn = m_dn;
    read.scope = LdapScope::Base;
    read.attributes = {attribute};
    read.pageSize = 0;
    QByteArrayList values;
    const auto searched = m_connection->search(read, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& a : entry.attributes)
            values << a.value.toByteArray();
        return {};
    });
    if (!searched)
        values << "read failed: " + searched.error().toString().toUtf8();
    return values;
}

QStringList TestWriteGuardsLive::text(const QByteArrayList& values)
{
    QStringList out;
    for (const QByteArray& v : values)
        out << QString::fromUtf8(v);
    return out;
}

qint64 TestWriteGuardsLive::recordBatch(HistoryStore& store, AttributeId attribute, const QStringList& before,
                                        const QString& after, bool cloudManaged)
{
    const auto id = store.createBatch(WritebackBatch::fromObjects(
        {{QString::fromUtf8(m_dn), {}, {{attribute, before, QStringList{after}}}, cloudManaged}}));
    if (!id) {
        qWarning("%s", qPrintable(id.error().message));
        return 0;
    }
    const auto changes = store.changes(id.value());
    if (!changes || changes->size() != 1 || changes->front().cloudManaged != cloudManaged) {
        qWarning("batch %lld: the change row does not hold cloud_managed as recorded", id.value());
        return 0;
    }
    return id.value();
}

void TestWriteGuardsLive::attributeOutsideTheWritableCatalog_data()
{
    QTest::addColumn<QByteArray>("attribute");
    QTest::addColumn<QString>("why");
    QTest::newRow("outside the catalog") << QByteArray("description") << u"not an attribute of Sunset's catalog"_s;
    QTest::newRow("outside the catalog, privileged") << QByteArray("userAccountControl") << u"catalog"_s;
    QTest::newRow("catalog name with an option") << QByteArray("extensionAttribute14;binary") << u"catalog"_s;
    QTest::newRow("catalog, read-only") << QByteArray("targetAddress") << u"read-only"_s;
}

void TestWriteGuardsLive::attributeOutsideTheWritableCatalog()
{
    QFETCH(QByteArray, attribute);
    QFETCH(QString, why);
    const QByteArray plain = attribute.split(';').front();
    const QByteArrayList before = valuesOf(plain);
    const ModifyRequest request{7, m_dn, {{attribute, before, {"written by an attacker"}}}};
    // Even from an approved batch of a cloud-managed mailbox.
    const auto modify = ApprovedModify::approve(request, {3, BatchState::Approved, true});
    QVERIFY(!modify);
    QVERIFY2(modify.error().contains(why), qPrintable(modify.error()));
    QVERIFY2(modify.error().contains(u"Mailbox 00001"_s), qPrintable(modify.error())); // names the object
    QVERIFY(whyModifyRefused(request)); // the pipeline's own check before sending says no, too
    QCOMPARE(valuesOf(plain), before);
    QVERIFY(m_connection->isConnected());
}

void TestWriteGuardsLive::readOnlyCatalogAttributeInAnApprovedBatch()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArrayList before = valuesOf("targetAddress");
    const qint64 id =
        recordBatch(history.store(), AttributeId::TargetAddress, text(before), u"SMTP:attacker@evil.test"_s, true);
    QVERIFY(id);
    QVERIFY(history->approveBatch(id, sunset::test::breakGlass()));
    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id);
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QCOMPARE(report->refused, qint64(1));
    QCOMPARE(report->applied, qint64(0));
    const auto changes = history->changes(id);
    QVERIFY(changes);
    QCOMPARE(changes->front().state, ChangeState::Refused);
    QVERIFY2(changes->front().ldapMessage.contains(u"read-only"_s), qPrintable(changes->front().ldapMessage));
    QCOMPARE(changes->front().ldapCode, 0); // Sunset decided; the server never saw it
    QCOMPARE(valuesOf("targetAddress"), before);
}

void TestWriteGuardsLive::mailboxNotCloudManaged()
{
    const QByteArrayList before = valuesOf("extensionAttribute14");
    const ModifyRequest request{8, m_dn, {{"extensionAttribute14", before, {"on-premises owned"}}}};
    const auto modify = ApprovedModify::approve(request, {4, BatchState::Approved, false});
    QVERIFY(!modify);
    QVERIFY2(modify.error().contains(u"not marked cloud-managed"_s), qPrintable(modify.error()));
    QVERIFY(!whyModifyRefused(request)); // a well-formed change of a writable attribute: only this guard stops it

    // Recorded without the fact (as a batch planned around the GUI's guard rails would be), approved, applied.
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const qint64 id =
        recordBatch(history.store(), AttributeId::ExtensionAttribute14, text(before), u"on-premises owned"_s, false);
    QVERIFY(id);
    QVERIFY(history->approveBatch(id, sunset::test::breakGlass()));
    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id);
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QCOMPARE(report->refused, qint64(1));
    QCOMPARE(report->applied, qint64(0));
    const auto changes = history->changes(id);
    QVERIFY(changes);
    QCOMPARE(changes->front().state, ChangeState::Refused);
    QVERIFY2(changes->front().ldapMessage.contains(u"not marked cloud-managed"_s),
             qPrintable(changes->front().ldapMessage));
    QCOMPARE(valuesOf("extensionAttribute14"), before);
}

void TestWriteGuardsLive::batchNotApproved_data()
{
    QTest::addColumn<BatchState>("state");
    QTest::addColumn<QString>("why");
    QTest::newRow("planned") << BatchState::Planned << u"not approved"_s;
    QTest::newRow("cancelled") << BatchState::Cancelled << u"cancelled"_s;
    QTest::newRow("applied") << BatchState::Applied << u"already applied"_s;
}

void TestWriteGuardsLive::batchNotApproved()
{
    QFETCH(BatchState, state);
    QFETCH(QString, why);
    const QByteArrayList before = valuesOf("extensionAttribute14");
    const ModifyRequest request{9, m_dn, {{"extensionAttribute14", before, {"never approved"}}}};
    const auto modify = ApprovedModify::approve(request, {5, state, true});
    QVERIFY(!modify);
    QVERIFY2(modify.error().contains(why), qPrintable(modify.error()));
    QVERIFY2(modify.error().contains(u"batch 5"_s), qPrintable(modify.error()));
    QCOMPARE(valuesOf("extensionAttribute14"), before);
}

void TestWriteGuardsLive::unapprovedBatchNotApplied()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArrayList before = valuesOf("extensionAttribute14");
    const qint64 planned =
        recordBatch(history.store(), AttributeId::ExtensionAttribute14, text(before), u"never approved"_s, true);
    QVERIFY(planned);
    const qint64 cancelled = recordBatch(history.store(), AttributeId::ExtensionAttribute14, text(before),
                                         u"approved, then cancelled"_s, true);
    QVERIFY(cancelled);
    QVERIFY(history->approveBatch(cancelled, sunset::test::breakGlass()));
    QVERIFY(history->setBatchState(cancelled, BatchState::Cancelled));
    BatchApplier applier(history.store(), *m_connection);
    for (const qint64 id : {planned, cancelled}) {
        const auto report = applier.apply(id);
        QVERIFY(!report);
        QVERIFY2(report.error().message.contains(u"only an approved batch"_s), qPrintable(report.error().message));
        const auto changes = history->changes(id);
        QVERIFY(changes);
        QCOMPARE(changes->front().state, ChangeState::Planned); // nothing journalled as sent
    }
    QCOMPARE(valuesOf("extensionAttribute14"), before);
}

void TestWriteGuardsLive::approvedCloudManagedBatchIsWritten()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArrayList before = valuesOf("extensionAttribute14");
    const qint64 id =
        recordBatch(history.store(), AttributeId::ExtensionAttribute14, text(before), u"guard control"_s, true);
    QVERIFY(id);
    QVERIFY(history->approveBatch(id, sunset::test::breakGlass()));
    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id);
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QVERIFY2(report->applied == 1, qPrintable(report->message));
    QCOMPARE(valuesOf("extensionAttribute14"), QByteArrayList{"guard control"});

    // Put the mailbox back through the product's own path: the undo batch inherits the cloud-managed fact.
    const auto undo = history->createUndoBatch(id);
    QVERIFY2(undo, qPrintable(undo.ok() ? QString() : undo.error().message));
    QVERIFY(history->approveBatch(undo.value(), sunset::test::breakGlass()));
    const auto undone = applier.apply(undo.value());
    QVERIFY2(undone && undone->applied == 1, qPrintable(undone ? undone->message : undone.error().message));
    QCOMPARE(valuesOf("extensionAttribute14"), before);
}

QTEST_GUILESS_MAIN(TestWriteGuardsLive)
#include "TestWriteGuardsLive.moc"
