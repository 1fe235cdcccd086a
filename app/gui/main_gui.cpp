// sunset: the desktop app. Wiring only: the window lives in ui/, the loading in ScanLoader.
#include "DesktopWriteback.h"
#include "MainWindow.h"
#include "ScanLoader.h"
#include "UiLogging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QString demoDirectory()
{
#ifdef SUNSET_SOURCE_DIR
    const QString source = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo");
    if (QFileInfo::exists(source + u"/demo-ad.ldif"_s))
        return source;
#endif
    return QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(u"../share/sunset/demo"_s);
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Sunset"_s);
    QApplication::setApplicationName(u"Sunset"_s);
    QApplication::setApplicationVersion(QStringLiteral(SUNSET_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Compare Exchange Online mailboxes with Active Directory."));
    parser.addHelpOption();
    parser.addVersionOption();
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
    // The writeback screens for the documentation (with --demo).
    const QCommandLineOption batchShot(u"screenshot-batch"_s, QApplication::translate("main", "Like --screenshot, of "
                                       "the batch review of a few ticked items."), u"PNG"_s);
    const QCommandLineOption historyShot(u"screenshot-history"_s, QApplication::translate("main", "Like --screenshot, "
                                         "of the history after approving and applying such a batch."), u"PNG"_s);
    parser.addOptions({demo, ad, exo, graph, screenshot, batchShot, historyShot});
    parser.process(app);

    ReportSources files;
    if (parser.isSet(demo)) {
        const QDir dir(demoDirectory());
        files = {dir.filePath(u"demo-ad.ldif"_s), dir.filePath(u"demo-exo.json"_s), dir.filePath(u"demo-graph.json"_s)};
    } else if (parser.isSet(ad) || parser.isSet(exo)) {
        if (!parser.isSet(ad) || !parser.isSet(exo)) {
            std::fputs("sunset: --ad and --exo go together (--graph is optional)\n", stderr);
            return 2;
        }
        files = {parser.value(ad), parser.value(exo), parser.value(graph)};
    }
    const QString screenshotPath = parser.value(screenshot);
    if (!screenshotPath.isEmpty() && files.ad.isEmpty()) {
        std::fputs("sunset: --screenshot needs --demo or --ad/--exo\n", stderr);
        return 2;
    }

    MainWindow window;
    ScanLoader loader;
    QObject::connect(&window, &MainWindow::loadRequested, &loader, [&loader](const ReportSources& f) { loader.start(f); });
    QObject::connect(&window, &MainWindow::cancelRequested, &loader, &ScanLoader::cancel);
    QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
    QObject::connect(&loader, &ScanLoader::progress, &window, &MainWindow::showLoadProgress);
    QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
    QObject::connect(&loader, &ScanLoader::failed, &window, &MainWindow::showLoadError);
    QObject::connect(&loader, &ScanLoader::cancelled, &window, &MainWindow::showLoadCancelled);

    // Screenshots must look the same on every machine: no saved layout, the documented size.
    const bool persist = screenshotPath.isEmpty();
    QSettings settings;
    if (!persist || !window.restoreSettings(settings))
        window.resize(1500, 900); // no window manager under Xvfb to pick a size
    if (persist)
        QObject::connect(&app, &QApplication::aboutToQuit, &window, [&] { window.saveSettings(settings); });

    if (!screenshotPath.isEmpty()) {
        auto fail = [&app](const QString& why) {
            std::fprintf(stderr, "sunset: %s\n", qPrintable(why));
            app.exit(1);
        };
        QObject::connect(&loader, &ScanLoader::failed, &app, [fail](const ImportError& e) { fail(e.toString()); });
        QObject::connect(&window, &MainWindow::scanShown, &app, [&window, &app, screenshotPath, fail] {
            if (!window.selectFirstCritical())
                qCWarning(lcUi) << "no mailbox with critical drift to show in the screenshot";
            // Let the views lay out and paint once before grabbing.
            QTimer::singleShot(400, &app, [&window, &app, screenshotPath, fail] {
                if (!window.grab().save(screenshotPath, "PNG"))
                    return fail(u"cannot write "_s + screenshotPath);
                app.quit();
            });
        });
    }

    BatchFlow* writeback = setUpWriteback(window, loader, parser.isSet(demo));
    if (parser.isSet(batchShot) || parser.isSet(historyShot))
        takeWritebackScreenshot(window, *writeback, parser.isSet(historyShot),
                                parser.value(parser.isSet(historyShot) ? historyShot : batchShot));

    window.show();
    if (!files.ad.isEmpty())
        loader.start(files);
    return app.exec();
}
