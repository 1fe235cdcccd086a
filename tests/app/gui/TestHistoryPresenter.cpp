// SPDX-License-Identifier: Apache-2.0
// The history window over a real store: the tables and their filter (date range, batch, object text), the
// exports written where the admin chose (a scripted path instead of the file dialog), open and undo.
#include "BatchChangesModel.h"
#include "support/BreakGlassForTests.h"
#include "support/ScriptedSavePathChooser.h"
#include "BatchModifies.h"
#include "HistoryExport.h"
#include "HistoryExportRunner.h"
#include "HistoryPresenter.h"
#include "HistoryTableModel.h"
#include "HistoryView.h"
#include "LdifFileBatchTarget.h"

#include <QCheckBox>
#include <QDateEdit>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

WritebackBatch oneObject(const QString& dn, const QString& before, const QString& after)
{
    return WritebackBatch::fromObjects(
        {{dn, {}, {{AttributeId::ExtensionAttribute1, QStringList{before}, QStringList{after}}}}});
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Holds an export on its worker once, at its first printed page (after the page is reported), until the test opens
// it: Cancel is then provably pressed while the export runs, however loaded the machine.
struct FirstPageGate {
    QSemaphore reached;
    QSemaphore open;
    std::atomic_bool armed{true};

    void operator()(int done, int total)
    {
        if (done < 1 || total == 0 || !armed.exchange(false))
            return;
        reached.release();
        open.acquire();
    }
};

} // namespace

class TestHistoryPresenter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void listsScansBatchesAndChanges();
    void filtersNarrowEveryTable();
    void exportsWriteTheChosenFile();
    void openAndUndoNameTheSelectedBatch();
    void bigReportShowsPagesAndCancelLeavesNoFile();

private:
    void selectBatch(qint64 id);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<test::ScriptedSavePathChooser> m_savePaths; // where the admin saves each export
    std::shared_ptr<FirstPageGate> m_pageGate; // opened in cleanup(), so a failed test never leaves the worker held
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<HistoryPresenter> m_presenter;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
};

void TestHistoryPresenter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = HistoryStore::open(m_dir->filePath(u"history.sqlite"_s), {u"alice"_s, {}});
    QVERIFY(store);
    m_store = std::move(store.value());
    ScanRecord scan;
    scan.adSource = u"demo-ad.ldif"_s;
    scan.exoSource = u"demo-exo.json"_s;
    scan.started = scan.finished = QDateTime::currentDateTimeUtc();
    scan.adMailboxes = 3;
    scan.cloudMailboxes = 3;
    scan.matched = 3;
    scan.driftItems = 2;
    QVERIFY(m_store->recordScan(scan));

    auto alpha = m_store->createBatch(oneObject(u"CN=Alpha,OU=Staff,DC=contoso,DC=com"_s, u"A-old"_s, u"A-new"_s));
    auto beta = m_store->createBatch(oneObject(u"CN=Beta,OU=Staff,DC=contoso,DC=com"_s, u"B-old"_s, u"B-new"_s));
    QVERIFY(alpha && beta);
    m_alpha = alpha.value();
    m_beta = beta.value();
    QVERIFY(m_store->approveBatch(m_alpha, sunset::test::breakGlass()));
    LdifFileBatchTarget target(m_dir->filePath(u"demo-writeback.ldif"_s));
    QVERIFY(target.apply(*m_store, m_alpha, {}));

    m_savePaths = std::make_shared<test::ScriptedSavePathChooser>();
    m_presenter = std::make_unique<HistoryPresenter>(*m_store, m_savePaths, nullptr);
    m_presenter->show();
}

void TestHistoryPresenter::cleanup()
{
    if (m_pageGate)
        m_pageGate->open.release();
    m_pageGate.reset();
    m_presenter.reset();
    m_store.reset();
    m_dir.reset();
}

void TestHistoryPresenter::selectBatch(qint64 id)
{
    QTableView* table = m_presenter->view()->table(HistoryView::BatchesTab);
    for (int r = 0; r < table->model()->rowCount(); ++r)
        if (table->model()->index(r, 0).data(HistoryView::IdRole).toLongLong() == id)
            return table->setCurrentIndex(table->model()->index(r, 0));
    QFAIL("batch not listed");
}

void TestHistoryPresenter::listsScansBatchesAndChanges()
{
    QCOMPARE(m_presenter->batchesModel()->rowCount(), 2);
    QCOMPARE(m_presenter->changesModel()->rowCount(), 2);
    QCOMPARE(m_presenter->scansModel()->rowCount(), 1);
    // Newest batch first, with its state; the applied change with its result.
    const HistoryTableModel* batches = m_presenter->batchesModel();
    QStringList states;
    for (int r = 0; r < batches->rowCount(); ++r)
        states << batches->index(r, 0).data().toString() + u'=' + batches->index(r, 1).data().toString() + u'=' +
                      batches->index(r, 10).data().toString();
    // The last column: the break-glass reason given at approval, or that there is none yet.
    QVERIFY2(states.contains(u"%1=applied=%2"_s.arg(m_alpha).arg(test::breakGlass().reason)) &&
                 states.contains(u"%1=planned=not approved yet"_s.arg(m_beta)),
             qPrintable(states.join(u", "_s)));
    QCOMPARE(batches->headerData(10, Qt::Horizontal).toString(), u"Break-glass reason"_s);
    const HistoryTableModel* changes = m_presenter->changesModel();
    bool found = false;
    for (int r = 0; r < changes->rowCount(); ++r) {
        if (changes->index(r, 1).data().toString() != u"CN=Alpha,OU=Staff,DC=contoso,DC=com"_s)
            continue;
        found = true;
        QCOMPARE(changes->index(r, 3).data().toString(), u"A-old"_s);
        QCOMPARE(changes->index(r, 4).data().toString(), u"A-new"_s);
        QCOMPARE(changes->index(r, 5).data().toString(), u"applied"_s);
        QVERIFY(changes->index(r, 6).data().toString().startsWith(u"written to demo-writeback.ldif"_s));
    }
    QVERIFY(found);
    QVERIFY(m_presenter->view()->findChild<QLabel*>(u"historyDatabase"_s)->text().contains(m_store->path()));
    QVERIFY(m_presenter->view()->tabs()->tabText(HistoryView::BatchesTab).contains(u"(2)"_s));
}

void TestHistoryPresenter::filtersNarrowEveryTable()
{
    HistoryView* view = m_presenter->view();
    // Object text (debounced like the main window's search).
    QTest::keyClicks(view->findChild<QLineEdit*>(u"objectFilter"_s), u"beta"_s);
    QTRY_COMPARE(m_presenter->batchesModel()->rowCount(), 1);
    QCOMPARE(m_presenter->batchesModel()->index(0, 0).data(HistoryView::IdRole).toLongLong(), m_beta);
    QCOMPARE(m_presenter->changesModel()->rowCount(), 1);
    QCOMPARE(m_presenter->changesModel()->index(0, 1).data().toString(), u"CN=Beta,OU=Staff,DC=contoso,DC=com"_s);
    view->findChild<QLineEdit*>(u"objectFilter"_s)->clear();
    QTRY_COMPARE(m_presenter->batchesModel()->rowCount(), 2);

    // One batch: scans belong to none, so they go.
    view->findChild<QSpinBox*>(u"batchFilter"_s)->setValue(int(m_alpha));
    QCOMPARE(m_presenter->batchesModel()->rowCount(), 1);
    QCOMPARE(m_presenter->changesModel()->rowCount(), 1);
    QCOMPARE(m_presenter->scansModel()->rowCount(), 0);
    view->findChild<QSpinBox*>(u"batchFilter"_s)->setValue(0);

    // A date range that ends yesterday holds nothing; one that includes today holds everything.
    const QDate today = QDateTime::currentDateTimeUtc().date();
    view->findChild<QDateEdit*>(u"untilEdit"_s)->setDate(today.addDays(-1));
    view->findChild<QCheckBox*>(u"useUntil"_s)->setChecked(true);
    QCOMPARE(m_presenter->batchesModel()->rowCount(), 0);
    QCOMPARE(m_presenter->changesModel()->rowCount(), 0);
    QCOMPARE(m_presenter->scansModel()->rowCount(), 0);
    view->findChild<QDateEdit*>(u"untilEdit"_s)->setDate(today);
    QCOMPARE(m_presenter->batchesModel()->rowCount(), 2);
    QCOMPARE(m_presenter->scansModel()->rowCount(), 1);
}

void TestHistoryPresenter::exportsWriteTheChosenFile()
{
    HistoryView* view = m_presenter->view();
    QSignalSpy exported(m_presenter.get(), &HistoryPresenter::exported);

    // LDIF of the selected batch: what ldapmodify takes.
    selectBatch(m_alpha);
    const QString ldif = m_dir->filePath(u"alpha.ldif"_s);
    m_savePaths->queuePath(ldif);
    view->findChild<QPushButton*>(u"exportLdif"_s)->click();
    // Written on a worker: the progress line shows and the export buttons wait until the file is in place.
    QVERIFY(view->isExporting());
    QVERIFY(!view->findChild<QPushButton*>(u"exportCsv"_s)->isEnabled());
    QVERIFY(exported.wait());
    QVERIFY(!view->isExporting());
    QVERIFY(view->findChild<QPushButton*>(u"exportCsv"_s)->isEnabled());
    const QByteArray ldifBytes = readAll(ldif);
    QCOMPARE(ldifBytes, batchLdifExport(*m_store, m_alpha).value());
    QVERIFY(ldifBytes.contains("dn: CN=Alpha,OU=Staff,DC=contoso,DC=com\nchangetype: modify\ndelete: extensionAttribute1\n"
                               "extensionAttribute1: A-old\n-\nadd: extensionAttribute1\nextensionAttribute1: A-new\n-\n"));

    // CSV of what the filter shows: the object filter leaves Beta out.
    view->findChild<QLineEdit*>(u"objectFilter"_s)->setText(u"alpha"_s);
    QTRY_COMPARE(m_presenter->batchesModel()->rowCount(), 1);
    const QString csv = m_dir->filePath(u"history.csv"_s);
    m_savePaths->queuePath(csv);
    view->findChild<QPushButton*>(u"exportCsv"_s)->click();
    QVERIFY(exported.wait());
    const QByteArray csvBytes = readAll(csv);
    QVERIFY(csvBytes.startsWith("record,id,at_utc,"));
    QVERIFY(csvBytes.contains("CN=Alpha,OU=Staff,DC=contoso,DC=com"));
    QVERIFY(!csvBytes.contains("CN=Beta"));

    const QString json = m_dir->filePath(u"history.json"_s);
    m_savePaths->queuePath(json);
    view->findChild<QPushButton*>(u"exportJson"_s)->click();
    QVERIFY(exported.wait());
    const QJsonObject doc = QJsonDocument::fromJson(readAll(json)).object();
    QCOMPARE(doc.value(u"format"_s).toString(), u"sunset.history"_s);
    QVERIFY(!QJsonDocument(doc).toJson().contains("CN=Beta"));

    const QString pdf = m_dir->filePath(u"alpha.pdf"_s);
    m_savePaths->queuePath(pdf);
    view->findChild<QPushButton*>(u"exportPdf"_s)->click();
    QVERIFY(exported.wait());
    QVERIFY(readAll(pdf).startsWith("%PDF-"));
    QCOMPARE(exported.size(), 4);
    QVERIFY(view->findChild<QLabel*>(u"historyMessage"_s)->text().startsWith(u"Exported to"_s));

    // A file that cannot be written is reported in the window, naming it.
    m_savePaths->queuePath(m_dir->filePath(u"no/such/folder/x.csv"_s));
    view->findChild<QPushButton*>(u"exportCsv"_s)->click();
    QTRY_VERIFY(!view->isExporting());
    QCOMPARE(exported.size(), 4);
    QVERIFY(view->findChild<QLabel*>(u"historyMessage"_s)->text().contains(u"x.csv"_s));
}

void TestHistoryPresenter::bigReportShowsPagesAndCancelLeavesNoFile()
{
    // A 4,000-change batch: its report runs to a couple of hundred pages, laid out and printed off the GUI thread.
    std::vector<BatchObjectChange> objects;
    for (int i = 0; i < 4000; ++i)
        objects.push_back({u"CN=User %1,OU=Bulk,DC=contoso,DC=com"_s.arg(i, 4, 10, QChar(u'0')),
                           {},
                           {{AttributeId::ExtensionAttribute5, {u"old %1"_s.arg(i)}, {u"new %1"_s.arg(i)}}}});
    const auto big = m_store->createBatch(WritebackBatch::fromObjects(std::move(objects)));
    QVERIFY(big);
    m_presenter->refresh();
    selectBatch(big.value());
    HistoryView* view = m_presenter->view();
    auto* bar = view->findChild<QProgressBar*>(u"exportProgress"_s);
    auto* message = view->findChild<QLabel*>(u"historyMessage"_s);
    QSignalSpy exported(m_presenter.get(), &HistoryPresenter::exported);

    // Cancelled once the pages are being printed: the GUI thread was free to show them, and no file is left, not
    // even the temporary one beside it. The worker is held after its first page until Cancel has been pressed.
    m_pageGate = std::make_shared<FirstPageGate>();
    m_presenter->exportRunner()->setProgressGate([gate = m_pageGate](int done, int total) { (*gate)(done, total); });
    const QString cancelledPdf = m_dir->filePath(u"cancelled.pdf"_s);
    m_savePaths->queuePath(cancelledPdf);
    view->findChild<QPushButton*>(u"exportPdf"_s)->click();
    QVERIFY(view->findChild<QLabel*>(u"exportLabel"_s)->text().contains(u"report of batch %1"_s.arg(big.value())));
    QVERIFY(m_pageGate->reached.tryAcquire(1, 120000)); // the export is running, held at its first page
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() >= 1, 120000);
    const int pages = bar->maximum();
    QVERIFY2(pages > 20, qPrintable(QString::number(pages)));
    QVERIFY(bar->format().contains(u"of %1"_s.arg(pages)));
    view->findChild<QPushButton*>(u"cancelExport"_s)->click();
    m_pageGate->open.release(); // the worker sees the cancel at its next page
    QTRY_VERIFY_WITH_TIMEOUT(!view->isExporting(), 60000);
    QVERIFY2(message->text().startsWith(u"Export cancelled; nothing was written"_s), qPrintable(message->text()));
    QCOMPARE(exported.size(), 0);
    QVERIFY(!QFile::exists(cancelledPdf));
    QCOMPARE(QDir(m_dir->path()).entryList({u"cancelled.pdf*"_s, u".cancelled.pdf*"_s}, QDir::Files | QDir::Hidden),
             QStringList());

    // Let through, the same report is written whole, its last page reported.
    const QString wholePdf = m_dir->filePath(u"whole.pdf"_s);
    m_savePaths->queuePath(wholePdf);
    view->findChild<QPushButton*>(u"exportPdf"_s)->click();
    QVERIFY(exported.wait(180000));
    QCOMPARE(bar->value(), bar->maximum());
    QCOMPARE(bar->maximum(), pages);
    QVERIFY(readAll(wholePdf).startsWith("%PDF-"));
    QVERIFY(message->text().startsWith(u"Exported to"_s));
}

void TestHistoryPresenter::openAndUndoNameTheSelectedBatch()
{
    HistoryView* view = m_presenter->view();
    QSignalSpy undo(m_presenter.get(), &HistoryPresenter::undoRequested);
    QSignalSpy open(m_presenter.get(), &HistoryPresenter::openBatchRequested);
    selectBatch(m_beta);
    QCOMPARE(m_presenter->selectedBatchChanges()->dnAt(0), u"CN=Beta,OU=Staff,DC=contoso,DC=com"_s);
    selectBatch(m_alpha); // the selected batch's changes show below the table, with their results
    QCOMPARE(m_presenter->selectedBatchChanges()->rowCount(), 1);
    QCOMPARE(m_presenter->selectedBatchChanges()->dnAt(0), u"CN=Alpha,OU=Staff,DC=contoso,DC=com"_s);
    QCOMPARE(m_presenter->selectedBatchChanges()->stateAt(0), std::optional(ChangeState::Applied));
    QCOMPARE(view->findChild<QLabel*>(u"batchDetailTitle"_s)->text(), u"Changes of batch %1"_s.arg(m_alpha));
    QVERIFY(view->findChild<QPushButton*>(u"undoBatch"_s)->isEnabled());
    view->findChild<QPushButton*>(u"undoBatch"_s)->click();
    view->findChild<QPushButton*>(u"openBatch"_s)->click();
    QCOMPARE(undo.size(), 1);
    QCOMPARE(undo.first().first().toLongLong(), m_alpha);
    QCOMPARE(open.first().first().toLongLong(), m_alpha);
}

QTEST_MAIN(TestHistoryPresenter)
#include "TestHistoryPresenter.moc"
