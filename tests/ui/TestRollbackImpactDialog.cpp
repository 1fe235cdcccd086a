// SPDX-License-Identifier: Apache-2.0
// Tools › Rollback impact in the main window over the demo tenant, offscreen: the dialog opens on every
// cloud-managed mailbox, narrows to the list's filter and to the selected mailbox, and exports CSV and JSON
// through the writer the app sets (an export that fails says so in the dialog).
#include "support/Rfc4180.h"
#include "CsvCell.h"
#include "support/DemoScan.h"
#include "HistoryExport.h"
#include "MailboxFilterProxyModel.h"
#include "MainWindow.h"
#include "RollbackImpactDialog.h"
#include "RollbackImpactModel.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace sunset::test;
using namespace Qt::Literals::StringLiterals;

class TestRollbackImpactDialog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fromTheToolsMenu()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MainWindow window;
        window.setRollbackImpactWriter([](const QString& path, const QByteArray& bytes) -> std::optional<QString> {
            if (const auto written = writeExportFile(path, bytes); !written)
                return written.error().message;
            return std::nullopt;
        });
        window.resize(1400, 800);
        window.show();
        const auto scan = loadDemoScan();
        QVERIFY(scan);
        window.showScan(scan);
        // The admin narrows the list by a search and selects Mia Petrov.
        MailboxFilterProxyModel* filter = window.mailboxFilter();
        filter->setSearchText(u"petrov"_s);
        const int shown = filter->rowCount();
        QVERIFY(shown >= 1);
        const int mia = rowOfUpn(*scan, "mia.petrov@contoso.com");
        QVERIFY(mia >= 0);
        const QModelIndex miaIndex = filter->mapFromSource(filter->sourceModel()->index(mia, 0));
        QVERIFY(miaIndex.isValid());
        window.mailboxView()->setCurrentIndex(miaIndex);

        auto* action = window.findChild<QAction*>(u"rollbackImpactAction"_s);
        QVERIFY(action);
        action->trigger();
        RollbackImpactDialog* dialog = window.findChild<RollbackImpactDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());

        // Every cloud-managed mailbox first.
        QCOMPARE(dialog->scope(), RollbackImpactDialog::Scope::All);
        const int all = dialog->model()->rowCount();
        QCOMPARE(all, int(computeRollbackImpact(*scan).summary.changes));
        QVERIFY(all >= 5);
        QVERIFY2(dialog->summaryText().startsWith("Setting IsExchangeCloudManaged back to False on "_L1),
                 qPrintable(dialog->summaryText()));
        const QString shot = qEnvironmentVariable("SUNSET_SCREENSHOT_DIR");
        if (!shot.isEmpty())
            QVERIFY(dialog->grab().save(shot + u"/rollback-impact.png"_s, "PNG"));

        // The list's filter, then the selected mailbox: Mia Petrov's cloud-only hidden flag.
        dialog->setScope(RollbackImpactDialog::Scope::Shown);
        QVERIFY(dialog->model()->rowCount() >= 1);
        QVERIFY(dialog->model()->rowCount() < all);
        QVERIFY(dialog->model()->impact().summary.mailboxesConsidered <= shown);
        dialog->setScope(RollbackImpactDialog::Scope::Selected);
        const RollbackImpactModel* model = dialog->model();
        QVERIFY(model->rowCount() >= 1);
        bool hidden = false;
        for (int r = 0; r < model->rowCount(); ++r) {
            QVERIFY(model->index(r, RollbackImpactModel::Mailbox).data().toString().contains("mia.petrov"_L1));
            if (model->index(r, RollbackImpactModel::Attribute).data().toString().startsWith(
                    "msExchHideFromAddressLists"_L1)) {
                hidden = true;
                QCOMPARE(model->index(r, RollbackImpactModel::WrittenBack).data().toString(), u"No: cloud only"_s);
            }
        }
        QVERIFY(hidden);
        auto* table = dialog->findChild<QTableView*>(u"rollbackTable"_s);
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), model->rowCount());

        // Export: CSV and JSON of what is shown, owner-only.
        const QString csv = dir.filePath(u"impact.csv"_s);
        QVERIFY(dialog->exportTo(csv, RollbackImpactDialog::Format::Csv));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QString problem;
        const QList<QStringList> rows = parseCsv(csvFile.readAll(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(rows.size(), 1 + model->rowCount());
        QCOMPARE(csvFile.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        auto* result = dialog->findChild<QLabel*>(u"rollbackExportResult"_s);
        QVERIFY(result && result->text().startsWith("Written to "_L1));
        const QString json = dir.filePath(u"impact.json"_s);
        QVERIFY(dialog->exportTo(json, RollbackImpactDialog::Format::Json));
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(root.value("format"_L1).toString(), u"sunset.rollback-impact"_s);
        QCOMPARE(root.value("summary"_L1).toObject().value("mailboxesConsidered"_L1).toInt(), 1);

        // A place that cannot be written: the dialog says so, naming it.
        const QString nowhere = dir.filePath(u"missing/impact.csv"_s);
        QVERIFY(!dialog->exportTo(nowhere, RollbackImpactDialog::Format::Csv));
        QVERIFY2(result->text().contains("missing"_L1), qPrintable(result->text()));
        dialog->close();
    }

    void withoutAScan()
    {
        MainWindow window;
        window.findChild<QAction*>(u"rollbackImpactAction"_s)->trigger();
        RollbackImpactDialog* dialog = window.findChild<RollbackImpactDialog*>();
        QVERIFY(dialog);
        QCOMPARE(dialog->model()->rowCount(), 0);
        QVERIFY(dialog->summaryText().contains("No scan yet"_L1));
        QVERIFY(!dialog->findChild<QPushButton*>(u"rollbackExportCsv"_s)->isEnabled());
    }
};

QTEST_MAIN(TestRollbackImpactDialog)
#include "TestRollbackImpactDialog.moc"
