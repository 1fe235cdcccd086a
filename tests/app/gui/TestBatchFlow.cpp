// SPDX-License-Identifier: Apache-2.0
// The writeback workflow driven like an admin: tick drift items in the side-by-side view, review the batch
// (Ctrl+B), approve (answers queued instead of message boxes, but once through the real box), apply in demo mode
// to the LDIF file, undo it, and the offer to settle and resume a batch a crash left in `applying`.
#include "AttributeComparisonModel.h"
#include "BatchApplyRunner.h"
#include "BatchChangesModel.h"
#include "BatchFlow.h"
#include "BatchLock.h"
#include "BatchReviewDialog.h"
#include "support/DemoScan.h"
#include "DisplayPath.h"
#include "HistoryPresenter.h"
#include "HistoryTableModel.h"
#include "LdifFileBatchTarget.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "MainWindow.h"
#include "OnDemandFlow.h"
#include "support/ScriptedConfirmer.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QHash>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSemaphore>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Approving takes a break-glass reason (a direct LDAP write bypasses Cloud Sync); queued like the answers.
const QString kBreakGlassReason = u"Cloud Sync job quarantined, ticket TEST-1"_s;

// Three writable drift items of cloud-managed demo mailboxes: a trailing space to remove (the LDIF must carry it
// base64), a DN that is not ASCII, and a DN with an escaped comma.
struct Pick {
    int scanRow = -1;
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    QStringList before;
    QStringList after;
};

std::vector<Pick> pickItems(const DriftScan& scan, int count)
{
    const std::pair<const char16_t*, AttributeId> wanted[] = {
        {u"CN=Dmitri Fischer,OU=Sales,OU=Staff,DC=contoso,DC=com", AttributeId::ExtensionAttribute2},
        {u"CN=Chloé Tanaka,OU=Support,OU=Staff,DC=contoso,DC=com", AttributeId::MsExchRecipientTypeDetails},
        {u"CN=Ferreira\\, Noah,OU=HR,OU=Staff,DC=contoso,DC=com", AttributeId::MsExchRecipientTypeDetails},
    };
    std::vector<Pick> picks;
    for (const auto& [dn, attribute] : wanted) {
        if (int(picks.size()) == count)
            break;
        for (size_t r = 0; r < scan.rows().size(); ++r) {
            const ScanRow& row = scan.rows()[r];
            if (row.pair < 0 || scan.adRecord(row)->identityText(IdentityField::DistinguishedName) != QString::fromUtf16(dn))
                continue;
            if (const DriftItem* item = scan.driftItem(row, attribute))
                picks.push_back({int(r), QString::fromUtf16(dn), attribute, item->ad, item->adTarget});
        }
    }
    // In batch order: ticks are taken by matched pair.
    std::sort(picks.begin(), picks.end(), [&scan](const Pick& a, const Pick& b) {
        return scan.rows()[size_t(a.scanRow)].pair < scan.rows()[size_t(b.scanRow)].pair;
    });
    return picks;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// One LDIF line as RFC 2849 has it: base64 unless a safe string, folded at 76 columns.
QByteArray ldifLine(const QByteArray& name, const QString& value)
{
    const QByteArray v = value.toUtf8();
    const bool safe = v == value.toLatin1() && !v.startsWith(' ') && !v.startsWith(':') && !v.startsWith('<') &&
                      !v.endsWith(' ');
    const QByteArray line = safe ? QByteArray(name + ": " + v) : QByteArray(name + ":: " + v.toBase64());
    QByteArray out = line.left(76);
    for (qsizetype at = 76; at < line.size(); at += 75)
        out += "\n " + line.mid(at, 75);
    return out + "\n";
}

QByteArray expectedRecord(const QString& dn, AttributeId attribute, const QString& before, const QString& after)
{
    const QByteArray name(AttributeCatalog::spec(attribute).ldapName.data(), AttributeCatalog::spec(attribute).ldapName.size());
    return ldifLine("dn", dn) + "changetype: modify\ndelete: " + name + "\n" + ldifLine(name, before) + "-\nadd: " +
           name + "\n" + ldifLine(name, after) + "-\n";
}

// A target whose apply() waits at a gate the test opens: an apply that is still running while the test acts.
class GatedTarget final : public BatchTarget {
public:
    explicit GatedTarget(std::shared_ptr<BatchTarget> inner) : m_inner(std::move(inner)) {}
    QString description() const override { return m_inner->description(); }
    HistoryResult<ApplyReport> apply(HistoryStore& store, qint64 batchId, const ApplyControl& control) override
    {
        entered.release();
        gate.acquire();
        return m_inner->apply(store, batchId, control);
    }
    HistoryResult<ApplyReport> settleInterrupted(HistoryStore& store, qint64 batchId) override
    {
        return m_inner->settleInterrupted(store, batchId);
    }
    QSemaphore entered;
    QSemaphore gate;

private:
    std::shared_ptr<BatchTarget> m_inner;
};

} // namespace

class TestBatchFlow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void tickingAndApprovingStoresApprovedBatch();
    void declinedConfirmationStoresNothing();
    void enterInTheRealConfirmationApprovesNothing();
    void largeBatchNeedsSecondConfirmation();
    void demoApplyWritesLdifAndSettlesApplied();
    void undoCreatesReverseBatch();
    void interruptedBatchIsOfferedSettledAndResumed();
    void shortcutsOpenReviewAndHistory();
    void statusBarFitsTheDefaultWindow();
    void withoutTargetApplyIsExplained();
    void openReviewFollowsTheTarget();
    void targetChangeWaitsForRunningApply();
    void batchLockedElsewhereIsRefused();
    void recordedScansSayWhatChangedSinceThePrevious();
    void askingCloudSyncSaysWhatItNeeds();
    void breakGlassReasonIsRequiredAndRecorded();

private:
    void tick(const Pick& pick);
    qint64 approveTicked();
    void applyAndWait();

    std::shared_ptr<const DriftScan> m_scan;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    BatchFlow* m_flow = nullptr;
    std::shared_ptr<test::ScriptedConfirmer> m_answers; // the admin's answers to the flow's questions
    QString m_ldif;
    std::shared_ptr<GatedTarget> m_gated; // opened in cleanup(), so a failed test never leaves the worker waiting
};

void TestBatchFlow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_scan = test::loadDemoScan();
    QVERIFY(m_scan);
    QVERIFY(pickItems(*m_scan, 3).size() == 3);
}

void TestBatchFlow::init()
{
    m_answers = std::make_shared<test::ScriptedConfirmer>();
    m_dir = std::make_unique<QTemporaryDir>();
    m_window = std::make_unique<MainWindow>();
    m_window->showScan(m_scan);
    m_flow = new BatchFlow(*m_window, m_answers);
    m_flow->installActions();
    m_ldif = m_dir->filePath(u"demo-writeback.ldif"_s);
    BatchFlowConfig config;
    config.historyPath = m_dir->filePath(u"history.sqlite"_s);
    config.actor = {u"alice"_s, {}};
    config.target = std::make_shared<LdifFileBatchTarget>(m_ldif);
    QVERIFY(m_flow->open(std::move(config)));
}

void TestBatchFlow::cleanup()
{
    if (m_gated)
        m_gated->gate.release(100);
    m_gated.reset();
    if (m_flow && m_flow->runner()->isRunning())
        QTRY_VERIFY(!m_flow->runner()->isRunning());
    m_window.reset();
    m_dir.reset();
    m_answers.reset();
}

// As an admin does: select the mailbox in the list, tick the attribute's check box in the comparison.
void TestBatchFlow::tick(const Pick& pick)
{
    const QModelIndex source = m_window->mailboxFilter()->sourceModel()->index(pick.scanRow, 0);
    const QModelIndex row = m_window->mailboxFilter()->mapFromSource(source);
    QVERIFY(row.isValid());
    m_window->mailboxView()->setCurrentIndex(row);
    AttributeComparisonModel* comparison = m_window->comparisonModel();
    QCOMPARE(comparison->scanRowIndex(), pick.scanRow);
    const QModelIndex box = comparison->index(comparison->rowOf(pick.attribute), AttributeComparisonModel::Attribute);
    QVERIFY(box.flags() & Qt::ItemIsUserCheckable);
    QVERIFY(comparison->setData(box, Qt::Checked, Qt::CheckStateRole));
}

qint64 TestBatchFlow::approveTicked()
{
    m_flow->reviewTicked();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    if (!dialog)
        return 0;
    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({true});
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    return m_flow->currentBatchId();
}

void TestBatchFlow::applyAndWait()
{
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QVERIFY(dialog);
    QSignalSpy applied(m_flow, &BatchFlow::batchApplied);
    auto* apply = dialog->findChild<QPushButton*>(u"batchApply"_s);
    QVERIFY(apply->isVisible() && apply->isEnabled());
    apply->click();
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Applying);
    QTRY_COMPARE(applied.size(), 1);
}

void TestBatchFlow::tickingAndApprovingStoresApprovedBatch()
{
    const std::vector<Pick> picks = pickItems(*m_scan, 2);
    for (const Pick& p : picks)
        tick(p);
    m_window->show();
    m_flow->reviewTicked();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Review);

    // Exactly what will be sent, per DN.
    BatchChangesModel* changes = m_flow->changesModel();
    QCOMPARE(changes->rowCount(), 2);
    for (int r = 0; r < 2; ++r) {
        QCOMPARE(changes->dnAt(r), picks[size_t(r)].dn);
        QCOMPARE(changes->index(r, BatchChangesModel::Attribute).data().toString(),
                 QString(AttributeCatalog::spec(picks[size_t(r)].attribute).ldapName));
        QVERIFY(changes->index(r, BatchChangesModel::Add).data().toString().startsWith(picks[size_t(r)].after.first()));
        QCOMPARE(changes->index(r, BatchChangesModel::Result).data().toString(), u"To send"_s);
    }
    // The trailing space that is the whole drift is made visible and marked, as in the side-by-side view.
    const int fischer = picks[0].before == QStringList{u"Finance "_s} ? 0 : 1;
    QCOMPARE(picks[size_t(fischer)].before, QStringList{u"Finance "_s});
    QCOMPARE(changes->index(fischer, BatchChangesModel::Delete).data().toString(), u"Finance\u00B7"_s);
    const auto spans = changes->index(fischer, BatchChangesModel::Delete).data(ItemRole::HighlightSpans).value<QList<HighlightSpan>>();
    QVERIFY(spans.contains(HighlightSpan{7, 1, HighlightKind::Invisible}));
    // A recipient type is sent as its number; its name follows as a note.
    QCOMPARE(changes->index(1 - fischer, BatchChangesModel::Delete).data().toString(), u"1 (UserMailbox)"_s);
    QVERIFY(changes->index(1 - fischer, BatchChangesModel::Delete)
                .data(ItemRole::HighlightSpans)
                .value<QList<HighlightSpan>>()
                .contains(HighlightSpan{1, 14, HighlightKind::Note}));
    QVERIFY(dialog->findChild<QLabel*>(u"batchCounts"_s)->text().startsWith(u"2 attributes in 2 objects: 2 values deleted, 2 values added"_s));
    QVERIFY(dialog->findChild<QLabel*>(u"batchTarget"_s)->text().contains(m_ldif));

    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({true});
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    QCOMPARE(m_answers->askedQuestions().size(), 1);
    QVERIFY(m_answers->askedQuestions().first().startsWith(u"Approve this batch? It changes 2 attributes of 2 objects"_s));

    const qint64 id = m_flow->currentBatchId();
    QVERIFY(id > 0);
    const auto batch = m_flow->store()->batch(id);
    QVERIFY(batch);
    QCOMPARE(batch->state, BatchState::Approved);
    QCOMPARE(batch->approvedBy, u"alice"_s);
    QCOMPARE(batch->objectCount, 2);
    const auto stored = m_flow->store()->changes(id);
    QVERIFY(stored);
    QCOMPARE(stored->size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
        QCOMPARE(stored.value()[i].dn, picks[i].dn);
        QCOMPARE(stored.value()[i].attribute, picks[i].attribute);
        QCOMPARE(stored.value()[i].before, picks[i].before);
        QCOMPARE(stored.value()[i].after, picks[i].after);
        QCOMPARE(stored.value()[i].state, ChangeState::Planned);
    }
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Approved);
    QCOMPARE(changes->index(0, BatchChangesModel::Result).data().toString(), u"Not sent yet"_s);
    QCOMPARE(m_window->writebackSelection()->size(), 0); // the ticks went into the batch
}

void TestBatchFlow::declinedConfirmationStoresNothing()
{
    tick(pickItems(*m_scan, 1).front());
    m_flow->reviewTicked();
    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({false});
    m_flow->reviewDialog()->findChild<QPushButton*>(u"batchApprove"_s)->click();
    QCOMPARE(m_flow->currentBatchId(), 0);
    QVERIFY(m_flow->store()->batches()->empty());
    QCOMPARE(m_flow->reviewDialog()->stage(), BatchReviewDialog::Stage::Review);
    QCOMPARE(m_window->writebackSelection()->size(), 1);
}

void TestBatchFlow::enterInTheRealConfirmationApprovesNothing()
{
    // No queued answer: Approve… opens the real message box, as for the admin. A stray Enter (typed for
    // something else, or a key held down) must not write to the directory: Cancel is the box's default button.
    tick(pickItems(*m_scan, 1).front());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_flow->reviewTicked();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QVERIFY(dialog && dialog->isVisible());
    m_answers->queueReasons({kBreakGlassReason}); // the message box, after the reason
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    QTRY_VERIFY(qobject_cast<QMessageBox*>(QApplication::activeModalWidget()));
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    QVERIFY2(box->text().startsWith(u"Approve this batch?"_s), qPrintable(box->text()));
    QVERIFY(m_answers->askedQuestions().isEmpty()); // the real box, not a queued answer
    const QPointer<QMessageBox> shown(box);

    QTest::keyClick(box, Qt::Key_Return);
    QTRY_VERIFY(!shown || !shown->isVisible()); // Enter answered it
    QCOMPARE(m_flow->currentBatchId(), 0);
    QVERIFY(m_flow->store()->batches()->empty());
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Review);
    QCOMPARE(m_window->writebackSelection()->size(), 1); // the tick is still there, for a deliberate approval
}

void TestBatchFlow::largeBatchNeedsSecondConfirmation()
{
    BatchFlowConfig config = m_flow->config();
    config.batchOptions.confirmAboveObjects = 1;
    QVERIFY(m_flow->open(config));
    for (const Pick& p : pickItems(*m_scan, 2))
        tick(p);
    m_flow->reviewTicked();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QVERIFY(dialog->findChild<QLabel*>(u"batchIssues"_s)->text().contains(u"confirm a second time"_s));

    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({true, false}); // yes, then no to the second question
    dialog->approve();
    QCOMPARE(m_answers->askedQuestions().size(), 2);
    QVERIFY(m_answers->askedQuestions().last().contains(u"Approve all 2?"_s));
    QVERIFY(m_flow->store()->batches()->empty());

    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({true, true});
    dialog->approve();
    const auto batch = m_flow->store()->batch(m_flow->currentBatchId());
    QVERIFY(batch);
    QCOMPARE(batch->state, BatchState::Approved);
    QVERIFY(batch->secondConfirmation);
}

void TestBatchFlow::demoApplyWritesLdifAndSettlesApplied()
{
    const std::vector<Pick> picks = pickItems(*m_scan, 2);
    for (const Pick& p : picks)
        tick(p);
    const qint64 id = approveTicked();
    QVERIFY(id > 0);
    applyAndWait();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Finished);
    QVERIFY(dialog->findChild<QLabel*>(u"batchStatus"_s)->text().startsWith(u"2 of 2 objects written to"_s));

    const QByteArray ldif = readAll(m_ldif);
    QVERIFY(ldif.startsWith("# Sunset demo writeback"));
    QCOMPARE(ldif.count("version: 1\n"), 1);
    for (size_t i = 0; i < picks.size(); ++i) {
        const QByteArray record = LdifFileBatchTarget::marker(id, qint64(i)) +
                                  expectedRecord(picks[i].dn, picks[i].attribute, picks[i].before.first(),
                                                 picks[i].after.first());
        QVERIFY2(ldif.contains(record), ldif.constData());
    }

    const auto batch = m_flow->store()->batch(id);
    QCOMPARE(batch->state, BatchState::Applied);
    const auto stored = m_flow->store()->changes(id);
    QVERIFY(stored);
    for (const StoredChange& c : stored.value()) {
        QCOMPARE(c.state, ChangeState::Applied);
        QVERIFY(c.settledAt.isValid());
    }
    for (int r = 0; r < m_flow->changesModel()->rowCount(); ++r)
        QCOMPARE(m_flow->changesModel()->stateAt(r), std::optional(ChangeState::Applied));
    QVERIFY(m_flow->changesModel()->index(0, BatchChangesModel::Result).data().toString().startsWith(u"Applied"_s));
}

void TestBatchFlow::undoCreatesReverseBatch()
{
    const Pick pick = pickItems(*m_scan, 1).front();
    tick(pick);
    const qint64 id = approveTicked();
    applyAndWait();

    m_flow->undoBatch(id);
    const qint64 undo = m_flow->currentBatchId();
    QVERIFY(undo > id);
    const auto batch = m_flow->store()->batch(undo);
    QCOMPARE(batch->state, BatchState::Planned);
    QCOMPARE(batch->undoOf, id);
    const auto changes = m_flow->store()->changes(undo).value();
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].dn, pick.dn);
    QCOMPARE(changes[0].before, pick.after); // what the batch wrote is deleted
    QCOMPARE(changes[0].after, pick.before); // what it replaced comes back
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Review);
    QVERIFY(dialog->findChild<QLabel*>(u"batchTitle"_s)->text().startsWith(u"Undo of batch %1"_s.arg(id)));

    // The same review, approval and apply.
    m_answers->queueReasons({kBreakGlassReason});
    m_answers->queueAnswers({true});
    dialog->approve();
    QCOMPARE(m_flow->store()->batch(undo)->state, BatchState::Approved);
    applyAndWait();
    QCOMPARE(m_flow->store()->batch(undo)->state, BatchState::Applied);
    const QByteArray reverse = LdifFileBatchTarget::marker(undo, 0) +
                               expectedRecord(pick.dn, pick.attribute, pick.after.first(), pick.before.first());
    QVERIFY(readAll(m_ldif).contains(reverse));
}

void TestBatchFlow::interruptedBatchIsOfferedSettledAndResumed()
{
    const std::vector<Pick> picks = pickItems(*m_scan, 3);
    for (const Pick& p : picks)
        tick(p);
    const qint64 id = approveTicked();
    HistoryStore& store = *m_flow->store();
    // A crash mid-batch: objects 0 and 1 journalled pending, only object 0's record reached the file.
    QVERIFY(store.markPending(id, {0, 1}));
    {
        QFile f(m_ldif);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n\n" + LdifFileBatchTarget::marker(id, 0) +
                expectedRecord(picks[0].dn, picks[0].attribute, picks[0].before.first(), picks[0].after.first()));
    }
    QCOMPARE(store.batch(id)->state, BatchState::Applying);
    m_flow->reviewDialog()->close();

    {
        // While another process (its lock) still applies it, it is not "interrupted": nothing is offered.
        auto held = BatchLock::acquire(m_flow->config().historyPath, id, u"apply"_s);
        QVERIFY(held);
        m_answers->reset();
        m_flow->offerInterruptedBatches();
        QVERIFY(m_answers->askedQuestions().isEmpty());
        const QString notice = m_window->statusBar()->currentMessage();
        QVERIFY2(notice.startsWith(u"Batch %1 is being applied by process %2"_s.arg(id).arg(
                     QCoreApplication::applicationPid())),
                 qPrintable(notice));
    }

    m_answers->reset();
    m_answers->queueAnswers({true});
    m_flow->offerInterruptedBatches();
    QCOMPARE(m_answers->askedQuestions().size(), 1);
    QVERIFY(m_answers->askedQuestions().first().startsWith(u"Batch %1 (3 objects, approved by alice) was being applied"_s.arg(id)));

    QTRY_VERIFY(!m_flow->runner()->isRunning() && m_flow->reviewDialog() &&
                m_flow->reviewDialog()->stage() == BatchReviewDialog::Stage::Approved);
    auto changes = store.changes(id).value();
    QCOMPARE(changes[0].state, ChangeState::Applied); // found in the file
    QCOMPARE(changes[1].state, ChangeState::NotSent); // pending but never written
    QCOMPARE(changes[2].state, ChangeState::Planned); // never reached
    QCOMPARE(store.batch(id)->state, BatchState::Partial);

    applyAndWait(); // resume
    QCOMPARE(store.batch(id)->state, BatchState::Applied);
    const QByteArray ldif = readAll(m_ldif);
    for (qint64 seq = 0; seq < 3; ++seq)
        QCOMPARE(ldif.count(LdifFileBatchTarget::marker(id, seq)), 1); // nothing written twice, nothing lost
    const auto resumed = store.changes(id);
    QVERIFY(resumed);
    for (const StoredChange& c : resumed.value())
        QCOMPARE(c.state, ChangeState::Applied);
}

void TestBatchFlow::shortcutsOpenReviewAndHistory()
{
    QCOMPARE(m_flow->reviewAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_B));
    QCOMPARE(m_flow->historyAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_H));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_B, Qt::ControlModifier);
    QTRY_VERIFY(m_flow->reviewDialog() && m_flow->reviewDialog()->isVisible());
    QCOMPARE(m_flow->reviewDialog()->findChild<QLabel*>(u"batchTitle"_s)->text(), u"No drift item is ticked"_s);
    m_flow->reviewDialog()->close();
    QTest::keyClick(m_window.get(), Qt::Key_H, Qt::ControlModifier);
    QTRY_VERIFY(m_flow->historyPresenter() && m_flow->historyPresenter()->view()->isVisible());
    auto* path = m_window->findChild<QLabel*>(u"historyPathLabel"_s);
    QVERIFY(path && path->text().contains(u"history.sqlite"_s));
}

void TestBatchFlow::statusBarFitsTheDefaultWindow()
{
    // At the size a new user's window opens (1500 px), the counts and times get their whole width and the two long
    // texts (sources, history path) give way, elided, instead of every label being clipped mid-word.
    m_window->resize(1500, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    for (const char* name : {"shownLabel", "countsLabel", "asOfLabel"}) {
        auto* label = m_window->statusBar()->findChild<QLabel*>(QString::fromLatin1(name));
        QVERIFY2(label && !label->text().isEmpty(), name);
        QTRY_VERIFY2(label->width() >= label->fontMetrics().horizontalAdvance(label->text()), name);
    }
    auto* sources = m_window->findChild<QLabel*>(u"sourcesLabel"_s);
    auto* history = m_window->findChild<QLabel*>(u"historyPathLabel"_s);
    QVERIFY(sources->text().endsWith(u"demo-ad.ldif"_s)); // the full text stays readable (and in the tooltip)
    QVERIFY(history->toolTip().contains(QDir::toNativeSeparators(m_flow->config().historyPath)));
    QVERIFY(sources->minimumSizeHint().width() < sources->fontMetrics().horizontalAdvance(sources->text()));
    QVERIFY(m_window->statusBar()->width() <= 1500);

    // Under the home folder the path is shown from ~.
    const QByteArray home = qgetenv("HOME");
    qputenv("HOME", QFile::encodeName(m_dir->path()));
    QCOMPARE(displayPath(m_dir->filePath(u"profiles/x/history.sqlite"_s)),
             QDir::toNativeSeparators(u"~/profiles/x/history.sqlite"_s));
    QCOMPARE(displayPath(u"/elsewhere/history.sqlite"_s), QDir::toNativeSeparators(u"/elsewhere/history.sqlite"_s));
    qputenv("HOME", home);
}

void TestBatchFlow::withoutTargetApplyIsExplained()
{
    m_flow->showHistory();
    HistoryPresenter* presenter = m_flow->historyPresenter();
    HistoryStore* store = m_flow->store();
    m_flow->setTarget(nullptr, u"Sunset is comparing export files; export the batch as LDIF."_s);
    // A new target does not reopen the history: the open history window stays, on the same store.
    QCOMPARE(m_flow->historyPresenter(), presenter);
    QCOMPARE(m_flow->store(), store);
    tick(pickItems(*m_scan, 1).front());
    const qint64 id = approveTicked();
    QVERIFY(id > 0);
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Approved);
    QVERIFY(!dialog->findChild<QPushButton*>(u"batchApply"_s)->isEnabled());
    QCOMPARE(dialog->findChild<QLabel*>(u"batchTarget"_s)->text(),
             u"Sunset is comparing export files; export the batch as LDIF."_s);
    m_flow->showHistory();
    QCOMPARE(m_flow->historyPresenter()->batchesModel()->rowCount(), 1);
}

void TestBatchFlow::openReviewFollowsTheTarget()
{
    tick(pickItems(*m_scan, 1).front());
    const qint64 id = approveTicked();
    QVERIFY(id > 0);
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    auto* apply = dialog->findChild<QPushButton*>(u"batchApply"_s);
    auto* target = dialog->findChild<QLabel*>(u"batchTarget"_s);
    QVERIFY(apply->isEnabled());

    // A scan of export files finished while the review was open: Apply goes off, with the reason.
    m_flow->setTarget(nullptr, u"No directory: export the batch as LDIF."_s);
    QVERIFY(!apply->isEnabled());
    QCOMPARE(target->text(), u"No directory: export the batch as LDIF."_s);
    QVERIFY(m_flow->store()->actor().bindIdentity.isEmpty());

    // A scan of a directory: Apply writes there, and the review says so before the admin presses it.
    const QString other = m_dir->filePath(u"other.ldif"_s);
    m_flow->setTarget(std::make_shared<LdifFileBatchTarget>(other));
    QVERIFY(apply->isEnabled());
    QVERIFY2(target->text().contains(other), qPrintable(target->text()));
    applyAndWait();
    QVERIFY(readAll(other).contains(LdifFileBatchTarget::marker(id, 0)));
    QVERIFY(!QFile::exists(m_ldif));
}

void TestBatchFlow::targetChangeWaitsForRunningApply()
{
    auto gated = std::make_shared<GatedTarget>(std::make_shared<LdifFileBatchTarget>(m_ldif));
    m_gated = gated;
    m_flow->setTarget(gated);
    tick(pickItems(*m_scan, 1).front());
    const qint64 id = approveTicked();
    QVERIFY(id > 0);
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QSignalSpy applied(m_flow, &BatchFlow::batchApplied);
    dialog->findChild<QPushButton*>(u"batchApply"_s)->click();
    QVERIFY(gated->entered.tryAcquire(1, 10'000)); // the worker is inside apply()

    // A scan of another directory finishes now: the running apply keeps its target.
    const QString other = m_dir->filePath(u"other.ldif"_s);
    auto next = std::make_shared<LdifFileBatchTarget>(other);
    m_flow->setTarget(next);
    QVERIFY(m_flow->targetChangePending());
    QCOMPARE(m_flow->config().target, std::shared_ptr<BatchTarget>(gated));
    const QString notice = m_window->statusBar()->currentMessage();
    QVERIFY2(notice.contains(u"once it is done"_s) && notice.contains(other), qPrintable(notice));
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Applying);

    gated->gate.release();
    QTRY_COMPARE(applied.size(), 1);
    QCOMPARE(applied.first().at(1).value<ApplyReport>().finalState, BatchState::Applied);
    QTRY_VERIFY(!m_flow->targetChangePending());
    QCOMPARE(m_flow->config().target, std::shared_ptr<BatchTarget>(next));
    QVERIFY(readAll(m_ldif).contains(LdifFileBatchTarget::marker(id, 0))); // written where it started
    QVERIFY(!QFile::exists(other));
}

void TestBatchFlow::batchLockedElsewhereIsRefused()
{
    tick(pickItems(*m_scan, 1).front());
    const qint64 id = approveTicked();
    QVERIFY(id > 0);
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    auto* apply = dialog->findChild<QPushButton*>(u"batchApply"_s);
    {
        // Another Sunset (here: this process, through its own lock) is applying the same batch.
        auto held = BatchLock::acquire(m_flow->config().historyPath, id, u"apply"_s);
        QVERIFY(held);
        apply->click();
        QTRY_VERIFY(!m_flow->runner()->isRunning());
        QTRY_COMPARE(dialog->stage(), BatchReviewDialog::Stage::Approved);
        const QString status = dialog->findChild<QLabel*>(u"batchStatus"_s)->text();
        QVERIFY2(status.contains(u"Cannot apply batch %1: it is being applied or settled by process %2"_s.arg(id).arg(
                     QCoreApplication::applicationPid())),
                 qPrintable(status));
        QCOMPARE(m_flow->store()->batch(id)->state, BatchState::Approved);
        QVERIFY(!QFile::exists(m_ldif));
    }
    applyAndWait();
    QCOMPARE(m_flow->store()->batch(id)->state, BatchState::Applied);
}

void TestBatchFlow::recordedScansSayWhatChangedSinceThePrevious()
{
    m_window->resize(1500, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QSignalSpy recorded(m_flow, &BatchFlow::scanRecorded);
    QSignalSpy known(m_flow, &BatchFlow::sinceScanKnown);
    auto* label = m_window->statusBar()->findChild<QLabel*>(u"sinceScanLabel"_s);
    QVERIFY(label);

    m_flow->recordScan(m_scan); // as every shown scan is, on a worker
    QTRY_COMPARE(recorded.count(), 1);
    QCOMPARE(known.count(), 1);
    QCOMPARE(label->text(), u"First scan of this profile"_s);

    m_flow->recordScan(m_scan); // the same tenant again: nothing new, nothing resolved
    QTRY_COMPARE(recorded.count(), 2);
    QCOMPARE(known.count(), 2);
    const auto since = known.last().at(1).value<std::shared_ptr<const SinceScan>>();
    QVERIFY(since);
    QCOMPARE(since->previousScanId, recorded.first().at(0).toLongLong());
    QCOMPARE(since->unchangedDrift, qint64(m_scan->summary.driftItems));
    QCOMPARE(label->text(), u"Since scan %1: 0 new, 0 resolved"_s.arg(since->previousScanId));
    QVERIFY(label->isVisible());
    // The status bar still fits the default window with it.
    for (const char* name : {"sinceScanLabel", "shownLabel", "countsLabel", "asOfLabel"}) {
        auto* l = m_window->statusBar()->findChild<QLabel*>(QString::fromLatin1(name));
        QTRY_VERIFY2(l->width() >= l->fontMetrics().horizontalAdvance(l->text()), name);
    }
}

QTEST_MAIN(TestBatchFlow)

// "Ask Cloud Sync to write it back now" before it can: nothing ticked, no live cloud sign-in, no job known with
// its service principal (the demo's Cloud Sync state is read from files, or not at all): each says what to do,
// and nothing is recorded.
void TestBatchFlow::askingCloudSyncSaysWhatItNeeds()
{
    auto* onDemand = new OnDemandFlow(*m_window, *m_flow);
    onDemand->installActions();
    QVERIFY(onDemand->action() && onDemand->action()->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    // Each key of the window does one thing, the flows' actions included (two enabled actions on one key: Qt runs
    // neither and reports an ambiguous shortcut).
    QHash<QKeySequence, QString> owners;
    QSet<const QAction*> actions;
    for (const QAction* action : m_window->findChildren<QAction*>())
        actions.insert(action);
    actions.insert(onDemand->action());
    for (const QAction* action : std::as_const(actions)) {
        for (const QKeySequence& key : action->shortcuts()) {
            QVERIFY2(!owners.contains(key), qPrintable(u"%1 is both \"%2\" and \"%3\""_s.arg(
                                                key.toString(), owners.value(key), action->text())));
            owners.insert(key, action->text());
        }
    }
    onDemand->action()->trigger();
    QVERIFY2(onDemand->lastSummary().contains(u"No ticked drift item"_s), qPrintable(onDemand->lastSummary()));
    tick(pickItems(*m_scan, 1).front()); // extensionAttribute2 of a cloud-managed mailbox: Cloud Sync writes it
    onDemand->action()->trigger();
    QVERIFY2(onDemand->lastSummary().contains(u"connect with your tenant"_s), qPrintable(onDemand->lastSummary()));
    onDemand->setCloudSettings(CloudScanSettings{});
    onDemand->action()->trigger();
    QVERIFY2(onDemand->lastSummary().contains(u"Cloud Sync read live"_s), qPrintable(onDemand->lastSummary()));
    QVERIFY(!onDemand->isRunning());
    QVERIFY(m_window->findChild<QMessageBox*>(u"provisionOnDemandResult"_s));
}

void TestBatchFlow::breakGlassReasonIsRequiredAndRecorded()
{
    // An emea mailbox: the demo's emea writeback job is quarantined, so the review calls the write break-glass.
    const int row = test::rowOfUpn(*m_scan, "jurgen.svensson@contoso.com");
    QVERIFY(row >= 0);
    tick({row, {}, AttributeId::MsExchExtensionCustomAttribute1, {}, {}});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_flow->reviewTicked();
    BatchReviewDialog* dialog = m_flow->reviewDialog();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(m_flow->changesModel()->rowCount(), 1);
    auto* label = dialog->findChild<QLabel*>(u"batchBreakGlass"_s);
    QVERIFY(label && label->isVisible());
    QVERIFY2(label->text().contains(u"emea.contoso.com: Cloud Sync cannot write this back now (job "
                                    "Entra2ADExchangeOnlineAttributeWriteback."_s),
             qPrintable(label->text()));
    QVERIFY2(label->text().contains(u"quarantined (EncounteredQuarantineException) since"_s), qPrintable(label->text()));
    QVERIFY(label->text().contains(u"this direct write is the break-glass path"_s));
    QVERIFY2(label->text().contains(u"Break-glass: direct write to AD, unsupported by Microsoft for these attributes; "
                                    "use Ask Cloud Sync to write it back first."_s),
             qPrintable(label->text()));

    // An empty reason (queued, as a test answers): refused, nothing asked after it, nothing recorded.
    m_answers->queueReasons({u"   "_s});
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    QCOMPARE(m_answers->askedReasons().size(), 1);
    QVERIFY(m_answers->askedReasons().first().contains(u"emea.contoso.com: Cloud Sync cannot write this back"_s));
    QVERIFY(m_answers->askedQuestions().isEmpty());
    QVERIFY(m_flow->store()->batches()->empty());
    QVERIFY2(dialog->findChild<QLabel*>(u"batchStatus"_s)->text().contains(u"A break-glass reason is required"_s),
             qPrintable(dialog->findChild<QLabel*>(u"batchStatus"_s)->text()));
    QCOMPARE(dialog->stage(), BatchReviewDialog::Stage::Review);

    // The real prompt: OK stays disabled until the reason is long enough.
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    QTRY_VERIFY(dialog->findChild<QDialog*>(u"breakGlassReasonDialog"_s));
    auto* prompt = dialog->findChild<QDialog*>(u"breakGlassReasonDialog"_s);
    auto* edit = prompt->findChild<QPlainTextEdit*>(u"breakGlassReason"_s);
    auto* ok = prompt->findChild<QPushButton*>(u"breakGlassOk"_s);
    QVERIFY(edit && ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(edit, u"urgent"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(prompt->findChild<QLabel*>(u"breakGlassProblem"_s)->text().contains(u"too short"_s));
    const QString reason = u"urgent: emea writeback job quarantined, CHG-4711"_s;
    edit->setPlainText(reason);
    QVERIFY(ok->isEnabled());
    m_answers->queueAnswers({true}); // the confirmation that follows
    ok->click();
    QCOMPARE(m_answers->askedQuestions().size(), 1);
    QVERIFY2(m_answers->askedQuestions().first().contains(u"with the break-glass reason \u201C"_s + reason),
             qPrintable(m_answers->askedQuestions().first()));

    const qint64 id = m_flow->currentBatchId();
    QVERIFY(id > 0);
    const auto batch = m_flow->store()->batch(id);
    QCOMPARE(batch->state, BatchState::Approved);
    QCOMPARE(batch->breakGlassReason, std::optional<QString>(reason));
    QVERIFY(batch->breakGlassCloudSync.contains("\"cloudSync\":\"cannot\""));
    QVERIFY(m_flow->store()->events()->back().detailJson.contains(reason.toUtf8()));
    QVERIFY2(label->text().contains(u"Break-glass reason:</b> "_s + reason), qPrintable(label->text()));
}

#include "TestBatchFlow.moc"
