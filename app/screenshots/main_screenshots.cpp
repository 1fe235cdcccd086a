// SPDX-License-Identifier: Apache-2.0
// sunset-screenshots: the documentation's pictures of the desktop app (docs/*.png; `make screenshots` takes them
// all), each of the demo tenant in a throwaway home, at the documented size. Not installed: it is how the docs are
// made, not something an admin runs. The app itself keeps only `sunset --screenshot PNG`, which the package check
// uses to prove the installed program opens and draws the demo.
#include "BuildInfo.h"
#include "ConnectionDialog.h"
#include "DecommissionWiring.h"
#include "DesktopSession.h"
#include "DesktopWriteback.h"
#include "ProvisioningIssuesModel.h"
#include "UiLogging.h"
#include "WindowScreenshot.h"
#include "WritebackPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QLayout>
#include <QSettings>
#include <QTableView>

#include <cstdio>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// The connection dialog as a new admin fills it in: a live DC and a tenant, as after a first click on Scan.
int shootConnectionDialog(QApplication& app, const QString& path)
{
    QSettings settings(QDir::temp().filePath(u"sunset-screenshot-%1.ini"_s.arg(QCoreApplication::applicationPid())),
                       QSettings::IniFormat);
    ConnectionDialog dialog(settings);
    ConnectionProfile profile;
    profile.name = u"Contoso production"_s;
    profile.ad.kind = AdSourceProfile::Kind::Live;
    profile.ad.dc.uri = u"ldaps://dc01.contoso.com"_s;
    profile.ad.dc.bindName = u"svc-sunset@contoso.com"_s;
    profile.ad.dc.baseDn = u"OU=Staff,DC=contoso,DC=com"_s;
    profile.cloud.kind = CloudSourceProfile::Kind::Live;
    profile.cloud.connection.tenant = u"contoso.onmicrosoft.com"_s;
    profile.cloud.connection.clientId = u"3f2c8a91-5d0e-4b7a-9c61-2e8f4d7b1a05"_s;
    profile.cloud.connection.signIn = CloudTenantSettings::SignIn::DeviceCode;
    dialog.setProfile(profile);
    dialog.show();
    dialog.validate(); // shows what is still missing
    grabAndQuit(dialog, path);
    const int result = app.exec();
    QFile::remove(settings.fileName());
    return result;
}

constexpr int kWritebackShotHeight = 330;

// The Writeback panel as an admin goes through it: its newest provisioning failure activated, its mailbox selected.
void selectFirstProvisioningFailure(MainWindow& window)
{
    window.setWritebackPanelShown(true);
    // Taller than its default, so the picture shows every row of the demo's list (failing, skipped, recovered).
    if (auto* dock = window.findChild<QDockWidget*>(u"writebackDock"_s)) {
        window.resizeDocks({dock}, {kWritebackShotHeight}, Qt::Vertical);
        window.layout()->activate(); // now, so that selecting the mailbox below scrolls it into the list's new height
    }
    QTableView* issues = window.writebackPanel()->issuesView();
    const ProvisioningIssuesModel* model = window.writebackPanel()->issuesModel();
    int failure = 0;
    while (failure < model->rowCount() && !model->failedAt(failure))
        ++failure;
    if (failure == model->rowCount()) {
        qCWarning(lcUi) << "no provisioning failure to show in the screenshot";
        return;
    }
    issues->setCurrentIndex(model->index(failure, 0));
    window.selectScanRow(model->scanRowAt(failure));
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Sunset"_s);
    QApplication::setApplicationName(u"Sunset"_s);
    QApplication::setApplicationVersion(buildVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Saves one of the documentation's pictures of Sunset, of the bundled demo "
                                     "tenant, to PNG.\n\nWHAT: main (the mailbox list, the first critical mailbox "
                                     "selected), connect (the connection dialog filled in), batch (the review of a "
                                     "few ticked items), history (after approving and applying that batch), "
                                     "writeback (the Writeback panel, its first failure's mailbox selected), "
                                     "decommission (the wizard on --step, its checks run on the demo's files)."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"what"_s, u"main, connect, batch, history, writeback or decommission"_s);
    parser.addPositionalArgument(u"png"_s, u"The file to write."_s);
    const QCommandLineOption step(u"step"_s,
                                  u"With decommission: prerequisites, verification, hybrid-cleanup, uninstall "
                                  "(default) or post-uninstall-cleanup (or 1-5)."_s,
                                  u"STEP"_s, u"uninstall"_s);
    parser.addOption(step);
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    static const QStringList kinds{u"main"_s, u"connect"_s, u"batch"_s, u"history"_s, u"writeback"_s,
                                   u"decommission"_s};
    if (args.size() != 2 || !kinds.contains(args[0])) {
        std::fputs("sunset-screenshots: WHAT PNG, WHAT one of main, connect, batch, history, writeback, "
                   "decommission (--help)\n", stderr);
        return 2;
    }
    const QString& what = args[0];
    const QString& path = args[1];
    const std::optional<ChecklistStep> decommissionStep = checklistStepFromKey(parser.value(step));
    if (!decommissionStep) {
        std::fputs("sunset-screenshots: --step: prerequisites, verification, hybrid-cleanup, uninstall or "
                   "post-uninstall-cleanup (or 1-5)\n", stderr);
        return 2;
    }

    const ThrowawayHome home;
    if (what == u"connect")
        return shootConnectionDialog(app, path);

    DemoTenant tenant = loadDemoTenant();
    if (!tenant.warning.isEmpty()) {
        std::fprintf(stderr, "sunset-screenshots: the demo's Cloud Sync state: %s\n", qPrintable(tenant.warning));
        return 1;
    }
    DesktopSessionOptions options;
    options.demo = true;
    options.rememberLayout = false;
    DesktopSession session(options);
    session.window().setAboutFacts({buildVersion(), QString::fromUtf16(kSunsetLicence), componentLines()});
    if (what == u"main")
        grabWindowAfterFirstScan(session, path, [&session] { session.window().selectFirstCritical(); });
    else if (what == u"writeback")
        grabWindowAfterFirstScan(session, path, [&session] { selectFirstProvisioningFailure(session.window()); });
    else if (what == u"batch" || what == u"history")
        takeWritebackScreenshot(session.window(), session.writeback(), what == u"history", path);
    else
        takeDecommissionScreenshot(&session.window(), session.decommission(), *decommissionStep, path);
    session.show(tenant.files, tenant.options);
    return app.exec();
}
