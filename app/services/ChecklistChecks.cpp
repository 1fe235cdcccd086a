// SPDX-License-Identifier: Apache-2.0
#include "ChecklistChecks.h"

#include "ChecklistStore.h"
#include "CloudConnection.h"
#include "CloudSyncClient.h"

#include "CloudSyncJsonReader.h"

#include "ExchangeConfiguration.h"
#include "ExoMailboxClient.h"
#include "HybridArtifactsClient.h"
#include "SyncedObjectsClient.h"
#include "SnapshotFiles.h"
#include "TokenProvider.h"


#include "platform/AsyncRun.h"
#include "platform/BackgroundFuture.h"
#include "platform/ClientFuture.h"
#include "platform/WhenFinished.h"

#include <type_traits>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Connects and binds for the configuration reads. Unlike the drift scan's connection, a forest without the
// Exchange schema is not refused here: after the uninstall that is itself a finding.
LdapResult<std::unique_ptr<LdapConnection>> connectAd(const AdLiveScanSettings& s)
{
    auto connection = std::make_unique<LdapConnection>(connectionOptionsFor(s.dc));
    const LdapResult<void> bound =
        s.dc.kerberos ? connection->kerberosBind() : connection->simpleBind(s.dc.bindName, s.password);
    if (!bound)
        return bound.error();
    return connection;
}

struct AdRead {
    std::optional<ExchangeConfiguration> config;
    QString error;
};

AdRead readAd(const ChecklistSources& sources)
{
    if (!sources.configLdifFiles.isEmpty()) {
        ExchangeConfigurationOptions options;
        options.agentAccountName = sources.agentAccountName;
        Result<ExchangeConfiguration> config = readExchangeConfigurationLdif(sources.configLdifFiles, options);
        if (!config)
            return {std::nullopt, u"Reading the Exchange configuration snapshot: "_s + config.error().toString()};
        return {std::move(config.value()), {}};
    }
    if (!sources.ad)
        return {std::nullopt, u"AD was not given: give --ad ldaps://dc… with --bind/--password-file or --kerberos "
                              "(the wizard: adUri, bindUpn and passwordFile in the settings group "
                              "'decommission'), or a snapshot with --config-ldif FILE."_s};
    LdapResult<std::unique_ptr<LdapConnection>> connection = connectAd(*sources.ad);
    if (!connection)
        return {std::nullopt, connection.error().toString()};
    ExchangeConfigurationOptions options;
    options.domainDn = sources.ad->dc.baseDn.toUtf8();
    options.agentAccountName = sources.agentAccountName;
    LdapResult<ExchangeConfiguration> config = readExchangeConfiguration(*connection.value(), options);
    if (!config)
        return {std::nullopt, config.error().toString()};
    return {std::move(config.value()), {}};
}

QString missingCloud()
{
    return u"Exchange Online was not given: give --tenant with --client-id and --client-secret-file or "
           "--certificate (the wizard: tenant, clientId and clientSecretFile in the settings group "
           "'decommission'), or the hybrid cmdlets' answers with --hybrid-json FILE."_s;
}

QString missingMailboxes()
{
    return missingCloud() + u" Or give a Get-Mailbox export with --exo FILE."_s;
}

// A live read: a client of its own sign-in (made by make from the tenant's connection, its token audience set),
// started on this thread's event loop and owned by owner; value(client) once it finished, else its error (fallback
// when it names none).
template <typename Make, typename Value>
auto readLive(const CloudScanSettings& scan, Make make, Value value, QString fallback, QObject* owner)
{
    auto client = signedInClient(scan, make);
    using Client = typename decltype(client)::element_type;
    using T = std::decay_t<decltype(value(*client))>;
    return clientFuture(
        std::move(client), [](Client& c) { c.start(); },
        [value, fallback](Client& c, bool ok) -> Result<T> {
            if (!ok)
                return c.error().value_or(ImportError{{}, 0, {}, fallback});
            return value(c);
        },
        owner);
}

QFuture<Result<Snapshot>> readMailboxesLive(const CloudSettings& cloud, QObject* owner)
{
    return readLive(
        cloud.scan,
        [](TokenProvider* tokens, const CloudConnection& connection) {
            auto client = std::make_unique<ExoMailboxClient>(connection.exoEndpoint, connection.credentials.tenant,
                                                             tokens);
            client->setResource(connection.exoResource);
            return client;
        },
        [](ExoMailboxClient& c) { return c.takeSnapshot(); }, u"the read of the mailboxes stopped"_s, owner);
}

QFuture<Result<HybridArtifacts>> readHybridLive(const CloudSettings& cloud, QObject* owner)
{
    return readLive(
        cloud.scan,
        [](TokenProvider* tokens, const CloudConnection& connection) {
            auto client = std::make_unique<HybridArtifactsClient>(connection.exoEndpoint,
                                                                  connection.credentials.tenant, tokens);
            client->setResource(connection.exoResource);
            return client;
        },
        [](HybridArtifactsClient& c) { return c.artifacts(); }, u"the hybrid cmdlets failed"_s, owner);
}

QFuture<Result<SyncedObjectsRead>> readSyncedObjectsLive(const CloudSettings& cloud, SyncedObjectKind kind,
                                                         QObject* owner)
{
    return readLive(
        cloud.scan,
        [kind](TokenProvider* tokens, const CloudConnection& connection) {
            auto client = std::make_unique<SyncedObjectsClient>(connection.graphEndpoint, tokens, kind);
            client->setResource(connection.graphResource);
            return client;
        },
        [](SyncedObjectsClient& c) { return c.result(); }, u"the read of Graph beta failed"_s, owner);
}

// The AD domains whose mailboxes a writeback job must cover: those holding recipients with Exchange values,
// once Exchange Online shows a directory-synced mailbox is cloud-managed (or its mailboxes were not read).
// [assumed] a domain's recipients with Exchange values stand for its mailboxes: telling which of them are
// cloud-managed would need the two sides matched, which the verification's scan does.
std::vector<WritebackDomain> writebackDomains(const ExchangeConfiguration& config,
                                              const std::optional<std::vector<CloudMailboxState>>& mailboxes)
{
    if (mailboxes && std::none_of(mailboxes->begin(), mailboxes->end(), [](const CloudMailboxState& m) {
            return m.dirSynced && m.cloudManaged.value_or(false);
        }))
        return {};
    std::vector<WritebackDomain> domains;
    for (auto it = config.recipientDomains.cbegin(); it != config.recipientDomains.cend(); ++it)
        if (!it.key().isEmpty())
            domains.push_back({it.key(), it.value()});
    return domains;
}

Result<std::shared_ptr<const CloudSyncState>> readCloudSyncFiles(const ChecklistSources& sources)
{
    Result<CloudSyncState> state = loadCloudSyncFiles({sources.syncJobsFile, sources.syncSchemaFile, {}});
    if (!state)
        return state.error();
    return std::make_shared<const CloudSyncState>(std::move(state.value()));
}

bool readsContacts(SyncedObjectKind kind)
{
    return kind == SyncedObjectKind::MailContact;
}

const QString& syncedObjectsFile(const ChecklistSources& sources, SyncedObjectKind kind)
{
    return readsContacts(kind) ? sources.contactsFile : sources.groupsFile;
}

// Groups or contacts not read, with what to give.
SyncedObjectsRead syncedObjectsMissing(SyncedObjectKind kind)
{
    SyncedObjectsRead read;
    read.missingReason =
        readsContacts(kind) ? u"give --contacts FILE (the answer of GET /beta/contacts?$filter=onPremisesSyncBehavior/"
                              "isCloudManaged eq false&$count=true with ConsistencyLevel: eventual, saved)"_s
                            : u"give --groups FILE (the answer of GET /beta/groups?$filter=onPremisesSyncBehavior/"
                              "isCloudManaged eq false&$count=true with ConsistencyLevel: eventual, saved)"_s;
    return read;
}

Result<SyncedObjectsRead> readSyncedObjectsFile(const QString& path, SyncedObjectKind kind)
{
    auto file = MappedFile::open(path);
    if (!file)
        return file.error();
    auto objects = readSyncedObjectsJson(file.value()->bytes(), path, kind);
    if (!objects)
        return objects.error();
    SyncedObjectsRead read;
    read.read = true;
    read.source = path;
    read.objects = std::move(objects.value());
    return read;
}

// The history's latest scan, read on the step's thread with a connection of its own (one per thread).
Expected<std::optional<ScanFacts>, QString> readLatestScan(const QString& historyPath)
{
    auto history = HistoryStore::open(historyPath, HistoryActor::current());
    if (!history)
        return history.error().message;
    HistoryResult<std::optional<ScanFacts>> scan = ChecklistStore(*history.value()).latestScan();
    if (!scan)
        return scan.error().message;
    return scan.value();
}

// What a step read, each part filled when its read is in (a part the step does not need stays empty).
struct StepReads {
    std::optional<AdRead> ad;
    std::optional<Result<Snapshot>> mailboxes;
    std::optional<Result<std::shared_ptr<const CloudSyncState>>> cloudSync;
    std::optional<Result<SyncedObjectsRead>> groups;
    std::optional<Result<SyncedObjectsRead>> contacts;
    std::optional<Result<HybridArtifacts>> hybrid;
    std::optional<Expected<std::optional<ScanFacts>, QString>> latestScan;
};

// The step's findings from what was read: pure, on the run's thread.
void judgeStep(ChecklistStep step, const ChecklistSources& sources, StepReads& reads, ChecklistRun& run)
{
    auto config = [&]() -> std::optional<ExchangeConfiguration> {
        if (!reads.ad)
            return std::nullopt;
        if (!reads.ad->error.isEmpty())
            run.errors.append(reads.ad->error);
        return std::move(reads.ad->config);
    };
    switch (step) {
    case ChecklistStep::Prerequisites: {
        std::optional<std::vector<CloudMailboxState>> states;
        if (reads.mailboxes && *reads.mailboxes) {
            states = cloudMailboxStates(reads.mailboxes->value());
            run.findings.push_back(findCloudManagedExceptions(*states));
        } else if (reads.mailboxes) {
            run.errors.append(u"Reading the mailboxes: "_s + reads.mailboxes->error().toString());
        }
        std::optional<std::vector<WritebackDomain>> domains;
        if (auto ad = config()) {
            run.findings.push_back(findWritebackAgent(ad->cloudSyncAgentAccounts));
            domains = writebackDomains(*ad, states);
        }
        if (!reads.cloudSync)
            break;
        if (!*reads.cloudSync) {
            run.errors.append(u"Reading Cloud Sync's writeback jobs: "_s + reads.cloudSync->error().toString());
            break;
        }
        for (ChecklistFinding& f :
             findWritebackJobs(reads.cloudSync->value().get(), domains, run.at, cloudSyncMissingHint()))
            run.findings.push_back(std::move(f));
        if (!reads.groups || !reads.contacts)
            break;
        for (const Result<SyncedObjectsRead>* read : {&*reads.groups, &*reads.contacts})
            if (!*read)
                run.errors.append(u"Reading the groups and contacts: "_s + read->error().toString());
        if (*reads.groups && *reads.contacts)
            run.findings.push_back(findGroupsAndContactsNotCloudManaged(reads.groups->value(), reads.contacts->value()));
        break;
    }
    case ChecklistStep::Verification: {
        std::optional<ScanFacts> latest = sources.latestScan;
        if (reads.latestScan && *reads.latestScan)
            latest = reads.latestScan->value();
        else if (reads.latestScan)
            run.errors.append(reads.latestScan->error());
        for (ChecklistFinding& f : findScanState(latest, run.at))
            run.findings.push_back(std::move(f));
        break;
    }
    case ChecklistStep::HybridCleanup: {
        if (reads.hybrid && *reads.hybrid) {
            const HybridArtifacts& hybrid = reads.hybrid->value();
            run.findings.push_back(findOrganizationRelationships(hybrid.organizationRelationships));
            run.findings.push_back(findHybridConnectors(hybrid.inboundConnectors, hybrid.outboundConnectors));
        } else if (reads.hybrid) {
            run.errors.append((sources.hybridFile.isEmpty() ? u"Reading the hybrid objects of Exchange Online: "_s
                                                            : u"Reading the hybrid objects snapshot: "_s) +
                              reads.hybrid->error().toString());
        } else {
            run.errors.append(missingCloud());
        }
        if (auto ad = config())
            run.findings.push_back(findHybridConfigurationObjects(ad->hybridConfigurations));
        break;
    }
    case ChecklistStep::Uninstall:
        if (auto ad = config()) {
            run.findings.push_back(findRegisteredServers(ad->servers));
            run.findings.push_back(findAutodiscoverScps(ad->autodiscoverScps));
        }
        break;
    case ChecklistStep::PostUninstallCleanup:
        if (auto ad = config()) {
            for (ChecklistFinding& f : findLingeringExchangeObjects(ad->inventory()))
                run.findings.push_back(std::move(f));
        }
        break;
    }
}

// One step's run: starts the reads it needs, each as a future (live: a client; LDAP and files: a BackgroundTask
// owned by the run's owner, so that a cancelled run goes at once while the owner still waits for the threads),
// and judges the step when the last is in.
class ChecklistStepRun final : public AsyncRun<ChecklistRun> {
public:
    ChecklistStepRun(ChecklistStep step, ChecklistSources sources, const QString& by, QObject* owner)
        : AsyncRun<ChecklistRun>(owner)
        , m_step(step)
        , m_sources(std::move(sources))
    {
        m_run.at = QDateTime::currentDateTimeUtc();
        m_run.by = by;
    }
    ~ChecklistStepRun() override { cancelReads(); }

    void start()
    {
        switch (m_step) {
        case ChecklistStep::Prerequisites:
            startMailboxes();
            readAdHere();
            startCloudSync();
            startSyncedObjects(SyncedObjectKind::DistributionList, m_reads.groups);
            startSyncedObjects(SyncedObjectKind::MailContact, m_reads.contacts);
            break;
        case ChecklistStep::Verification:
            if (!m_sources.latestScan && !m_sources.latestScanHistory.isEmpty())
                readHere(m_reads.latestScan, [path = m_sources.latestScanHistory] { return readLatestScan(path); });
            break;
        case ChecklistStep::HybridCleanup:
            if (!m_sources.hybridFile.isEmpty())
                readHere(m_reads.hybrid, [path = m_sources.hybridFile] { return readHybridArtifactsFile(path); });
            else if (m_sources.cloud)
                await(readHybridLive(*m_sources.cloud, this), m_reads.hybrid);
            readAdHere();
            break;
        case ChecklistStep::Uninstall:
        case ChecklistStep::PostUninstallCleanup:
            readAdHere();
            break;
        }
        m_starting = false;
        judgeWhenAllIn();
    }

private:
    void startMailboxes()
    {
        if (!m_sources.exoFile.isEmpty())
            readHere(m_reads.mailboxes, [path = m_sources.exoFile] { return loadCloudSnapshotFile(path, nullptr); });
        else if (m_sources.cloud)
            await(readMailboxesLive(*m_sources.cloud, this), m_reads.mailboxes);
        else
            m_reads.mailboxes = ImportError{{}, 0, {}, missingMailboxes()};
    }
    void startCloudSync()
    {
        if (m_sources.cloudSync)
            m_reads.cloudSync = m_sources.cloudSync;
        else if (!m_sources.syncJobsFile.isEmpty())
            readHere(m_reads.cloudSync, [sources = m_sources] { return readCloudSyncFiles(sources); });
        else if (!m_sources.syncSchemaFile.isEmpty())
            m_reads.cloudSync = ImportError{m_sources.syncSchemaFile, 0, {},
                                            u"a schema belongs to a job: give the jobs too (--sync-jobs FILE)"_s};
        else if (m_sources.cloud)
            await(readCloudSyncJobsLive(*m_sources.cloud, this), m_reads.cloudSync);
        else
            m_reads.cloudSync = std::shared_ptr<const CloudSyncState>();
    }
    // Groups or contacts: from the saved answers, live with the cloud's credentials, else not read.
    void startSyncedObjects(SyncedObjectKind kind, std::optional<Result<SyncedObjectsRead>>& into)
    {
        const QString& path = syncedObjectsFile(m_sources, kind);
        if (!path.isEmpty())
            readHere(into, [path, kind] { return readSyncedObjectsFile(path, kind); });
        else if (m_sources.cloud)
            await(readSyncedObjectsLive(*m_sources.cloud, kind, this), into);
        else
            into = syncedObjectsMissing(kind);
    }
    void readAdHere()
    {
        readHere(m_reads.ad, [sources = m_sources] { return readAd(sources); });
    }

    // A blocking read on a thread of its own (owned by the run's owner).
    template <typename T, typename Read> void readHere(std::optional<T>& into, Read read)
    {
        await(backgroundFuture<T>(parent(), u"sunset-checks"_s, [read](TaskControl&) { return read(); }), into);
    }

    template <typename T> void await(QFuture<T> future, std::optional<T>& into)
    {
        ++m_pending;
        m_stops.push_back([future]() mutable { future.cancel(); });
        whenFinished(std::move(future), this, [this, &into](QFuture<T> done) {
            if (done.resultCount() > 0)
                into = done.takeResult();
            --m_pending;
            judgeWhenAllIn();
        });
    }

    void judgeWhenAllIn()
    {
        if (m_starting || m_pending > 0 || hasEnded())
            return;
        judgeStep(m_step, m_sources, m_reads, m_run);
        deliver(std::move(m_run));
        deleteLater();
    }

    void stop() override
    {
        cancelReads();
        end();
        deleteLater();
    }
    void cancelReads()
    {
        for (auto& stopRead : m_stops)
            stopRead();
        m_stops.clear();
    }

    ChecklistStep m_step;
    ChecklistSources m_sources;
    ChecklistRun m_run;
    StepReads m_reads;
    int m_pending = 0;
    bool m_starting = true; // reads that end inside start() wait for the others to be asked
    std::vector<std::function<void()>> m_stops;
};

} // namespace

QString cloudSyncMissingHint()
{
    return u"give --sync-jobs FILE and --sync-schema FILE (the answers of GET "
           "/servicePrincipals/{id}/synchronization/jobs and …/jobs/{jobId}/schema, saved as sunset-cli diff reads "
           "them; in the wizard: Sources…), or read them live with --tenant (the app needs Synchronization.Read.All), or, "
           "once you have checked the writeback in the Entra admin center, attest 'cloud-sync-writeback'."_s;
}

QFuture<ChecklistRun> runChecklistStep(ChecklistStep step, const ChecklistSources& sources, const QString& by,
                                       QObject* owner)
{
    auto* run = new ChecklistStepRun(step, sources, by, owner);
    QFuture<ChecklistRun> future = run->future();
    run->start();
    return future;
}

} // namespace sunset
