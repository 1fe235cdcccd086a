// SPDX-License-Identifier: Apache-2.0
// History exports: CSV (RFC 4180, formula-safe, filtered), JSON (format, audit head), a batch's LDIF, and the PDF
// report read back with poppler's pdftotext/pdfinfo (installed by scripts/install-deps.sh).
#include "support/BreakGlassForTests.h"
#include "support/Rfc4180.h"
#include "support/TemporaryHistory.h"
#include "BatchApplier.h"
#include "BatchModifies.h"
#include "CliCommands.h"
#include "CsvCell.h"
#include "HistoryExport.h"
#include "HistoryStore.h"
#include "ScanRecording.h"
#include "platform/OwnerOnlyFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

using namespace sunset;
using sunset::test::parseCsv;
using namespace Qt::Literals::StringLiterals;

namespace {

QString tool(const QString& name)
{
    return QStandardPaths::findExecutable(name);
}

QString run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

const QString kZoe = u"CN=Zoë \"Z\"\\, Admin,OU=Sales,DC=contoso,DC=com"_s;
const QString kBob = u"CN=Bob,OU=HR,DC=contoso,DC=com"_s;

} // namespace

class TestHistoryExport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void csvIsRfc4180AndFormulaSafe();
    void csvFilters();
    void jsonCarriesFormatAndAuditHead();
    void ldifIsTheBatchChangeFile();
    void pdfReportReadsBack();
    void cliExports();
    void cliPdfInItsOwnProcess();
    void exportFileOwnerOnlyFromFirstByte();
    void exportsCarryEachItemsCause();

private:
    sunset::test::TemporaryHistory m_history{HistoryActor{u"alice"_s, u"CONTOSO\\admin"_s}};
    qint64 m_small = 0; // two objects, settled: one applied, one conflict
    qint64 m_large = 0; // 120 objects, planned: spans pages
};

void TestHistoryExport::initTestCase()
{
    QVERIFY2(!tool(u"pdftotext"_s).isEmpty() && !tool(u"pdfinfo"_s).isEmpty(),
             "pdftotext and pdfinfo (poppler-utils) are required: run scripts/install-deps.sh");
    QVERIFY2(m_history.isOpen(), qPrintable(m_history.error()));

    ScanRecord scan;
    scan.adSource = u"ad.ldif"_s;
    scan.exoSource = u"=exo.json"_s; // a source name a spreadsheet would take for a formula
    scan.started = QDateTime(QDate(2026, 11, 20), QTime(9, 0), Qt::UTC);
    scan.finished = scan.started.addSecs(30);
    scan.driftItems = 2;
    const qint64 scanId = m_history->recordScan(scan).value();
    QVERIFY(m_history->recordDecision(
        {scanId, kBob, AttributeId::ExtensionAttribute3, DecisionKind::Ignore, u"-owned by HR, \"do not touch\""_s}));

    std::vector<BatchObjectChange> small{
        {kZoe,
         u"zoe"_s,
         {{AttributeId::ExtensionAttribute1, {u"=HYPERLINK(\"x\")"_s}, {u"+1, two"_s}},
          // Two values, one holding "; " and one a backslash: one value per line, each still recoverable.
          {AttributeId::MsExchExtensionCustomAttribute1, {u"a; b"_s}, {u"a; b"_s, u"C:\\share"_s}}},
         true},
        {kBob,
         u"bob"_s,
         {{AttributeId::ExtensionAttribute2, {u"@SUM(A1)"_s}, {u"line\nbreak"_s}},
          {AttributeId::ExtensionAttribute4, {}, {u"-5"_s}}}}};
    m_small = m_history->createBatch(WritebackBatch::fromObjects(std::move(small)), scanId).value();
    QVERIFY(m_history->approveBatch(m_small, sunset::test::breakGlass()));
    QVERIFY(m_history->markPending(m_small, {0, 1}));
    QVERIFY(m_history->settle(m_small,
                              {{0, ChangeState::Applied, 0, {}},
                               {1, ChangeState::Conflict, 16, u"no such attribute value (changed since the scan)"_s}}));
    QVERIFY(m_history->setBatchState(m_small, BatchState::Partial));

    std::vector<BatchObjectChange> large;
    for (int i = 0; i < 120; ++i)
        large.push_back({u"CN=User %1,OU=Bulk,DC=contoso,DC=com"_s.arg(i, 3, 10, QChar(u'0')), {},
                         {{AttributeId::ExtensionAttribute5, {u"old %1"_s.arg(i)}, {u"new %1"_s.arg(i)}}}});
    m_large = m_history->createBatch(WritebackBatch::fromObjects(std::move(large))).value();
}

void TestHistoryExport::csvIsRfc4180AndFormulaSafe()
{
    const auto csv = historyCsv(m_history.store(), {});
    QVERIFY(csv);
    QString problem;
    const QList<QStringList> rows = parseCsv(csv.value(), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.first(), (QStringList{u"record"_s, u"id"_s, u"at_utc"_s, u"os_user"_s, u"bind_identity"_s,
                                        u"scan_id"_s, u"batch_id"_s, u"dn"_s, u"attribute"_s, u"state"_s, u"before"_s,
                                        u"after"_s, u"ldap_code"_s, u"detail"_s, u"hash"_s, u"cloud_managed"_s}));
    for (const QStringList& row : rows)
        QCOMPARE(row.size(), 16);
    QMap<QString, int> perRecord;
    for (const QStringList& row : rows.mid(1))
        ++perRecord[row[0]];
    QCOMPARE(perRecord.value(u"scan"_s), 1);
    QCOMPARE(perRecord.value(u"decision"_s), 1);
    QCOMPARE(perRecord.value(u"batch"_s), 2);
    QCOMPARE(perRecord.value(u"change"_s), 4 + 120);
    QCOMPARE(perRecord.value(u"event"_s), int(m_history->events()->size()));

    const auto find = [&rows](const QString& record, const QString& dn, const QString& attribute) {
        for (const QStringList& row : rows)
            if (row[0] == record && row[7] == dn && row[8] == attribute)
                return row;
        return QStringList();
    };
    const QStringList zoe = find(u"change"_s, kZoe, u"extensionAttribute1"_s); // quotes and comma survive
    QVERIFY(!zoe.isEmpty());
    QCOMPARE(zoe[9], u"applied"_s);
    QCOMPARE(zoe[10], u"'=HYPERLINK(\"x\")"_s); // a formula is defused
    QCOMPARE(zoe[11], u"'+1, two"_s);
    QCOMPARE(zoe[4], QString()); // bind identity is the batch's (and event's) column, not the change's
    QCOMPARE(zoe[15], u"true"_s);
    const QStringList custom = find(u"change"_s, kZoe, u"msExchExtensionCustomAttribute1"_s);
    QCOMPARE(custom[11], u"a; b\nC:\\\\share"_s); // one value per line, the backslash doubled
    QCOMPARE(parseCsvValues(custom[11]), (QStringList{u"a; b"_s, u"C:\\share"_s}));
    QCOMPARE(parseCsvValues(custom[10]), QStringList{u"a; b"_s}); // not two values "a" and "b"
    const QStringList bob2 = find(u"change"_s, kBob, u"extensionAttribute2"_s);
    QCOMPARE(bob2[10], u"'@SUM(A1)"_s);
    QCOMPARE(bob2[11], u"line\\nbreak"_s); // a line break inside a value is written \n: lines separate values
    QCOMPARE(parseCsvValues(bob2[11]), QStringList{u"line\nbreak"_s});
    QCOMPARE(bob2[15], u"false"_s);
    QCOMPARE(bob2[9], u"conflict"_s);
    QCOMPARE(bob2[12], u"16"_s);
    QCOMPARE(bob2[13], u"no such attribute value (changed since the scan)"_s);
    QCOMPARE(find(u"change"_s, kBob, u"extensionAttribute4"_s)[11], u"'-5"_s);
    const QStringList decision = find(u"decision"_s, kBob, u"extensionAttribute3"_s);
    QCOMPARE(decision[9], u"ignore"_s);
    QCOMPARE(decision[13], u"'-owned by HR, \"do not touch\""_s);
    QCOMPARE(decision[4], u"CONTOSO\\admin"_s);
    QVERIFY(rows[1][13].contains(u"Exchange Online =exo.json"_s)); // not at the start of a cell: left as is
    // Every event carries its chain hash; the last is the audit head.
    QCOMPARE(rows.last()[0], u"event"_s);
    QCOMPARE(rows.last()[14].toLatin1(), m_history->verify().headHash);
    QCOMPARE(rows.last()[15], QString()); // an event states no cloud-managed flag
}

void TestHistoryExport::csvFilters()
{
    QString problem;
    HistoryExportFilter byBatch;
    byBatch.batchId = m_small;
    QList<QStringList> rows = parseCsv(historyCsv(m_history.store(), byBatch).value(), &problem);
    QSet<QString> dns;
    int changes = 0;
    for (const QStringList& row : rows.mid(1)) {
        if (row[0] == u"change"_s) {
            ++changes;
            QCOMPARE(row[6], QString::number(m_small));
        }
        if (row[0] == u"batch"_s)
            QCOMPARE(row[1], QString::number(m_small));
        if (row[0] == u"event"_s)
            QVERIFY2(row[13].startsWith(u"batch %1 "_s.arg(m_small)) || row[13].startsWith(u"scan 1 "_s) ||
                         row[13].startsWith(u"decision 1 "_s),
                     qPrintable(row[13]));
    }
    QCOMPARE(changes, 4);

    HistoryExportFilter byObject;
    byObject.object = u"user 007"_s;
    rows = parseCsv(historyCsv(m_history.store(), byObject).value(), &problem);
    changes = 0;
    for (const QStringList& row : rows.mid(1)) {
        if (row[0] == u"change"_s) {
            ++changes;
            QCOMPARE(row[7], u"CN=User 007,OU=Bulk,DC=contoso,DC=com"_s);
        }
        QVERIFY(row[0] != u"decision"_s);
    }
    QCOMPARE(changes, 1);

    HistoryExportFilter future;
    future.since = QDate::currentDate().addDays(2);
    rows = parseCsv(historyCsv(m_history.store(), future).value(), &problem);
    QCOMPARE(rows.size(), 1); // the header only
    HistoryExportFilter scanDay;
    scanDay.since = QDate(2026, 11, 20);
    scanDay.until = QDate(2026, 11, 20);
    rows = parseCsv(historyCsv(m_history.store(), scanDay).value(), &problem);
    QCOMPARE(rows.size(), 2); // the scan started that day; everything else happened today
    QCOMPARE(rows[1][0], u"scan"_s);

    HistoryExportFilter backwards;
    backwards.since = QDate(2026, 11, 21);
    backwards.until = QDate(2026, 11, 20);
    QVERIFY(!historyCsv(m_history.store(), backwards));
    HistoryExportFilter missing;
    missing.batchId = 999;
    QVERIFY(historyCsv(m_history.store(), missing).error().message.contains(u"no batch 999"_s));
}

void TestHistoryExport::jsonCarriesFormatAndAuditHead()
{
    const auto json = historyJson(m_history.store(), {});
    QVERIFY(json);
    const QJsonObject root = QJsonDocument::fromJson(json.value()).object();
    QCOMPARE(root.value(u"format"_s).toString(), u"sunset.history"_s);
    QCOMPARE(root.value(u"version"_s).toInt(), 1);
    const HistoryVerification head = m_history->verify();
    const QJsonObject auditHead = root.value(u"auditHead"_s).toObject();
    QCOMPARE(auditHead.value(u"hash"_s).toString().toLatin1(), head.headHash);
    QCOMPARE(auditHead.value(u"events"_s).toInteger(), head.events);
    QCOMPARE(auditHead.value(u"anchor"_s).toString(),
             QString::fromLatin1(head.headHash) + u':' + QString::number(head.events));
    QVERIFY(auditHead.value(u"intact"_s).toBool());
    QCOMPARE(root.value(u"events"_s).toArray().size(), head.events);

    const QJsonArray batches = root.value(u"batches"_s).toArray();
    QCOMPARE(batches.size(), 2);
    const QJsonObject small = batches[0].toObject();
    QCOMPARE(small.value(u"state"_s).toString(), u"partial"_s);
    QCOMPARE(small.value(u"approvedBy"_s).toString(), u"alice"_s);
    QCOMPARE(small.value(u"approvedBind"_s).toString(), u"CONTOSO\\admin"_s);
    const QJsonObject first = small.value(u"changes"_s).toArray()[0].toObject();
    QCOMPARE(first.value(u"dn"_s).toString(), kZoe);
    QCOMPARE(first.value(u"before"_s).toArray()[0].toString(), u"=HYPERLINK(\"x\")"_s); // JSON keeps exact values
    QCOMPARE(first.value(u"after"_s).toArray()[0].toString(), u"+1, two"_s);
    QVERIFY(first.value(u"cloudManaged"_s).toBool());
    QVERIFY(!small.value(u"changes"_s).toArray()[2].toObject().value(u"cloudManaged"_s).toBool(true)); // Bob's
    QCOMPARE(root.value(u"decisions"_s).toArray()[0].toObject().value(u"decision"_s).toString(), u"ignore"_s);
    QCOMPARE(root.value(u"scans"_s).toArray()[0].toObject().value(u"sources"_s).toObject().value(u"exo"_s).toString(),
             u"=exo.json"_s);

    HistoryExportFilter byBatch;
    byBatch.batchId = m_large;
    const QJsonObject narrowed = QJsonDocument::fromJson(historyJson(m_history.store(), byBatch).value()).object();
    QCOMPARE(narrowed.value(u"batches"_s).toArray().size(), 1);
    QCOMPARE(narrowed.value(u"scans"_s).toArray().size(), 0); // the bulk batch came from no scan
    QCOMPARE(narrowed.value(u"filter"_s).toObject().value(u"batch"_s).toInteger(), m_large);
    QCOMPARE(narrowed.value(u"auditHead"_s).toObject().value(u"events"_s).toInteger(), head.events); // never filtered
}

void TestHistoryExport::ldifIsTheBatchChangeFile()
{
    const auto ldif = batchLdifExport(m_history.store(), m_small);
    QVERIFY(ldif);
    QCOMPARE(ldif.value(), batchLdif(m_history->batch(m_small).value(), m_history->changes(m_small).value()));
    QVERIFY(ldif->contains("changetype: modify\ndelete: extensionAttribute1\n"));
    QVERIFY(!batchLdifExport(m_history.store(), 999));
}

void TestHistoryExport::pdfReportReadsBack()
{
    const QString small = m_history.filePath(u"small.pdf"_s);
    QVERIFY(writeBatchReportPdf(m_history.store(), m_small, small));
    QFile file(small);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
    QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                   QFileDevice::WriteOther),
             QFileDevice::Permissions());
    const QString info = run(tool(u"pdfinfo"_s), {small});
    const QRegularExpressionMatch smallPages = QRegularExpression(u"Pages:\\s+(\\d+)\\n"_s).match(info);
    QVERIFY2(smallPages.hasMatch(), qPrintable(info));
    const int smallCount = smallPages.captured(1).toInt();
    QVERIFY(smallCount >= 1 && smallCount <= 2); // a two-object batch: the summary, its table and the audit trail
    QVERIFY(info.contains(QRegularExpression(u"Page size:\\s+595(\\.\\d+)? x 84[12](\\.\\d+)? pts \\(A4\\)"_s)));
    // Table cells wrap at spaces: compare with white space folded.
    const QString text = run(tool(u"pdftotext"_s), {u"-raw"_s, small, u"-"_s}).simplified();
    for (const QString& expected :
         {u"Sunset writeback batch %1"_s.arg(m_small), u"partial"_s, u"by alice, bound to AD as CONTOSO\\admin"_s, kZoe,
          kBob, u"“=HYPERLINK(\"x\")”"_s, u"“+1, two”"_s, u"conflict"_s, u"LDAP 16"_s,
          u"no such attribute value (changed since the scan)"_s, u"4: 2 applied, 2 conflict"_s,
          u"Audit trail of batch %1"_s.arg(m_small), u"batch.approved alice CONTOSO\\admin"_s,
          QString::fromLatin1(m_history->verify().headHash), u"page 1 of %1"_s.arg(smallCount),
          u"page %1 of %1"_s.arg(smallCount)})
        QVERIFY2(text.contains(expected), qPrintable(u"missing \""_s + expected + u"\" in:\n"_s + text));

    const QString large = m_history.filePath(u"large.pdf"_s);
    QVERIFY(writeBatchReportPdf(m_history.store(), m_large, large));
    const QRegularExpressionMatch pages =
        QRegularExpression(u"Pages:\\s+(\\d+)\\n"_s).match(run(tool(u"pdfinfo"_s), {large}));
    QVERIFY(pages.hasMatch());
    const int count = pages.captured(1).toInt();
    QVERIFY2(count >= 3, qPrintable(pages.captured(1))); // 120 objects do not fit on two A4 pages
    const QString bulk = run(tool(u"pdftotext"_s), {u"-raw"_s, large, u"-"_s});
    for (int page = 1; page <= count; ++page)
        QVERIFY(bulk.contains(u"Sunset batch %1 — page %2 of %3"_s.arg(m_large).arg(page).arg(count)));
    QVERIFY(bulk.contains(u"CN=User 000,OU=Bulk"_s));
    QVERIFY(bulk.contains(u"CN=User 119,OU=Bulk"_s)); // nothing cut at a page end
    QVERIFY(bulk.contains(u"not approved"_s));

    QVERIFY(!writeBatchReportPdf(m_history.store(), 999, m_history.filePath(u"none.pdf"_s)));
    QVERIFY(!QFile::exists(m_history.filePath(u"none.pdf"_s)));
}

void TestHistoryExport::cliExports()
{
    const auto cli = [](const QStringList& args, QString* out = nullptr, QString* err = nullptr) {
        QString o, e;
        QTextStream so(&o), se(&e);
        const int code = runCli(args, so, se);
        so.flush();
        se.flush();
        if (out)
            *out = o;
        if (err)
            *err = e;
        return code;
    };
    const QString csv = m_history.filePath(u"h.csv"_s);
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"csv"_s, u"--out"_s, csv}),
             0);
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    QCOMPARE(csvFile.readAll(), historyCsv(m_history.store(), {}).value());
    QCOMPARE(csvFile.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());

    QString out, err;
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"ldif"_s, u"--batch"_s,
                  QString::number(m_small), u"--out"_s, u"-"_s},
                 &out),
             0);
    QCOMPARE(out.toUtf8(), batchLdifExport(m_history.store(), m_small).value());
    const QString json = m_history.filePath(u"h.json"_s);
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"json"_s, u"--object"_s,
                  u"bob"_s, u"--since"_s, u"2026-01-01"_s, u"--out"_s, json}),
             0);
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(jsonFile.readAll()).object().value(u"filter"_s).toObject().value(u"object"_s),
             QJsonValue(u"bob"_s));
    const QString pdf = m_history.filePath(u"in-process.pdf"_s);
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"pdf"_s, u"--batch"_s,
                  QString::number(m_small), u"--out"_s, pdf}),
             0);
    QVERIFY(QFile::exists(pdf));

    // Wrong usage: named, exit 2, nothing written.
    QCOMPARE(
        cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"ldif"_s, u"--out"_s, u"x.ldif"_s},
            nullptr, &err),
        2);
    QVERIFY2(err.contains(u"--format ldif exports one batch: give --batch N."_s), qPrintable(err));
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"xml"_s, u"--out"_s, u"x"_s}),
             2);
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"csv"_s}), 2);
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"csv"_s, u"--since"_s,
                  u"yesterday"_s, u"--out"_s, u"x"_s},
                 nullptr, &err),
             2);
    QVERIFY(err.contains(u"--since 'yesterday' is not a date such as 2026-11-24."_s));
    QCOMPARE(cli({u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s, u"csv"_s, u"--out"_s,
                  m_history.filePath(u"no/such/dir/h.csv"_s)}),
             3);
}

void TestHistoryExport::cliPdfInItsOwnProcess()
{
    // sunset-cli makes a QGuiApplication for the PDF only, on the offscreen platform when none is set.
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"QT_QPA_PLATFORM"_s);
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    cli.setProcessEnvironment(env);
    const QString pdf = m_history.filePath(u"process.pdf"_s);
    cli.start(QStringLiteral(SUNSET_CLI_PATH), {u"history"_s, u"export"_s, u"--db"_s, m_history.path(), u"--format"_s,
                                                u"pdf"_s, u"--batch"_s, QString::number(m_small), u"--out"_s, pdf});
    QVERIFY(cli.waitForFinished(120000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QVERIFY(run(tool(u"pdftotext"_s), {pdf, u"-"_s}).contains(kBob));
}

void TestHistoryExport::exportsCarryEachItemsCause()
{
    // The demo with Cloud Sync's files, recorded: its items' causes were measured with evidence.
    const QString demo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");
    const QString db = m_history.filePath(u"causes.sqlite"_s);
    QString out, err;
    QTextStream so(&out), se(&err);
    const int code = runCli({u"diff"_s, u"--ad"_s, demo + u"demo-ad.ldif"_s, u"--exo"_s, demo + u"demo-exo.json"_s,
                             u"--graph"_s, demo + u"demo-graph.json"_s, u"--sync-jobs"_s, demo + u"demo-sync-jobs.json"_s,
                             u"--sync-schema"_s, demo + u"demo-sync-schema.json"_s, u"--provisioning-log"_s,
                             demo + u"demo-provisioning.json"_s, u"--db"_s, db},
                            so, se);
    se.flush();
    QVERIFY2(code == 0, qPrintable(err));
    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QVERIFY(store);
    const auto drift = recordedDrift(store.value()->latestScan().value()->record.driftJson);
    QVERIFY(drift);
    const auto failed = std::find_if(drift->begin(), drift->end(), [](const RecordedDrift& d) {
        return d.selection.item.cause == DriftCause::WritebackFailed && d.selection.item.writable;
    });
    QVERIFY(failed != drift->end());
    const QString upn = failed->upn;
    const QString because = failed->because;
    QVERIFY(!because.isEmpty());

    // CSV: the drift row of that mailbox says the cause in words.
    const auto csv = historyCsv(*store.value(), {{}, {}, 0, upn});
    QVERIFY(csv);
    QString problem;
    bool found = false;
    for (const QStringList& row : parseCsv(csv.value(), &problem))
        if (row[0] == u"drift"_s && row[7] == failed->selection.dn &&
            row[8] == QString(AttributeCatalog::spec(failed->selection.item.attribute).ldapName)) {
            found = true;
            QVERIFY2(row[13].contains(u"writebackFailed"_s) && row[13].contains(u"because: "_s + because),
                     qPrintable(row[13]));
        }
    QVERIFY(problem.isEmpty());
    QVERIFY(found);

    // JSON: the item with its cause, in words, and the evidence as the report gave it.
    const auto json = historyJson(*store.value(), {{}, {}, 0, upn});
    QVERIFY(json);
    const QJsonArray items = QJsonDocument::fromJson(json.value())[u"scans"_s][0][u"drift"_s].toArray();
    QVERIFY(!items.isEmpty());
    bool withEvidence = false;
    for (const QJsonValue& item : items)
        if (item[u"cause"_s].toString() == u"writebackFailed"_s) {
            QCOMPARE(item[u"because"_s].toString(), because);
            QVERIFY(!item[u"evidence"_s][u"provisioning"_s][u"errorCode"_s].toString().isEmpty());
            withEvidence = true;
        }
    QVERIFY(withEvidence);

    // PDF: a batch planned from that scan prints each change's cause at the scan.
    const auto plan = planFromScan(*store.value(), 0, {{failed->selection.item.attribute}, {upn}});
    QVERIFY(plan && !plan->selections.empty());
    const auto batch = store.value()->createBatch(WritebackBatch::build(plan->selections), plan->scanId);
    QVERIFY(batch);
    const QString pdf = m_history.filePath(u"causes.pdf"_s);
    QVERIFY(writeBatchReportPdf(*store.value(), batch.value(), pdf));
    const QString text = run(tool(u"pdftotext"_s), {u"-raw"_s, pdf, u"-"_s}).simplified();
    QVERIFY2(text.contains(u"Cause at scan %1: "_s.arg(plan->scanId) + because.simplified().left(40)), qPrintable(text));
}

QTEST_MAIN(TestHistoryExport)
// An export lists directory data: no other local user may read it, not even while it is being written (umask 000
// here, the worst case), and a link planted where the file goes is replaced, not followed.
void TestHistoryExport::exportFileOwnerOnlyFromFirstByte()
{
    const mode_t saved = ::umask(0);
    const auto restore = qScopeGuard([saved] { ::umask(saved); });
    const auto ownerOnly = [](const QString& path) {
        struct stat st {};
        return ::lstat(QFile::encodeName(path).constData(), &st) == 0 && S_ISREG(st.st_mode) &&
               (st.st_mode & 0777) == 0600;
    };
    QTemporaryDir dir;
    const QString target = dir.filePath(u"history.csv"_s);
    {
        OwnerOnlyFile file(target);
        QVERIFY(file.open());
        QVERIFY(ownerOnly(file.temporaryPath()));
        QVERIFY(file.device()->write("secret enough\n") > 0);
        QVERIFY(!QFile::exists(target)); // in place only when whole
        QVERIFY(file.commit());
    }
    QVERIFY(ownerOnly(target));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{u"history.csv"_s});

    // Not committed: the old file stays, the temporary one goes.
    {
        OwnerOnlyFile file(target);
        QVERIFY(file.open());
        file.device()->write("half");
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{u"history.csv"_s});
    QFile old(target);
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("secret enough\n"));

    // A symlink where the export goes (another user's trap in a shared folder) is replaced by the file.
    const QString elsewhere = dir.filePath(u"elsewhere.txt"_s);
    QVERIFY(QFile(elsewhere).open(QIODevice::WriteOnly));
    const QString link = dir.filePath(u"link.csv"_s);
    QVERIFY(QFile::link(elsewhere, link));
    QVERIFY(writeExportFile(link, "x"));
    QVERIFY(ownerOnly(link));
    QCOMPARE(QFileInfo(elsewhere).size(), 0);

    const auto folder = writeExportFile(dir.path(), "x");
    QVERIFY(!folder);
    QVERIFY2(folder.error().message.contains(u"folder"_s), qPrintable(folder.error().message));
}

#include "TestHistoryExport.moc"
