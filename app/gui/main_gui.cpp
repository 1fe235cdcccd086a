// SPDX-License-Identifier: Apache-2.0
// sunset: the desktop app. Arguments only: the window lives in ui/, its wiring in DesktopSession; the
// documentation's screenshots are sunset-screenshots' (app/screenshots).
#include "BuildInfo.h"
#include "DesktopSession.h"
#include "UiLogging.h"
#include "WindowScreenshot.h"

#include <QApplication>
#include <QCommandLineParser>

#include <memory>
#include <optional>

#include <cstdio>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

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
    parser.addOptions({demo, ad, exo, graph, screenshot, overview});
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
    std::optional<ThrowawayHome> screenshotHome;
    if (parser.isSet(screenshot))
        screenshotHome.emplace();

    ReportSources files;
    DriftOptions filesOptions; // the demo ships Cloud Sync's state, so its causes are measured; other files have none
    if (parser.isSet(demo)) {
        DemoTenant tenant = loadDemoTenant();
        if (!tenant.warning.isEmpty())
            std::fprintf(stderr, "sunset: %s\n", qPrintable(tenant.warning));
        files = tenant.files;
        filesOptions = std::move(tenant.options);
    } else if (parser.isSet(ad) || parser.isSet(exo)) {
        if (!parser.isSet(ad) || !parser.isSet(exo)) {
            std::fputs("sunset: --ad and --exo go together (--graph is optional)\n", stderr);
            return 2;
        }
        files = {parser.value(ad), parser.value(exo), parser.value(graph)};
    }
    if (parser.isSet(screenshot) && files.ad.isEmpty()) {
        std::fputs("sunset: --screenshot needs --demo or --ad/--exo\n", stderr);
        return 2;
    }

    DesktopSessionOptions options;
    options.demo = parser.isSet(demo);
    options.rememberLayout = !parser.isSet(screenshot); // the documented size, nothing saved
    if (parser.isSet(overview))
        options.firstSize = QSize(1600, 1000);
    DesktopSession session(options);
    session.window().setAboutFacts({buildVersion(), QString::fromUtf16(kSunsetLicence), componentLines()});
    if (parser.isSet(overview))
        session.window().setOverviewShown(true);
    if (parser.isSet(screenshot)) {
        grabWindowAfterFirstScan(session, parser.value(screenshot), [&session] {
            if (!session.window().selectFirstCritical())
                qCWarning(lcUi) << "no mailbox with critical drift to show in the screenshot";
        });
    }
    session.show(files, filesOptions);
    return app.exec();
}
