// SPDX-License-Identifier: Apache-2.0
// The desktop app as main() and sunset-screenshots build it (DesktopSession): the demo's scan shown with its
// measured causes, a rescan of the same files keeping them, the writeback's actions on the toolbar through the
// window's extension point, Tools › Decommission wizard made by the session's factory, the overview's trend read
// back after the scan is recorded; and sunset-screenshots itself writing a picture of the window's size.
#include "BatchFlow.h"
#include "DecommissionWizard.h"
#include "DesktopSession.h"
#include "OverviewWidget.h"
#include "WindowScreenshot.h"

#include <QAction>
#include <QApplication>
#include <QImage>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Rows whose drift has this cause.
int rowsWithCause(const DriftScan& scan, DriftCause cause)
{
    int count = 0;
    for (const ScanRow& row : scan.rows())
        count += (row.driftCauses & (1u << unsigned(cause))) ? 1 : 0;
    return count;
}

QStringList toolBarActionNames(MainWindow& window)
{
    QStringList names;
    for (QAction* action : window.findChild<QToolBar*>(u"mainToolBar"_s)->actions())
        names << action->objectName();
    return names;
}

} // namespace

class TestDesktopSession final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_home.emplace(); // the demo profile's history lives in a home of this test's own
    }
    void cleanup() { m_home.reset(); }

    void showsTheDemoWithItsCausesAndKeepsThemOnRescan()
    {
        const DemoTenant demo = loadDemoTenant();
        QVERIFY2(demo.warning.isEmpty(), qPrintable(demo.warning));
        DesktopSession session({.demo = true, .rememberLayout = false});
        QSignalSpy shown(&session.window(), &MainWindow::scanShown);
        session.show(demo.files, demo.options);
        QVERIFY(shown.wait(60'000));
        QVERIFY(session.window().scan());
        // Measured from the demo's Cloud Sync files: the quarantined job's domain.
        const int unhealthy = rowsWithCause(*session.window().scan(), DriftCause::JobUnhealthy);
        QVERIFY(unhealthy > 0);

        // F5 on the same files: the demo's Cloud Sync state comes along.
        session.window().scanRequested(ScanRequest{ConnectionProfile::fromFiles(demo.files), {}});
        QVERIFY(shown.wait(60'000));
        QCOMPARE(rowsWithCause(*session.window().scan(), DriftCause::JobUnhealthy), unhealthy);

        // Other files (the same exports under another name): no Cloud Sync state was read for them.
        QTemporaryDir copies;
        ReportSources other{copies.filePath(u"ad.ldif"_s), copies.filePath(u"exo.json"_s), demo.files.graph};
        QVERIFY(QFile::copy(demo.files.ad, other.ad));
        QVERIFY(QFile::copy(demo.files.exo, other.exo));
        session.window().scanRequested(ScanRequest{ConnectionProfile::fromFiles(other), {}});
        QVERIFY(shown.wait(60'000));
        QCOMPARE(rowsWithCause(*session.window().scan(), DriftCause::JobUnhealthy), 0);
    }

    void wiresTheWindowThroughItsExtensionPoints()
    {
        DesktopSession session({.demo = true, .rememberLayout = false});
        // The batch flow's actions after Open and Reload, before the panels' toggles.
        const QStringList names = toolBarActionNames(session.window());
        QCOMPARE(names.indexOf(u"reviewBatchAction"_s), 2);
        QCOMPARE(names.indexOf(u"historyAction"_s), 3);
        QCOMPARE(names.indexOf(u"overviewAction"_s), 4);

        session.window().setWritebackPanelShown(true);
        QVERIFY(session.window().findChild<QAction*>(u"writebackAction"_s)->isChecked());
        session.window().setWritebackPanelShown(true); // idempotent, not a toggle
        QVERIFY(session.window().findChild<QAction*>(u"writebackAction"_s)->isChecked());
        session.window().setWritebackPanelShown(false);
        QVERIFY(!session.window().findChild<QAction*>(u"writebackAction"_s)->isChecked());

        // Tools › Decommission wizard: the session's factory makes a wizard, no "needs Sunset's history" box.
        session.window().show();
        session.window().findChild<QAction*>(u"decommissionAction"_s)->trigger();
        QTRY_VERIFY(session.window().findChild<DecommissionWizard*>());
        QVERIFY(!session.window().findChild<QMessageBox*>());
    }

    void readsTheTrendBackAfterRecordingTheScan()
    {
        const DemoTenant demo = loadDemoTenant();
        DesktopSession session({.demo = true, .rememberLayout = false});
        QCOMPARE(session.window().overview()->trendPointCount(), 0);
        QSignalSpy recorded(&session.writeback(), &BatchFlow::scanRecorded);
        session.show(demo.files, demo.options);
        QVERIFY(recorded.wait(60'000));
        // A second scan: each is recorded in the demo profile's history, then the trend read back on a pool thread
        // (the chart needs two points), however the two reads and records interleave.
        session.window().scanRequested(ScanRequest{ConnectionProfile::fromFiles(demo.files), {}});
        QTRY_VERIFY_WITH_TIMEOUT(session.window().overview()->trendPointCount() == 2, 60'000);
    }

    void screenshotToolWritesTheWindow()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(u"main.png"_s);
        QProcess tool;
        tool.start(QStringLiteral(SUNSET_SCREENSHOTS_PATH), {u"main"_s, png});
        QVERIFY(tool.waitForFinished(120'000));
        QVERIFY2(tool.exitCode() == 0, tool.readAllStandardError().constData());
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1500, 900));

        tool.start(QStringLiteral(SUNSET_SCREENSHOTS_PATH), {u"mainwindow"_s, png});
        QVERIFY(tool.waitForFinished(30'000));
        QCOMPARE(tool.exitCode(), 2);
        QVERIFY(tool.readAllStandardError().contains("main, connect, batch, history, writeback, decommission"));
    }

private:
    std::optional<ThrowawayHome> m_home;
};

QTEST_MAIN(TestDesktopSession)
#include "TestDesktopSession.moc"
