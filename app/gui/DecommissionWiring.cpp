#include "DecommissionWiring.h"

#include "ChecklistChecks.h"
#include "ChecklistCommands.h"
#include "ChecklistStore.h"
#include "DecommissionWizard.h"

#include <QFile>
#include <QMessageBox>
#include <QSettings>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray readSecretFile(const QString& path)
{
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().trimmed();
}

ChecklistSources sourcesFromSettings()
{
    QSettings settings;
    settings.beginGroup(u"decommission"_s);
    ChecklistSources sources;
    if (const QString uri = settings.value(u"adUri"_s).toString(); !uri.isEmpty()) {
        LiveAdSettings ad;
        ad.uri = uri;
        ad.bindName = settings.value(u"bindUpn"_s).toString();
        ad.password = readSecretFile(settings.value(u"passwordFile"_s).toString());
        ad.caFile = settings.value(u"caFile"_s).toString();
        ad.kerberos = settings.value(u"kerberos"_s).toBool();
        ad.startTls = settings.value(u"startTls"_s).toBool();
        sources.ad = ad;
    }
    if (const QString tenant = settings.value(u"tenant"_s).toString(); !tenant.isEmpty()) {
        CloudSettings cloud;
        cloud.scan.credentials.tenant = tenant;
        cloud.scan.credentials.clientId = settings.value(u"clientId"_s).toString();
        cloud.scan.credentials.clientSecret =
            QString::fromUtf8(readSecretFile(settings.value(u"clientSecretFile"_s).toString()));
        sources.cloud = cloud;
    }
    sources.exoFile = settings.value(u"exoFile"_s).toString();
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

QWidget* createDecommissionWizard(QWidget* parent)
{
    const ChecklistSources sources = sourcesFromSettings();
    auto opened = HistoryStore::open(HistoryStore::defaultPath(),
                                     HistoryActor::current(sources.ad ? sources.ad->bindName : QString()));
    if (!opened) {
        QMessageBox::warning(parent, QObject::tr("Decommission wizard"), opened.error().message);
        return nullptr;
    }
    auto* holder = new WizardHistory(std::move(opened.value()), nullptr);
    const QString path = holder->path();
    const QString by = holder->store()->actorName();
    // On the worker thread: its own connection to the history for the latest scan (a Qt SQL connection belongs to
    // the thread that made it), then the reads.
    // The sources are read again at each run: the wizard's Sources dialog may have changed them.
    ChecklistCheckRunner runner = [path, by](ChecklistStep step, const std::atomic_bool* cancel) {
        ChecklistSources s = sourcesFromSettings();
        QStringList scanErrors;
        if (step == ChecklistStep::Verification) {
            auto history = HistoryStore::open(path, HistoryActor::current());
            if (!history)
                return ChecklistRun{QDateTime::currentDateTimeUtc(), by, {}, {history.error().message}};
            // "Run checks" on this page runs a fresh scan first when both sides are configured.
            if (auto fresh = recordFreshScan(s, *history.value()); fresh && !fresh->ok())
                scanErrors.append(fresh->error());
            auto scan = ChecklistStore(*history.value()).latestScan();
            if (scan)
                s.latestScan = scan.value();
            else
                scanErrors.append(scan.error().message);
        }
        ChecklistRun run = runChecklistStep(step, s, by, cancel);
        run.errors = scanErrors + run.errors;
        return run;
    };
    auto* wizard = new DecommissionWizard(holder->store(), std::move(runner), parent);
    wizard->setExporter([by](const Checklist& checklist, const QString& file) {
        return file.endsWith(u".pdf"_s, Qt::CaseInsensitive) ? writeChecklistPdf(checklist, file, by)
                                                              : writeChecklistJson(checklist, file, by);
    });
    holder->setParent(wizard);
    return wizard;
}

} // namespace sunset
