// SPDX-License-Identifier: Apache-2.0
#include "DecommissionWiring.h"

#include "ChecklistChecks.h"
#include "ChecklistReport.h"
#include "ChecklistStore.h"
#include "CloudTenantSettingsKeys.h"
#include "DecommissionWizard.h"
#include "FreshScan.h"
#include "WindowScreenshot.h"

#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray readWholeFile(const QString& path)
{
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray readSecretFile(const QString& path)
{
    return readWholeFile(path).trimmed();
}

// The tenant under the group's keys (the profile's loader: tenant, clientId, signIn, certificateFile, the endpoints
// and audiences), with the secret from clientSecretFile or the certificate file (PEM, or a .pfx without a
// password). Nothing without a tenant, nor for a device code sign-in: a check has no one to show the code to.
std::optional<CloudSettings> cloudFromSettings(const QSettings& settings)
{
    const CloudTenantSettings connection = readCloudTenantSettings(settings);
    if (connection.tenant.isEmpty() || connection.signIn == CloudTenantSettings::SignIn::DeviceCode)
        return std::nullopt;
    CloudSettings cloud;
    cloud.scan.connection = connection;
    if (connection.signIn == CloudTenantSettings::SignIn::Certificate) {
        if (Result<ClientCertificate> certificate = ClientCertificate::fromFileContents(
                readWholeFile(connection.certificateFile), {}, connection.certificateFile))
            cloud.scan.secret.certificate = certificate.value();
    } else {
        cloud.scan.secret.clientSecret =
            QString::fromUtf8(readSecretFile(settings.value(u"clientSecretFile"_s).toString()));
    }
    return cloud;
}

ChecklistSources sourcesFromSettings()
{
    QSettings settings;
    settings.beginGroup(u"decommission"_s);
    ChecklistSources sources;
    if (const QString uri = settings.value(u"adUri"_s).toString(); !uri.isEmpty()) {
        // The keys name DcConnectionSettings' fields; one not set keeps its default (StartTLS on for ldap://).
        AdLiveScanSettings ad;
        ad.dc.uri = uri;
        ad.dc.bindName = settings.value(u"bindUpn"_s).toString();
        ad.password = readSecretFile(settings.value(u"passwordFile"_s).toString());
        ad.dc.caFile = settings.value(u"caFile"_s).toString();
        ad.dc.kerberos = settings.value(u"kerberos"_s, ad.dc.kerberos).toBool();
        ad.dc.startTls = settings.value(u"startTls"_s, ad.dc.startTls).toBool();
        sources.ad = ad;
    }
    sources.cloud = cloudFromSettings(settings);
    sources.exoFile = settings.value(u"exoFile"_s).toString();
    // Snapshot files instead of the live reads (an offline review): several configuration exports split by ';'.
    for (const QString& file : settings.value(u"configLdif"_s).toString().split(u';', Qt::SkipEmptyParts))
        if (const QString path = file.trimmed(); !path.isEmpty())
            sources.configLdifFiles.append(path);
    sources.hybridFile = settings.value(u"hybridFile"_s).toString();
    sources.adFile = settings.value(u"adFile"_s).toString();
    sources.graphFile = settings.value(u"graphFile"_s).toString();
    sources.syncJobsFile = settings.value(u"syncJobsFile"_s).toString();
    sources.syncSchemaFile = settings.value(u"syncSchemaFile"_s).toString();
    sources.groupsFile = settings.value(u"groupsFile"_s).toString();
    sources.contactsFile = settings.value(u"contactsFile"_s).toString();
    sources.agentAccountName = settings.value(u"agentAccount"_s, sources.agentAccountName).toString();
    return sources;
}

// Owns the history connection and the store for the wizard's life (deleted after the wizard's destructor has
// waited for any running check).
class WizardHistory final : public QObject {
public:
    WizardHistory(std::unique_ptr<HistoryStore> history, QObject* parent)
        : QObject(parent), m_history(std::move(history)), m_store(*m_history) {}
    ChecklistStore* store() { return &m_store; }
    const QString& path() const { return m_history->path(); }

private:
    std::unique_ptr<HistoryStore> m_history;
    ChecklistStore m_store;
};

} // namespace

ChecklistSources demoChecklistSources(const QString& demoDirectory)
{
    const QDir dir(demoDirectory);
    ChecklistSources sources;
    sources.configLdifFiles = {dir.filePath(u"demo-config.ldif"_s), dir.filePath(u"demo-ad.ldif"_s)};
    sources.hybridFile = dir.filePath(u"demo-hybrid.json"_s);
    sources.exoFile = dir.filePath(u"demo-exo.json"_s);
    sources.adFile = dir.filePath(u"demo-ad.ldif"_s);
    sources.graphFile = dir.filePath(u"demo-graph.json"_s);
    sources.syncJobsFile = dir.filePath(u"demo-sync-jobs.json"_s);
    sources.syncSchemaFile = dir.filePath(u"demo-sync-schema.json"_s);
    return sources;
}

QString describeDemoChecklistSources(const QString& demoDirectory)
{
    return QObject::tr("In the demo, the checks read the demo tenant's files in %1:\n\n"
                       "• AD's Exchange objects: demo-config.ldif (the organization, server EXCH01 still registered, "
                       "its Autodiscover SCP, the hybrid configuration, the Cloud Sync agent's gMSA) and "
                       "demo-ad.ldif (the recipients)\n"
                       "• Exchange Online: demo-exo.json (Get-Mailbox) and demo-hybrid.json (the hybrid cmdlets)\n"
                       "• Cloud Sync: demo-sync-jobs.json and demo-sync-schema.json (the writeback jobs: the child "
                       "domain's is quarantined, the main domain's lacks the mail mapping)\n"
                       "• The fresh scan: demo-ad.ldif against demo-exo.json, with demo-graph.json\n\n"
                       "Outside the demo, Sources… sets live AD and Exchange Online, or snapshot files like these.")
        .arg(QDir::toNativeSeparators(demoDirectory));
}

QWidget* createDecommissionWizard(QWidget* parent, const DecommissionWizardOptions& options)
{
    const std::optional<ChecklistSources> fixed = options.fixedSources;
    auto currentSources = [fixed] { return fixed ? *fixed : sourcesFromSettings(); };
    const ChecklistSources sources = currentSources();
    const QString historyPath = options.historyPath.isEmpty() ? HistoryStore::defaultPath() : options.historyPath;
    auto opened =
        HistoryStore::open(historyPath, HistoryActor::current(sources.ad ? sources.ad->dc.bindName : QString()));
    if (!opened) {
        QMessageBox::warning(parent, QObject::tr("Decommission wizard"), opened.error().message);
        return nullptr;
    }
    auto* holder = new WizardHistory(std::move(opened.value()), nullptr);
    const QString path = holder->path();
    const QString by = holder->store()->actorName();
    // The sources are read again at each run: the wizard's Sources dialog may have changed them. The step's reads
    // start on the GUI thread without blocking it; the verification's latest scan is read from the history on the
    // step's own thread (a Qt SQL connection belongs to the thread that made it).
    ChecklistCheckStarter starter = [path, by, currentSources](ChecklistStep step, QObject* owner) {
        ChecklistSources s = currentSources();
        if (step == ChecklistStep::Verification)
            s.latestScanHistory = path; // judges the latest recorded scan; "Run a fresh scan" records one first
        return runChecklistStep(step, s, by, owner);
    };
    // The checks' reads and threads are owned by this object (the wizard's child once made), not by its pages.
    auto* checks = new DecommissionChecks(std::move(starter));
    checks->setFreshScanStarter([path, currentSources](QObject* owner, const FreshScanProgressSink& progress) {
        const ChecklistSources s = currentSources();
        if (!canRecordFreshScan(s))
            return QtFuture::makeReadyFuture(Expected<qint64, QString>(QObject::tr(
                "A fresh scan needs both sides: AD (live, or an LDIF export) and Exchange Online (live, or a "
                "Get-Mailbox export). Set them in Sources…; until then the latest recorded scan is judged.")));
        return recordFreshScan(s, path, HistoryActor::current(s.ad ? s.ad->dc.bindName : QString()), progress,
                               owner);
    });
    auto* wizard = new DecommissionWizard(holder->store(), checks, parent);
    wizard->setExporter([by](const Checklist& checklist, const QString& file) {
        return file.endsWith(u".pdf"_s, Qt::CaseInsensitive) ? writeChecklistPdf(checklist, file, by)
                                                              : writeChecklistJson(checklist, file, by);
    });
    if (options.showScan)
        wizard->setScanOpener(options.showScan);
    if (fixed)
        wizard->setFixedSources(options.fixedSourcesDescription);
    holder->setParent(wizard);
    return wizard;
}

void takeDecommissionScreenshot(QWidget* parent, DecommissionWizardOptions options, ChecklistStep step,
                                const QString& path)
{
    auto fail = [](const QString& why) {
        std::fprintf(stderr, "sunset: %s\n", qPrintable(why));
        QCoreApplication::exit(1);
    };
    auto folder = std::make_shared<QTemporaryDir>();
    options.historyPath = folder->filePath(u"history.sqlite"_s);
    options.showScan = {};
    auto* wizard = qobject_cast<DecommissionWizard*>(createDecommissionWizard(parent, options));
    if (!wizard)
        return fail(u"the decommission wizard could not be made"_s);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(wizard, &QObject::destroyed, [folder] {}); // the folder outlives the wizard's history
    wizard->resize(1000, 720);
    wizard->setStartId(int(step));
    wizard->restart();
    wizard->show();
    QObject::connect(wizard, &DecommissionWizard::checksFinished, wizard, [wizard, path] { grabAndQuit(*wizard, path); });
    DecommissionStepPage* page = wizard->stepPage(step);
    if (step == ChecklistStep::Verification) {
        QObject::connect(page, &DecommissionStepPage::freshScanFinished, wizard, [fail](bool recorded) {
            if (!recorded)
                fail(u"the fresh scan of the demo's files was not recorded"_s);
        });
        page->runFreshScan();
    } else {
        page->runChecks();
    }
}

} // namespace sunset
