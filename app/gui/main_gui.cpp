// SPDX-License-Identifier: Apache-2.0
// sunset: the desktop app. Wiring only: the window lives in ui/, the loading in ScanLoader.
#include "ConnectionDialog.h"
#include "DecommissionWiring.h"
#include "DecommissionWizard.h"
#include "HistoryExport.h"
#include "HistoryPresenter.h"
#include "HistoryStore.h"
#include "BatchFlow.h"
#include "BuildInfo.h"
#include "DesktopWriteback.h"
#include "MainWindow.h"
#include "ProvisioningIssuesModel.h"
#include "ScanHistory.h"
#include "ScanLoader.h"
#include "SnapshotFiles.h"
#include "UiLogging.h"
#include "WritebackPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QPixmap>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <optional>

#include <cstdio>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Installed (the package: /usr/bin/sunset and /usr/share/sunset/demo), the demo tenant sits beside the program;
// run from the build tree, it is the source tree's. The installed copy comes first, so an installed sunset on a
// machine that also holds the sources still shows what it was installed with.
QString demoDirectory()
{
    const QString installed = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(u"../share/sunset/demo"_s);
#ifdef SUNSET_SOURCE_DIR
    const QString source = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo");
    if (!QFileInfo::exists(installed + u"/demo-ad.ldif"_s) && QFileInfo::exists(source + u"/demo-ad.ldif"_s))
        return source;
#endif
    return installed;
}

// --help and --version need no display (the man page is made from `sunset --help` at build time, where there is
// none, and an admin may ask over ssh): a plain QCoreApplication answers them, the rest gets a QApplication.
bool answersInText(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "-?" || arg == "--help-all" || arg == "--version" || arg == "-v")
            return true;
    }
    return false;
}

// The connection dialog as a new admin fills it in: a live DC and a tenant, for docs/sunset-connect.png.
int screenshotConnectionDialog(const QString& path)
{
    QSettings settings(QDir::temp().filePath(u"sunset-screenshot-%1.ini"_s.arg(QCoreApplication::applicationPid())),
                       QSettings::IniFormat);
    int result = 0;
    {
        ConnectionDialog dialog(settings);
        ConnectionProfile profile;
        profile.name = u"Contoso production"_s;
        profile.ad.kind = AdSourceProfile::Kind::Live;
        profile.ad.url = u"ldaps://dc01.contoso.com"_s;
        profile.ad.bindDn = u"svc-sunset@contoso.com"_s;
        profile.ad.baseDn = u"OU=Staff,DC=contoso,DC=com"_s;
        profile.cloud.kind = CloudSourceProfile::Kind::Live;
        profile.cloud.tenant = u"contoso.onmicrosoft.com"_s;
        profile.cloud.clientId = u"3f2c8a91-5d0e-4b7a-9c61-2e8f4d7b1a05"_s;
        profile.cloud.signIn = CloudSourceProfile::SignIn::DeviceCode;
        dialog.setProfile(profile);
        dialog.show();
        dialog.validate(); // shows what is still missing, as after a first click on Scan
        QTimer::singleShot(400, &dialog, [&] {
            if (!dialog.grab().save(path, "PNG")) {
                std::fprintf(stderr, "sunset: cannot write %s\n", qPrintable(path));
                result = 1;
            }
            dialog.done(0);
        });
        dialog.exec();
    }
    QFile::remove(settings.fileName());
    return result;
}

} // namespace

int main(int argc, char* argv[])
{
    const std::unique_ptr<QCoreApplication> application =
        answersInText(argc, argv) ? std::make_unique<QCoreApplication>(argc, argv)
                                  : std::make_unique<QApplication>(argc, argv);
    QApplication::setOrganizationName(u"Sunset"_s);
    QApplication::setApplicationName(u"Sunset"_s);
    QApplication::setApplicationVersion(buildVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Compare Exchange Online mailboxes with Active Directory."));
    parser.addHelpOption();
    // Qt's own --version prints the version alone; Sunset's adds the licence and the libraries in use.
    const QCommandLineOption version({u"v"_s, u"version"_s},
                                     QApplication::translate("main", "Displays version information."));
    parser.addOption(version);
    const QCommandLineOption demo(u"demo"_s, QApplication::translate("main", "Open the bundled demo tenant."));
    const QCommandLineOption ad(u"ad"_s, QApplication::translate("main", "AD export (LDIF)."), u"FILE"_s);
    const QCommandLineOption exo(u"exo"_s, QApplication::translate("main", "Get-Mailbox export (JSON or CSV)."),
                                 u"FILE"_s);
    const QCommandLineOption graph(u"graph"_s, QApplication::translate("main", "Graph users export (JSON)."),
                                   u"FILE"_s);
    const QCommandLineOption screenshot(
        u"screenshot"_s,
        QApplication::translate("main", "After loading, select the first critical mailbox, save the window to PNG "
                                        "and quit."),
        u"PNG"_s);
    const QCommandLineOption overview(u"overview"_s, QApplication::translate("main", "Show the drift overview chart."));
    const QCommandLineOption screenshotConnect(
        u"screenshot-connect"_s,
        QApplication::translate("main", "Save the connection dialog, filled with an example, to PNG and quit."),
        u"PNG"_s);
    
    // The writeback screens for the documentation (with --demo).
    const QCommandLineOption batchShot(u"screenshot-batch"_s, QApplication::translate("main", "Like --screenshot, of "
                                       "the batch review of a few ticked items."), u"PNG"_s);
    const QCommandLineOption historyShot(u"screenshot-history"_s, QApplication::translate("main", "Like --screenshot, "
                                         "of the history after approving and applying such a batch."), u"PNG"_s);
    const QCommandLineOption writebackPanelShot(
        u"screenshot-writeback"_s,
        QApplication::translate("main", "Like --screenshot, with the Writeback panel open and its first provisioning "
                                        "failure's mailbox selected."),
        u"PNG"_s);
    const QCommandLineOption decommissionShot(
        u"screenshot-decommission"_s,
        QApplication::translate("main", "With --demo: save the decommission wizard on its Uninstall step, after its "
                                        "checks ran on the demo's files, to PNG and quit."),
        u"PNG"_s);
    const QCommandLineOption decommissionStep(
        u"decommission-step"_s,
        QApplication::translate("main", "With --screenshot-decommission: the step to show (default uninstall)."),
        u"STEP"_s, u"uninstall"_s);
    parser.addOptions({demo, ad, exo, graph, screenshot, overview, screenshotConnect, batchShot, historyShot,
                       writebackPanelShot, decommissionShot, decommissionStep});
    parser.process(*application);
    if (parser.isSet(version)) {
        std::fputs(qPrintable(versionText(u"sunset"_s)), stdout);
        return 0;
    }
    auto* gui = qobject_cast<QApplication*>(application.get());
    if (!gui) { // answersInText saw --help or --version as the value of another option
        std::fputs("sunset: --help and --version go on their own\n", stderr);
        return 2;
    }
    QApplication& app = *gui;
#ifdef SUNSET_APP_ID
    QGuiApplication::setDesktopFileName(QStringLiteral(SUNSET_APP_ID)); // the desktop entry that names this window
#endif
    // Screenshots must look the same on every machine and leave this user's profile alone: no saved layout, and a
    // throwaway home folder for the settings, the (demo) history and the demo's writeback file (shown as ~/…).
    const bool takingScreenshot = parser.isSet(screenshot) || parser.isSet(screenshotConnect) ||
                                  parser.isSet(batchShot) || parser.isSet(historyShot) ||
                                  parser.isSet(writebackPanelShot) || parser.isSet(decommissionShot);
    std::optional<QTemporaryDir> screenshotHome;
    if (takingScreenshot) {
        screenshotHome.emplace();
        qputenv("HOME", QFile::encodeName(screenshotHome->path()));
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("XDG_CONFIG_HOME");
    }

    ReportSources files;
    // The demo ships Cloud Sync's state too, so its causes are measured; a scan of other files has none read.
    DriftOptions demoOptions;
    if (parser.isSet(demo)) {
        const QDir dir(demoDirectory());
        files = {dir.filePath(u"demo-ad.ldif"_s), dir.filePath(u"demo-exo.json"_s), dir.filePath(u"demo-graph.json"_s)};
        auto cloudSync = loadCloudSyncFiles({dir.filePath(u"demo-sync-jobs.json"_s),
                                             dir.filePath(u"demo-sync-schema.json"_s),
                                             dir.filePath(u"demo-provisioning.json"_s)});
        if (cloudSync)
            demoOptions.cloudSync = std::make_shared<const CloudSyncState>(std::move(cloudSync.value()));
        else
            std::fprintf(stderr, "sunset: %s\n", qPrintable(cloudSync.error().toString()));
    } else if (parser.isSet(ad) || parser.isSet(exo)) {
        if (!parser.isSet(ad) || !parser.isSet(exo)) {
            std::fputs("sunset: --ad and --exo go together (--graph is optional)\n", stderr);
            return 2;
        }
        files = {parser.value(ad), parser.value(exo), parser.value(graph)};
    }
    const bool writebackPanelScreenshot = parser.isSet(writebackPanelShot);
    const QString screenshotPath = parser.value(writebackPanelScreenshot ? writebackPanelShot : screenshot);
    if (parser.isSet(screenshotConnect))
        return screenshotConnectionDialog(parser.value(screenshotConnect));
    if (!screenshotPath.isEmpty() && files.ad.isEmpty()) {
        std::fputs("sunset: --screenshot needs --demo or --ad/--exo\n", stderr);
        return 2;
    }

    MainWindow window;
    window.setAboutFacts({buildVersion(), QString::fromUtf16(kSunsetLicence), componentLines()});
    // Tools › Rollback impact's exports, owner-only like sunset-cli's reports (they list directory data).
    window.setRollbackImpactWriter([](const QString& path, const QByteArray& bytes) -> std::optional<QString> {
        if (const auto error = writeExportFile(path, bytes))
            return error->message;
        return std::nullopt;
    });
    ScanLoader loader;
    QObject::connect(&window, &MainWindow::scanRequested, &loader, [&loader, &demoOptions, &files](const ScanRequest& r) {
        const bool demoFiles = demoOptions.cloudSync && r.profile.isSnapshotOnly() && r.profile.ad.ldifFile == files.ad &&
                               r.profile.cloud.exoFile == files.exo;
        loader.start(r, demoFiles ? demoOptions : DriftOptions{});
    });
    QObject::connect(&window, &MainWindow::cancelRequested, &loader, &ScanLoader::cancel);
    QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
    QObject::connect(&loader, &ScanLoader::sideProgress, &window, &MainWindow::showSideProgress);
    QObject::connect(&loader, &ScanLoader::comparing, &window, &MainWindow::showComparing);
    QObject::connect(&loader, &ScanLoader::deviceCodeReady, &window, &MainWindow::showDeviceCode);
    QObject::connect(&loader, &ScanLoader::signedIn, &window, &MainWindow::hideDeviceCode);
    QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
    QObject::connect(&loader, &ScanLoader::failed, &window, &MainWindow::showLoadError);
    QObject::connect(&loader, &ScanLoader::cancelled, &window, &MainWindow::showLoadCancelled);

    // Screenshots: the documented size, nothing saved.
    const bool persist = !takingScreenshot;
    QSettings settings;
    if (!persist || !window.restoreSettings(settings)) // no window manager under Xvfb to pick a size
        window.resize(parser.isSet(overview) ? QSize(1600, 1000) : QSize(1500, 900));
    if (persist)
        QObject::connect(&app, &QApplication::aboutToQuit, &window, [&] { window.saveSettings(settings); });
    window.setProfileSettings(&settings);
    if (parser.isSet(overview))
        window.findChild<QAction*>(u"overviewAction"_s)->trigger();
    if (writebackPanelScreenshot)
        window.findChild<QAction*>(u"writebackAction"_s)->trigger();

    // The writeback side (BatchFlow) records each shown scan in the history (the demo's in a history of its own,
    // never the real one), so batches name their scan; the overview's trend is read back from that history on a
    // pool thread with its own SQLite connection, at start and after each recorded scan.
    const QString historyPath = HistoryStore::defaultPath(parser.isSet(demo) ? u"demo"_s : u"default"_s);
    QFutureWatcher<ScanHistoryResult> history;
    QObject::connect(&history, &QFutureWatcher<ScanHistoryResult>::finished, &window, [&history, &window] {
        const ScanHistoryResult result = history.result();
        if (result.error)
            qCWarning(lcUi) << "history:" << *result.error;
        window.setScanTrend(result.trend);
    });
    auto readTrend = [&history, historyPath] {
        if (history.isRunning())
            history.waitForFinished(); // the previous read is a few milliseconds from done
        history.setFuture(QtConcurrent::run(recordScanAndReadTrend, historyPath, nullptr, QDateTime(), QDateTime(), 20));
    };
    if (persist && QFileInfo::exists(historyPath))
        readTrend();

    if (!screenshotPath.isEmpty()) {
        auto fail = [&app](const QString& why) {
            std::fprintf(stderr, "sunset: %s\n", qPrintable(why));
            app.exit(1);
        };
        QObject::connect(&loader, &ScanLoader::failed, &app, [fail](const ImportError& e) { fail(e.toString()); });
        QObject::connect(&window, &MainWindow::scanShown, &app, [&window, &app, screenshotPath, fail,
                                                                  writebackPanelScreenshot] {
            if (writebackPanelScreenshot) {
                // The admin's path through the panel: the newest failure, activated, selects its mailbox.
                QTableView* issues = window.writebackPanel()->issuesView();
                const ProvisioningIssuesModel* model = window.writebackPanel()->issuesModel();
                int failure = 0;
                while (failure < model->rowCount() && !model->failedAt(failure))
                    ++failure;
                if (failure < model->rowCount()) {
                    issues->setCurrentIndex(model->index(failure, 0));
                    window.selectScanRow(model->scanRowAt(failure));
                } else {
                    qCWarning(lcUi) << "no provisioning failure to show in the screenshot";
                }
            } else if (!window.selectFirstCritical()) {
                qCWarning(lcUi) << "no mailbox with critical drift to show in the screenshot";
            }
            // Let the views lay out and paint once before grabbing.
            QTimer::singleShot(400, &app, [&window, &app, screenshotPath, fail] {
                if (!window.grab().save(screenshotPath, "PNG"))
                    return fail(u"cannot write "_s + screenshotPath);
                app.quit();
            });
        });
    }

    BatchFlow* writeback = setUpWriteback(window, loader, parser.isSet(demo));
    QObject::connect(writeback, &BatchFlow::scanRecorded, &window, readTrend);
    // Tools › Decommission wizard (Ctrl+Shift+D) over the same history; in the demo its checks read the demo's
    // files, and "Show scan N in History" opens the writeback's History window on that scan.
    DecommissionWizardOptions decommission;
    decommission.historyPath = historyPath;
    if (parser.isSet(demo)) {
        decommission.fixedSources = demoChecklistSources(demoDirectory());
        decommission.fixedSourcesDescription = describeDemoChecklistSources(demoDirectory());
    }
    decommission.showScan = [writeback](qint64 scanId) {
        writeback->showHistory();
        if (HistoryPresenter* presenter = writeback->historyPresenter())
            presenter->showScan(scanId);
    };
    setDecommissionWizardFactory([decommission](QWidget* parent) { return createDecommissionWizard(parent, decommission); });
    if (parser.isSet(decommissionShot)) {
        if (!parser.isSet(demo)) {
            std::fputs("sunset: --screenshot-decommission needs --demo\n", stderr);
            return 2;
        }
        const std::optional<ChecklistStep> step = checklistStepFromKey(parser.value(decommissionStep));
        if (!step) {
            std::fputs("sunset: --decommission-step: prerequisites, verification, hybrid-cleanup, uninstall or "
                       "post-uninstall-cleanup (or 1-5)\n", stderr);
            return 2;
        }
        takeDecommissionScreenshot(&window, decommission, *step, parser.value(decommissionShot));
    }
    if (parser.isSet(batchShot) || parser.isSet(historyShot))
        takeWritebackScreenshot(window, *writeback, parser.isSet(historyShot),
                                parser.value(parser.isSet(historyShot) ? historyShot : batchShot));

    window.show();
    if (!files.ad.isEmpty()) {
        window.setSources(files);
        loader.start(files, demoOptions);
    }
    return app.exec();
}
