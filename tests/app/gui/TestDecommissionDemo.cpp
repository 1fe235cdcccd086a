// SPDX-License-Identifier: Apache-2.0
// The decommission wizard as `sunset --demo` makes it (createDecommissionWizard with the demo tenant's files as
// its sources), offscreen, over a history of its own: an admin walks the five steps, each step's checks report
// the demo's real findings (the mailbox not cloud-managed, the fresh scan recorded and judged, the hybrid
// relationship and connectors, server EXCH01 and its SCP, the leftovers after the uninstall), the fresh scan's
// button records a scan that "Show scan N in History" selects in the History window, and the exported JSON and
// PDF hold every step.
#include "ChecklistStore.h"
#include "DecommissionWiring.h"
#include "DecommissionWizard.h"
#include "HistoryPresenter.h"
#include "SavePathChooser.h"

#include <QAbstractButton>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo");

// Every line of a page's findings (results, summaries, evidence), one per line.
QString findingsText(DecommissionWizard& wizard, ChecklistStep step)
{
    QStringList lines;
    auto* tree = wizard.stepPage(step)->findChild<QTreeWidget*>(u"findings"_s);
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = tree->topLevelItem(i);
        lines.append(item->text(0) + u": "_s + item->text(1));
        for (int c = 0; c < item->childCount(); ++c)
            lines.append(u"    "_s + item->child(c)->text(1));
    }
    return lines.join(u'\n');
}

} // namespace

class TestDecommissionDemo final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    static bool runChecks(DecommissionWizard& wizard, ChecklistStep step)
    {
        QSignalSpy done(&wizard, &DecommissionWizard::checksFinished);
        auto* button = wizard.stepPage(step)->findChild<QPushButton*>(u"runChecks"_s);
        if (!button || !button->isEnabled())
            return false;
        button->click();
        return done.wait(60000) && done.first().first().value<ChecklistStep>() == step;
    }

    // The demo's steps all fail on real findings; the admin overrides each with a reason to walk on.
    static void overrideAndNext(DecommissionWizard& wizard, ChecklistStep step)
    {
        DecommissionStepPage* page = wizard.stepPage(step);
        page->findChild<QLineEdit*>(u"overrideReason"_s)
            ->setText(u"Walking the demo: findings reviewed with the change board"_s);
        page->findChild<QPushButton*>(u"override"_s)->click();
        QVERIFY(page->isComplete());
        wizard.next();
        QCOMPARE(wizard.currentId(), int(step) + 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"SunsetTest"_s);
        QCoreApplication::setApplicationName(u"TestDecommissionDemo"_s);
    }

    void walksTheDemoWithRealFindings()
    {
        const QString historyPath = m_dir.filePath(u"demo-history.sqlite"_s);
        // The History window as the app has it (BatchFlow's presenter over its own connection to the history).
        auto store = HistoryStore::open(historyPath, HistoryActor{u"alice"_s, {}});
        QVERIFY(store.ok());
        HistoryPresenter presenter(*store.value(), std::make_shared<FileDialogSavePathChooser>(), nullptr);

        DecommissionWizardOptions options;
        options.historyPath = historyPath;
        options.fixedSources = demoChecklistSources(kDemo);
        options.fixedSourcesDescription = describeDemoChecklistSources(kDemo);
        options.showScan = [&presenter](qint64 id) { presenter.showScan(id); };
        std::unique_ptr<DecommissionWizard> wizard(
            qobject_cast<DecommissionWizard*>(createDecommissionWizard(nullptr, options)));
        QVERIFY(wizard);
        wizard->show();
        QCOMPARE(wizard->currentId(), int(ChecklistStep::Prerequisites));

        // "Sources…" names the demo's files instead of offering the settings.
        wizard->button(QWizard::CustomButton1)->click();
        auto* box = wizard->findChild<QMessageBox*>();
        QVERIFY(box);
        QVERIFY(box->text().contains(u"demo-config.ldif"_s));
        QVERIFY(box->text().contains(u"demo-hybrid.json"_s));
        box->close();

        // 1. Prerequisites: the one directory-synced mailbox that is not cloud-managed, by name; the agent's gMSA.
        QVERIFY(runChecks(*wizard, ChecklistStep::Prerequisites));
        QString text = findingsText(*wizard, ChecklistStep::Prerequisites);
        QVERIFY2(text.contains(u"Blocking: 1 of 2999 directory-synced mailboxes are not cloud-managed"_s),
                 qPrintable(text));
        QVERIFY2(text.contains(u"<anna.schmidt@contoso.com>"_s), qPrintable(text));
        QVERIFY(text.contains(u"CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=com"_s));
        QVERIFY(!text.contains(u"Error:"_s));
        // Cloud Sync's writeback is checked from the demo's jobs, not attested: the child domain's job is
        // quarantined, the main domain's lacks the mail mapping, and the confirmation box says it was checked.
        QVERIFY2(text.contains(u"Blocking: Writeback jobs not running: 1 quarantined"_s), qPrintable(text));
        QVERIFY(text.contains(u"; quarantined (EncounteredQuarantineException) since 2026-11-23 07:00 UTC"_s));
        QVERIFY(text.contains(u"): not mapped: mail"_s));
        QVERIFY(text.contains(u"\"Restore default mappings\""_s));
        auto* writeback = wizard->stepPage(ChecklistStep::Prerequisites)
                              ->findChild<QCheckBox*>(u"attest-cloud-sync-writeback"_s);
        QVERIFY(writeback);
        QVERIFY(!writeback->isEnabled());
        QVERIFY2(writeback->text().startsWith(u"Checked by the latest run"_s), qPrintable(writeback->text()));
        overrideAndNext(*wizard, ChecklistStep::Prerequisites);

        // 2. Verification: no scan in this history yet, so the checks block on that; the fresh scan records one
        // (demo-ad.ldif against demo-exo.json) and the step is judged again on it.
        QVERIFY(runChecks(*wizard, ChecklistStep::Verification));
        text = findingsText(*wizard, ChecklistStep::Verification);
        QVERIFY2(text.contains(u"No drift scan is recorded in the history"_s), qPrintable(text));
        DecommissionStepPage* verification = wizard->stepPage(ChecklistStep::Verification);
        auto* fresh = verification->findChild<QPushButton*>(u"freshScan"_s);
        QVERIFY(fresh && fresh->isVisible() && fresh->isEnabled());
        QVERIFY(!verification->findChild<QPushButton*>(u"showScan"_s)->isVisible());
        QSignalSpy scanned(verification, &DecommissionStepPage::freshScanFinished);
        QSignalSpy judged(wizard.get(), &DecommissionWizard::checksFinished);
        fresh->click();
        QVERIFY(!fresh->isEnabled());
        QVERIFY(verification->findChild<QPushButton*>(u"cancelChecks"_s)->isEnabled());
        QVERIFY(scanned.wait(60000));
        QCOMPARE(scanned.first().first().toBool(), true);
        QVERIFY(judged.count() == 1 || judged.wait(60000));
        auto scans = store.value()->scans();
        QVERIFY(scans.ok());
        QCOMPARE(scans->size(), size_t(1));
        const qint64 scanId = scans->front().id;
        QCOMPARE(scans->front().record.adSource, kDemo + u"/demo-ad.ldif"_s);
        QCOMPARE(scans->front().record.exoSource, kDemo + u"/demo-exo.json"_s);
        QCOMPARE(scans->front().record.matched, 2998);
        text = findingsText(*wizard, ChecklistStep::Verification);
        QVERIFY2(text.contains(u"OK: The latest scan is recent."_s), qPrintable(text));
        QVERIFY(text.contains(u"scan %1, finished "_s.arg(scanId)));
        QVERIFY(text.contains(u"critical drift items"_s)); // the demo's planted critical drift blocks
        QVERIFY(text.contains(u"2998 matched mailboxes"_s));
        QVERIFY(fresh->isEnabled());

        // The judged scan, selected in the History window.
        auto* show = verification->findChild<QPushButton*>(u"showScan"_s);
        QVERIFY(show->isVisible());
        QCOMPARE(show->text(), u"Show scan %1 in History"_s.arg(scanId));
        show->click();
        HistoryView* history = presenter.view();
        QVERIFY(history->isVisible());
        QCOMPARE(history->tabs()->currentWidget(), history->table(HistoryView::ScansTab));
        const QModelIndex selected = history->table(HistoryView::ScansTab)->currentIndex();
        QVERIFY(selected.isValid());
        QCOMPARE(selected.siblingAtColumn(0).data(HistoryView::IdRole).toLongLong(), scanId);
        history->close();
        overrideAndNext(*wizard, ChecklistStep::Verification);

        // 3. Hybrid cleanup: Exchange Online's relationship and HCW connectors by name, the partner connector
        // apart, and AD's hybrid configuration object.
        QVERIFY(runChecks(*wizard, ChecklistStep::HybridCleanup));
        text = findingsText(*wizard, ChecklistStep::HybridCleanup);
        QVERIFY2(text.contains(u"The hybrid organization relationship is still in Exchange Online"_s), qPrintable(text));
        QVERIFY(text.contains(u"O365 to On-premises - 8b5f1c9e-3d2a-4e7b-9c61-0f4d2a7e5b13"_s));
        QVERIFY(text.contains(u"hybrid inbound: Inbound from 8b5f1c9e-3d2a-4e7b-9c61-0f4d2a7e5b13"_s));
        QVERIFY(text.contains(u"hybrid outbound: Outbound to 8b5f1c9e-3d2a-4e7b-9c61-0f4d2a7e5b13"_s));
        QVERIFY(text.contains(u"other outbound: Fabrikam partner"_s));
        QVERIFY(text.contains(u"CN=Hybrid Configuration,CN=Hybrid Configuration,CN=Contoso,CN=Microsoft Exchange"_s));
        QVERIFY(!text.contains(u"Error:"_s));
        overrideAndNext(*wizard, ChecklistStep::HybridCleanup);

        // 4. Uninstall: the server still registered, by name and version, and its Autodiscover SCP.
        QVERIFY(runChecks(*wizard, ChecklistStep::Uninstall));
        text = findingsText(*wizard, ChecklistStep::Uninstall);
        QVERIFY2(text.contains(u"CN=EXCH01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT)"_s),
                 qPrintable(text));
        QVERIFY(text.contains(u"Blocking: 1 Exchange server is still registered in AD"_s));
        QVERIFY(text.contains(u"Version 15.2 (Build 1544.4)"_s));
        QVERIFY(text.contains(u"https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml"_s));
        QVERIFY(!text.contains(u"Error:"_s));
        overrideAndNext(*wizard, ChecklistStep::Uninstall);

        // 5. After the uninstall: what must stay apart from what should go.
        QVERIFY(runChecks(*wizard, ChecklistStep::PostUninstallCleanup));
        text = findingsText(*wizard, ChecklistStep::PostUninstallCleanup);
        QVERIFY2(text.contains(u"Keep: the Exchange schema extensions are present"_s), qPrintable(text));
        QVERIFY(text.contains(u"Keep: 3002 recipients carry msExch*/extensionAttribute* values"_s));
        QVERIFY(text.contains(u"4 Exchange organization objects linger in AD"_s));
        QVERIFY(text.contains(u"OU=Microsoft Exchange Security Groups,DC=contoso,DC=com"_s));
        QVERIFY(!text.contains(u"Error:"_s));
        wizard->stepPage(ChecklistStep::PostUninstallCleanup)
            ->findChild<QLineEdit*>(u"overrideReason"_s)
            ->setText(u"Walking the demo: findings reviewed with the change board"_s);
        wizard->stepPage(ChecklistStep::PostUninstallCleanup)->findChild<QPushButton*>(u"override"_s)->click();
        QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());

        // The report: every step with its runs and findings, and the overrides with their reasons.
        const QString json = m_dir.filePath(u"checklist.json"_s);
        QVERIFY(wizard->exportTo(json));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        const QByteArray bytes = file.readAll();
        const QJsonObject root = QJsonDocument::fromJson(bytes).object();
        QCOMPARE(root.value(u"format"_s).toString(), u"sunset.decommission-checklist"_s);
        const QJsonArray steps = root.value(u"steps"_s).toArray();
        QCOMPARE(steps.size(), 5);
        for (const QJsonValue& step : steps) {
            QCOMPARE(step[u"status"_s].toString(), u"overridden"_s);
            QVERIFY(!step[u"runs"_s].toArray().isEmpty());
        }
        QVERIFY(bytes.contains("anna.schmidt@contoso.com"));
        QVERIFY(bytes.contains("Inbound from 8b5f1c9e-3d2a-4e7b-9c61-0f4d2a7e5b13"));
        QVERIFY(bytes.contains("CN=EXCH01,CN=Servers"));
        QVERIFY(bytes.contains("Walking the demo: findings reviewed with the change board"));

        const QString pdf = m_dir.filePath(u"checklist.pdf"_s);
        QVERIFY(wizard->exportTo(pdf));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        const QByteArray pdfBytes = pdfFile.readAll();
        QVERIFY(pdfBytes.startsWith("%PDF-"));
        QVERIFY(pdfBytes.size() > 10000); // five steps of findings, not an empty page
    }
};

QTEST_MAIN(TestDecommissionDemo)
#include "TestDecommissionDemo.moc"
