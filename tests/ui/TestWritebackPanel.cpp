// SPDX-License-Identifier: Apache-2.0
// The Writeback panel: its job and provisioning models over a CloudSyncState (quarantine, missing mappings,
// failures and skips, now and recovered), the message when Cloud Sync was not read, and, in the main window, a
// provisioning row that leads to its mailbox.
#include "AttributeComparisonModel.h"
#include "support/DemoScan.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "MainWindow.h"
#include "ProvisioningIssuesModel.h"
#include "WritebackJobsModel.h"
#include "WritebackPanel.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

qint64 at(const char* iso) { return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toMSecsSinceEpoch(); }

QString cell(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role).toString();
}

// One quarantined job whose schema lacks mail, and one healthy job that reports its objects in scope.
std::shared_ptr<const CloudSyncState> twoJobs()
{
    auto state = std::make_shared<CloudSyncState>();
    state->jobsRead = true;
    state->jobsSource = u"jobs.json"_s;
    WritebackJob quarantined;
    quarantined.id = u"Entra2ADExchangeOnlineAttributeWriteback.a.1"_s;
    quarantined.domain = u"emea.contoso.com"_s;
    quarantined.statusCodeText = u"Quarantine"_s;
    quarantined.code = SyncJobCode::Quarantine;
    quarantined.quarantine = SyncQuarantine{u"EncounteredQuarantineException"_s, at("2026-11-23T07:00:00Z"),
                                            at("2026-11-23T07:00:00Z"), at("2026-11-24T15:00:00Z")};
    quarantined.lastSuccessfulExecution = SyncExecution{at("2026-11-23T05:59:00Z"), at("2026-11-23T06:00:00Z"),
                                                        u"Succeeded"_s, {}};
    quarantined.scheduleIntervalMsecs = 20 * 60 * 1000;
    quarantined.schemaRead = true;
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (spec.writtenBackByCloudSync && spec.id != AttributeId::Mail)
            quarantined.mappedAttributes |= quint32(1) << int(spec.id);
    WritebackJob healthy;
    healthy.id = u"Entra2ADExchangeOnlineAttributeWriteback.a.2"_s;
    healthy.domain = u"contoso.com"_s;
    healthy.statusCodeText = u"Active"_s;
    healthy.code = SyncJobCode::Active;
    healthy.scheduleState = u"Active"_s;
    healthy.lastSuccessfulExecution = SyncExecution{at("2026-11-24T08:49:00Z"), at("2026-11-24T08:50:00Z"),
                                                    u"Succeeded"_s, {}};
    healthy.scheduleIntervalMsecs = 20 * 60 * 1000;
    healthy.synchronizedEntryCounts = {{u"User to user"_s, 2900}, {u"Contact to contact"_s, 12}};
    state->jobs = {quarantined, healthy};
    return state;
}

// The demo's scan with another provisioning log: entries for the mailboxes of these UPNs (or, for a UPN the scan
// does not hold, an Entra object of that name), folded in the order given.
struct LogEntry {
    QByteArray upn;
    const char* when;
    ProvisioningStatus status;
    QString code; // error code of a failure, skip reason of a skip
};

std::shared_ptr<const DriftScan> withLog(const DriftScan& demo, const std::vector<LogEntry>& entries)
{
    auto state = std::make_shared<CloudSyncState>(*demo.report.cloudSync);
    state->provisioning = {};
    for (const LogEntry& e : entries) {
        const int row = test::rowOfUpn(demo, e.upn);
        const QByteArray id = row < 0 ? e.upn
                                      : demo.cloudRecord(demo.rows()[size_t(row)])
                                            ->identity(IdentityField::ExternalDirectoryObjectId)
                                            .toByteArray()
                                            .toLower();
        const bool failed = e.status == ProvisioningStatus::Failure;
        state->provisioning.add(id,
                                {at(e.when), e.status, state->jobs.back().id, failed ? e.code : QString(), {},
                                 failed ? u"Access is denied."_s : QString(), {}, failed ? QString() : e.code},
                                {});
    }
    DriftOptions options;
    options.asOfMsecs = demo.report.asOfMsecs;
    options.cloudSync = state;
    return DriftScan::compute(demo.ad, demo.cloud, demo.sources, options);
}

} // namespace

class TestWritebackPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jobRowsSayStateQuarantineAndMappings();
    void provisioningRowsAreFailuresAndSkipsNewestFirst();
    void recoveredRowsFollowTheCurrentFailures();
    void titleCountsFailingRecoveredAndSkipped();
    void notReadSaysWhatIsMissingAndHow();
    void activatingARowSelectsItsMailbox();

private:
    std::shared_ptr<const DriftScan> m_demo;
};

void TestWritebackPanel::initTestCase()
{
    m_demo = test::loadDemoScan();
    QVERIFY(m_demo);
}

void TestWritebackPanel::jobRowsSayStateQuarantineAndMappings()
{
    WritebackJobsModel model;
    model.setState(twoJobs());
    QCOMPARE(model.rowCount(), 2);
    using C = WritebackJobsModel;
    QCOMPARE(cell(model, 0, C::Domain), u"emea.contoso.com"_s);
    QCOMPARE(cell(model, 0, C::State), u"Quarantined: EncounteredQuarantineException"_s);
    QCOMPARE(model.index(0, C::State).data(ItemRole::Severity).toInt(), int(Severity::Critical));
    QCOMPARE(cell(model, 0, C::QuarantinedSince), u"2026-11-23 07:00 UTC"_s);
    QCOMPARE(cell(model, 0, C::LastSuccessfulRun), u"2026-11-23 06:00 UTC"_s);
    QCOMPARE(cell(model, 0, C::NextRunDue), u"2026-11-24 15:00 UTC (next attempt)"_s);
    QCOMPARE(cell(model, 0, C::MappingsMissing), u"1 of 24: mail"_s);
    QCOMPARE(model.index(0, C::MappingsMissing).data(ItemRole::Severity).toInt(), int(Severity::Warning));
    QVERIFY(cell(model, 0, C::MappingsMissing, Qt::ToolTipRole).contains(u"Restore default mappings"_s));
    QCOMPARE(cell(model, 0, C::ObjectsInScope), u"not reported"_s);

    QCOMPARE(cell(model, 1, C::State), u"Active"_s);
    QVERIFY(!model.index(1, C::State).data(ItemRole::Severity).isValid());
    QCOMPARE(cell(model, 1, C::QuarantinedSince), QString());
    QCOMPARE(cell(model, 1, C::NextRunDue), u"2026-11-24 09:10 UTC"_s); // last run + PT20M
    QCOMPARE(cell(model, 1, C::MappingsMissing), u"schema not read"_s);
    QCOMPARE(cell(model, 1, C::ObjectsInScope), QLocale().toString(2912));
    QVERIFY(cell(model, 1, C::ObjectsInScope, Qt::ToolTipRole).contains(u"Contact to contact"_s));
}

void TestWritebackPanel::provisioningRowsAreFailuresAndSkipsNewestFirst()
{
    // The demo's log: failures (InsufficientRights, 07:32 to 08:12), skips (NotInScope 08:30, RedundantExport
    // 07:50), a success that is not listed, and two failures (02:20, 02:40) written back since (03:00), listed last.
    ProvisioningIssuesModel model;
    model.setScan(m_demo);
    QCOMPARE(model.failureCount(), 1);
    QCOMPARE(model.skipCount(), 2);
    QCOMPARE(model.recoveredCount(), 1);
    QCOMPARE(model.rowCount(), 4);
    using C = ProvisioningIssuesModel;
    QCOMPARE(cell(model, 0, C::Result), u"Skipped"_s);
    QCOMPARE(cell(model, 0, C::Code), u"NotInScope"_s);
    QCOMPARE(cell(model, 1, C::When), u"2026-11-24 08:12 UTC"_s);
    QCOMPARE(cell(model, 1, C::Result), u"Failed"_s);
    QVERIFY(model.failedAt(1) && !model.failedAt(0));
    QCOMPARE(cell(model, 1, C::Code), u"InsufficientRights"_s);
    QCOMPARE(cell(model, 1, C::Domain), u"contoso.com"_s);
    QVERIFY(cell(model, 1, C::Details).contains(u"Grant its account write access to OU=Sales"_s));
    QCOMPARE(model.index(1, C::Result).data(ItemRole::Severity).toInt(), int(Severity::Critical));
    QCOMPARE(cell(model, 2, C::Code), u"RedundantExport"_s);
    // Each row leads to its mailbox of the scan.
    const int failed = model.scanRowAt(1);
    QVERIFY(failed >= 0);
    QCOMPARE(model.index(1, C::Mailbox).data(ItemRole::ScanRowIndex).toInt(), failed);
    QCOMPARE(m_demo->userPrincipalName(m_demo->rows()[size_t(failed)]), "jurgen.muller@contoso.com");
    QCOMPARE(m_demo->userPrincipalName(m_demo->rows()[size_t(model.scanRowAt(0))]), "noah.kowalski@contoso.com");
    QVERIFY(cell(model, 1, C::Mailbox).contains(u"jurgen.muller@contoso.com"_s));
    QCOMPARE(cell(model, 1, C::Attempts), u"failing since 07:32, 3 failed attempts"_s);
    QCOMPARE(cell(model, 0, C::Attempts), u"skipped since 08:30, 1 skipped entry"_s);

    QCOMPARE(cell(model, 3, C::Result), u"Recovered"_s);
    QVERIFY(model.recoveredAt(3) && !model.failedAt(3) && !model.recoveredAt(1));
    QVERIFY(!model.index(3, C::Result).data(ItemRole::Severity).isValid());
    QCOMPARE(cell(model, 3, C::When), u"2026-11-24 02:40 UTC"_s);
    QCOMPARE(cell(model, 3, C::Attempts), u"failed 2× until 02:40, written back at 03:00"_s);
    QCOMPARE(cell(model, 3, C::Code), u"InsufficientRights"_s); // the last failure's, though a success followed
    QVERIFY(cell(model, 3, C::Details).contains(u"write extensionAttribute4"_s));
    QVERIFY(cell(model, 3, C::Result, Qt::ToolTipRole).contains(u"wrote to AD at 2026-11-24 03:00 UTC"_s));
    QVERIFY(model.scanRowAt(3) >= 0);
}

// Objects failing or skipped now come first, newest first; those written back since after them, newest first;
// an object failing again after a write-back says so; an object the scan does not hold still has its row.
void TestWritebackPanel::recoveredRowsFollowTheCurrentFailures()
{
    const std::shared_ptr<const DriftScan> scan = withLog(
        *m_demo, {{"noah.kowalski@contoso.com", "2026-11-24T06:00:00Z", ProvisioningStatus::Failure, u"A"_s},
                  {"noah.kowalski@contoso.com", "2026-11-24T08:00:00Z", ProvisioningStatus::Success, {}},
                  {"noah.kowalski@contoso.com", "2026-11-23T23:00:00Z", ProvisioningStatus::Failure, u"B"_s},
                  {"jurgen.muller@contoso.com", "2026-11-24T07:00:00Z", ProvisioningStatus::Failure, u"C"_s},
                  {"jurgen.muller@contoso.com", "2026-11-24T06:00:00Z", ProvisioningStatus::Success, {}},
                  {"jurgen.muller@contoso.com", "2026-11-24T05:00:00Z", ProvisioningStatus::Failure, u"C"_s},
                  {"jurgen.muller@contoso.com", "2026-11-24T08:40:00Z", ProvisioningStatus::Failure, u"C"_s},
                  {"gone-object", "2026-11-24T08:20:00Z", ProvisioningStatus::Skipped, u"NotInScope"_s},
                  {"gone-object", "2026-11-24T07:20:00Z", ProvisioningStatus::Skipped, u"NotInScope"_s},
                  {"skipped-then-written", "2026-11-24T07:30:00Z", ProvisioningStatus::Skipped, u"NotInScope"_s},
                  {"skipped-then-written", "2026-11-24T07:50:00Z", ProvisioningStatus::Success, {}},
                  {"never-failed", "2026-11-24T08:50:00Z", ProvisioningStatus::Success, {}}});
    ProvisioningIssuesModel model;
    model.setScan(scan);
    using C = ProvisioningIssuesModel;
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.failureCount(), 1);
    QCOMPARE(model.skipCount(), 1);
    QCOMPARE(model.recoveredCount(), 2);
    QCOMPARE(cell(model, 0, C::Result), u"Failed"_s);
    QCOMPARE(cell(model, 0, C::When), u"2026-11-24 08:40 UTC"_s);
    QCOMPARE(cell(model, 0, C::Attempts),
             u"failing again after a write-back at 06:00; 3 failed attempts since 05:00"_s);
    QCOMPARE(cell(model, 1, C::Result), u"Skipped"_s);
    QCOMPARE(cell(model, 1, C::Attempts), u"skipped since 07:20, 2 skipped entries"_s);
    QCOMPARE(model.scanRowAt(1), -1);
    QVERIFY(cell(model, 1, C::Mailbox).contains(u"gone-object (not among the scanned mailboxes)"_s));
    QCOMPARE(cell(model, 2, C::Result), u"Recovered"_s);
    QCOMPARE(cell(model, 2, C::Attempts), u"skipped 1× until 07:30, written back at 07:50"_s);
    QCOMPARE(cell(model, 3, C::Result), u"Recovered"_s);
    QCOMPARE(cell(model, 3, C::When), u"2026-11-24 06:00 UTC"_s);
    QCOMPARE(cell(model, 3, C::Code), u"A"_s);
    QCOMPARE(cell(model, 3, C::Attempts), u"failed 2× until 06:00, written back at 08:00"_s);
    QCOMPARE(m_demo->userPrincipalName(m_demo->rows()[size_t(model.scanRowAt(3))]), "noah.kowalski@contoso.com");

    // A first failure on an earlier day than the row's last one is given with its date.
    const std::shared_ptr<const DriftScan> days = withLog(
        *m_demo, {{"jurgen.muller@contoso.com", "2026-11-22T10:00:00Z", ProvisioningStatus::Failure, u"C"_s},
                  {"jurgen.muller@contoso.com", "2026-11-24T08:40:00Z", ProvisioningStatus::Failure, u"C"_s}});
    model.setScan(days);
    QCOMPARE(cell(model, 0, C::Attempts), u"failing since 2026-11-22 10:00 UTC, 2 failed attempts"_s);
}

void TestWritebackPanel::titleCountsFailingRecoveredAndSkipped()
{
    WritebackPanel panel;
    panel.setScan(m_demo);
    auto* title = panel.findChild<QLabel*>(u"writebackIssuesTitle"_s);
    QVERIFY(title);
    QVERIFY2(title->text().startsWith(u"Not written back in the last cycles: 1 failing now, 1 recovered, 2 skipped"_s),
             qPrintable(title->text()));
    panel.setScan(withLog(*m_demo, {{"a", "2026-11-24T08:00:00Z", ProvisioningStatus::Success, {}}}));
    QVERIFY2(title->text().contains(u"none"_s), qPrintable(title->text()));
    QVERIFY(panel.issuesView()->isHidden());
}

void TestWritebackPanel::notReadSaysWhatIsMissingAndHow()
{
    // The demo's snapshots compared without Cloud Sync's files, as any other scan of files is today.
    const std::shared_ptr<const DriftScan> bare =
        DriftScan::compute(m_demo->ad, m_demo->cloud, m_demo->sources, DriftOptions{});
    WritebackPanel panel;
    panel.setScan(bare);
    const QString text = panel.statusText();
    QVERIFY2(text.contains(u"writeback jobs were not read"_s), qPrintable(text));
    QVERIFY2(text.contains(u"provisioning log was not read"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Synchronization.Read.All"_s) && text.contains(u"AuditLog.Read.All"_s), qPrintable(text));
    QVERIFY2(text.contains(u"--sync-jobs"_s) && text.contains(u"--provisioning-log"_s), qPrintable(text));
    QCOMPARE(panel.jobsModel()->rowCount(), 0);
    QCOMPARE(panel.issuesModel()->rowCount(), 0);
    QVERIFY(panel.jobsView()->isHidden());
    QVERIFY(panel.issuesView()->isHidden());

    // A reason the reader gave (e.g. a permission the app lacks) is said as given.
    auto state = std::make_shared<CloudSyncState>();
    state->jobsMissingReason = u"the app lacks Synchronization.Read.All (403 from Graph)"_s;
    QVERIFY(cloudSyncMissingText(*state).contains(u"not read: the app lacks Synchronization.Read.All (403"_s));

    panel.setScan(m_demo); // both read: no message, both tables
    QVERIFY2(!panel.statusText().contains(u"not read"_s), qPrintable(panel.statusText()));
    QVERIFY(!panel.jobsView()->isHidden());
    QVERIFY(!panel.issuesView()->isHidden());
}

void TestWritebackPanel::activatingARowSelectsItsMailbox()
{
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showScan(m_demo);
    auto* toggle = window.findChild<QAction*>(u"writebackAction"_s);
    QVERIFY(toggle);
    QCOMPARE(toggle->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    auto* dock = window.findChild<QDockWidget*>(u"writebackDock"_s);
    QVERIFY(dock && !dock->isVisible());
    toggle->trigger();
    QTRY_VERIFY(dock->isVisible());
    QVERIFY(toggle->isChecked());
    WritebackPanel* panel = window.writebackPanel();
    QCOMPARE(panel->jobsModel()->rowCount(), 2);

    // A search that hides the mailbox: activating the row still brings it up (the search is cleared).
    auto* search = window.findChild<QLineEdit*>(u"searchEdit"_s);
    search->setText(u"no such mailbox"_s);
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(window.mailboxFilter()->rowCount(), 0);

    QTableView* issues = panel->issuesView();
    issues->setCurrentIndex(issues->model()->index(1, ProvisioningIssuesModel::Mailbox)); // the failure
    QTest::keyClick(issues, Qt::Key_Return);
    const QModelIndex current = window.mailboxView()->currentIndex();
    QVERIFY(current.isValid());
    const int scanRow = window.mailboxFilter()->mapToSource(current).row();
    QCOMPARE(scanRow, panel->issuesModel()->scanRowAt(1));
    QCOMPARE(m_demo->userPrincipalName(m_demo->rows()[size_t(scanRow)]), "jurgen.muller@contoso.com");
    QVERIFY(search->text().isEmpty());
    QVERIFY(window.comparisonModel()->rowCount() > 0); // the comparison shows it

    // The recovered row (failed twice, written back since), listed last, leads to its mailbox like any other.
    const int recovered = issues->model()->rowCount() - 1;
    QVERIFY(panel->issuesModel()->recoveredAt(recovered));
    const int recoveredScanRow = panel->issuesModel()->scanRowAt(recovered);
    QVERIFY(recoveredScanRow >= 0);
    QCOMPARE(m_demo->displayName(m_demo->rows()[size_t(recoveredScanRow)]), "Åsa Novak");
    issues->setCurrentIndex(issues->model()->index(recovered, ProvisioningIssuesModel::Attempts));
    QTest::keyClick(issues, Qt::Key_Return);
    QVERIFY(window.mailboxView()->currentIndex().isValid());
    QCOMPARE(window.mailboxFilter()->mapToSource(window.mailboxView()->currentIndex()).row(), recoveredScanRow);

    toggle->trigger();
    QTRY_VERIFY(!dock->isVisible());
}

QTEST_MAIN(TestWritebackPanel)
#include "TestWritebackPanel.moc"
