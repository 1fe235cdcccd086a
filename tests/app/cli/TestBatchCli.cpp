// SPDX-License-Identifier: Apache-2.0
// sunset-cli batch show / batch approve / apply --dry-run / history verify, run in-process on a history file.
#include "support/CliRun.h"
#include "support/BreakGlassForTests.h"
#include "CliCommands.h"
#include "HistoryStore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

using test::cli;
using test::CliRun;

} // namespace

class TestBatchCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showApproveDryRun();
    void verifyReportsTampering();
    void badInput();
    void dryRunOfPartialBatchShowsOnlyWhatIsStillSent();
    void largeBatchRefusalNamesTheOption();

private:
    QTemporaryDir m_dir;
    QString m_db;
};

void TestBatchCli::initTestCase()
{
    m_db = m_dir.filePath(u"history.sqlite"_s);
    auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
    QVERIFY(store);
    WritebackSelection s{u"CN=Zoë,OU=Sales,DC=x"_s, u"zoe@x.test"_s, u"true"_s, {}, {}};
    s.item.attribute = AttributeId::ExtensionAttribute1;
    s.item.writable = true;
    s.item.ad = {u"old"_s};
    s.item.adTarget = {u" new "_s};
    QCOMPARE(store.value()->createBatch(WritebackBatch::build(std::vector{s})).value(), 1);
}

void TestBatchCli::showApproveDryRun()
{
    CliRun run = cli({u"apply"_s, u"--batch"_s, u"1"_s, u"--dry-run"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"batch 1 is planned: only an approved batch is applied"_s), qPrintable(run.err));

    run = cli({u"batch"_s, u"show"_s, u"1"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"Batch 1: planned"_s), qPrintable(run.out));
    QVERIFY(
        run.out.contains(u"CN=Zoë,OU=Sales,DC=x\n  extensionAttribute1 [planned]\n    - \"old\"\n    + \" new \"\n"_s));

    run = cli({u"batch"_s, u"approve"_s, u"1"_s, u"--reason"_s, u"Cloud Sync job quarantined, ticket TEST-1"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(u"Batch 1 approved as a break-glass write. Reason recorded: Cloud Sync job "
                                "quarantined, ticket TEST-1\n"_s),
             qPrintable(run.out));

    run = cli({u"apply"_s, u"--batch"_s, u"1"_s, u"--dry-run"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"version: 1\n\ndn:: "_s +
                              QString::fromLatin1(QByteArray("CN=Zoë,OU=Sales,DC=x").toBase64()) +
                              u"\nchangetype: modify\ndelete: extensionAttribute1\nextensionAttribute1: old\n-\n"
                              u"add: extensionAttribute1\nextensionAttribute1:: IG5ldyA=\n-\n"_s),
             qPrintable(run.out));
    // A dry run changes nothing.
    auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
    QCOMPARE(store.value()->batch(1)->state, BatchState::Approved);
}

void TestBatchCli::verifyReportsTampering()
{
    CliRun run = cli({u"history"_s, u"verify"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"is intact"_s), qPrintable(run.out));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper"_s);
        db.setDatabaseName(m_db);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"DROP TRIGGER events_no_update"_s));
        QVERIFY(q.exec(u"UPDATE events SET detail_json = '{}' WHERE kind = 'batch.created'"_s));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper"_s);
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"is broken: event 2 (batch.created"_s), qPrintable(run.err));
}

void TestBatchCli::badInput()
{
    QCOMPARE(cli({u"apply"_s, u"--batch"_s, u"1"_s, u"--db"_s, m_db}).code, 2); // neither --ad nor --dry-run
    QCOMPARE(cli({u"batch"_s, u"frobnicate"_s, u"1"_s, u"--db"_s, m_db}).code, 2);
    QCOMPARE(cli({u"history"_s, u"verify"_s, u"--db"_s, m_dir.filePath(u"fresh.sqlite"_s)}).code,
             0); // a new, empty history
    const QString notSqlite = m_dir.filePath(u"notes.txt"_s);
    {
        QFile f(notSqlite);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("my notes\n");
    }
    const CliRun run = cli({u"history"_s, u"verify"_s, u"--db"_s, notSqlite});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"not a Sunset history"_s), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(TestBatchCli)
// apply resumes a partial batch by sending only the objects never sent; its dry run must print exactly those, not
// the objects AD already took (ldapmodify would fail on them, or an admin would think they are still to come).
void TestBatchCli::dryRunOfPartialBatchShowsOnlyWhatIsStillSent()
{
    const QString db = m_dir.filePath(u"partial.sqlite"_s);
    qint64 id = 0;
    {
        auto store = HistoryStore::open(db, {u"alice"_s, {}});
        QVERIFY(store);
        std::vector<BatchObjectChange> objects{
            {u"CN=Done,DC=x"_s, {}, {{AttributeId::ExtensionAttribute1, {u"a"_s}, {u"b"_s}}}},
            {u"CN=Later,DC=x"_s, {}, {{AttributeId::ExtensionAttribute1, {u"c"_s}, {u"d"_s}}}},
            {u"CN=Clash,DC=x"_s, {}, {{AttributeId::ExtensionAttribute1, {u"e"_s}, {u"f"_s}}}}};
        id = store.value()->createBatch(WritebackBatch::fromObjects(std::move(objects))).value();
        QVERIFY(store.value()->approveBatch(id, sunset::test::breakGlass()));
        QVERIFY(store.value()->markPending(id, {0, 2}));
        QVERIFY(store.value()->settle(id, {{0, ChangeState::Applied, 0, {}},
                                           {1, ChangeState::NotSent, 0, u"stopped"_s},
                                           {2, ChangeState::Conflict, 16, u"changed"_s}}));
        QVERIFY(store.value()->setBatchState(id, BatchState::Partial));
    }
    const CliRun run = cli({u"apply"_s, u"--batch"_s, QString::number(id), u"--dry-run"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"dn: CN=Later,DC=x\n"_s), qPrintable(run.out));
    QVERIFY2(!run.out.contains(u"CN=Done"_s), qPrintable(run.out));
    QVERIFY2(!run.out.contains(u"CN=Clash"_s), qPrintable(run.out));
    QVERIFY2(run.err.contains(u"2 of 3 objects are left out"_s), qPrintable(run.err));
    QVERIFY2(run.out.contains(u"# 1 of the batch's 3 objects."_s), qPrintable(run.out));
}

// A refusal an admin can act on: the large batch's approval says which option gives the second confirmation.
void TestBatchCli::largeBatchRefusalNamesTheOption()
{
    const QString db = m_dir.filePath(u"large.sqlite"_s);
    qint64 id = 0;
    {
        auto store = HistoryStore::open(db, {u"alice"_s, {}});
        QVERIFY(store);
        std::vector<WritebackSelection> many;
        for (int i = 0; i < 3; ++i) {
            WritebackSelection s{u"CN=M%1,DC=x"_s.arg(i), {}, u"true"_s, {}, {}};
            s.item.writable = true;
            s.item.adTarget = {u"v"_s};
            many.push_back(s);
        }
        id = store.value()->createBatch(WritebackBatch::build(many, {2})).value();
    }
    CliRun run = cli({u"batch"_s, u"approve"_s, QString::number(id), u"--reason"_s, u"Cloud Sync job quarantined, ticket TEST-1"_s, u"--db"_s, db});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"sunset-cli batch approve %1 --reason TEXT --confirm-large"_s.arg(id)), qPrintable(run.err));
    run = cli({u"batch"_s, u"approve"_s, QString::number(id), u"--confirm-large"_s, u"--reason"_s, u"Cloud Sync job quarantined, ticket TEST-1"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
}

#include "TestBatchCli.moc"
