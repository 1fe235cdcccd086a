// sunset-cli batch show / batch approve / apply --dry-run / history verify, run in-process on a history file.
#include "CliCommands.h"
#include "HistoryStore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct CliRun {
    int code = -1;
    QString out;
    QString err;
};

CliRun cli(const QStringList& arguments)
{
    CliRun run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    run.code = runCli(arguments, out, err);
    out.flush();
    err.flush();
    return run;
}

} // namespace

class TestBatchCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showApproveDryRun();
    void verifyReportsTampering();
    void badInput();

private:
    QTemporaryDir m_dir;
    QString m_db;
};

void TestBatchCli::initTestCase()
{
    m_db = m_dir.filePath(u"history.sqlite"_s);
    auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
    QVERIFY(store);
    WritebackSelection s{u"CN=Zoë,OU=Sales,DC=x"_s, u"zoe@x.test"_s, u"true"_s, {}};
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

    run = cli({u"batch"_s, u"approve"_s, u"1"_s, u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QCOMPARE(run.out, u"Batch 1 approved.\n"_s);

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
#include "TestBatchCli.moc"
