// SPDX-License-Identifier: Apache-2.0
#include "ChecklistChecks.h"

#include "CloudConnection.h"
#include "CloudSyncClient.h"

#include "CloudSyncJsonReader.h"

#include "ExchangeConfiguration.h"
#include "ExoMailboxClient.h"
#include "HybridArtifactsClient.h"
#include "ScanRecording.h"
#include "SyncedObjectsClient.h"
#include "SnapshotFiles.h"
#include "TokenProvider.h"

#include "DriftSummary.h"
#include "Matcher.h"

#include <QEventLoop>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Connects and binds for the configuration reads. Unlike the drift scan's connection, a forest without the
// Exchange schema is not refused here: after the uninstall that is itself a finding.
LdapResult<std::unique_ptr<LdapConnection>> connectAd(const AdLiveScanSettings& s)
{
    auto connection = std::make_unique<LdapConnection>(connectionOptionsFor(s.dc));
    const std::optional<LdapError> error =
        s.dc.kerberos ? connection->kerberosBind() : connection->simpleBind(s.dc.bindName, s.password);
    if (error)
        return *error;
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

Result<Snapshot> readMailboxes(const ChecklistSources& sources)
{
    if (!sources.exoFile.isEmpty())
        return loadCloudSnapshotFile(sources.exoFile, nullptr);
    if (!sources.cloud)
        return ImportError{{}, 0, {}, missingCloud() + u" Or give a Get-Mailbox export with --exo FILE."_s};
    const CloudConnection connection = cloudConnectionFor(sources.cloud->scan.connection, sources.cloud->scan.secret);
    TokenProvider tokens(connection.authority, connection.credentials);
    ExoMailboxClient client(connection.exoEndpoint, connection.credentials.tenant, &tokens);
    client.setResource(connection.exoResource);
    QEventLoop loop;
    bool ok = false;
    QObject::connect(&client, &ExoMailboxClient::finished, &loop, [&](bool result) {
        ok = result;
        loop.quit();
    });
    client.start();
    loop.exec();
    if (!ok)
        return *client.error();
    return client.takeSnapshot();
}

Result<HybridArtifacts> readHybrid(const CloudSettings& cloud)
{
    const CloudConnection connection = cloudConnectionFor(cloud.scan.connection, cloud.scan.secret);
    TokenProvider tokens(connection.authority, connection.credentials);
    HybridArtifactsClient client(connection.exoEndpoint, connection.credentials.tenant, &tokens);
    client.setResource(connection.exoResource);
    QEventLoop loop;
    bool ok = false;
    QObject::connect(&client, &HybridArtifactsClient::finished, &loop, [&](bool result) {
        ok = result;
        loop.quit();
    });
    client.start();
    loop.exec();
    if (!ok)
        return client.error().value_or(ImportError{{}, 0, {}, u"the hybrid cmdlets failed"_s});
    return client.artifacts();
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

Result<std::shared_ptr<const CloudSyncState>> readCloudSync(const ChecklistSources& sources)
{
    if (sources.cloudSync)
        return sources.cloudSync;
    if (sources.syncJobsFile.isEmpty()) {
        if (!sources.syncSchemaFile.isEmpty())
            return ImportError{sources.syncSchemaFile, 0, {},
                               u"a schema belongs to a job: give the jobs too (--sync-jobs FILE)"_s};
        if (sources.cloud)
            return readCloudSyncJobsLive(*sources.cloud);
        return std::shared_ptr<const CloudSyncState>();
    }
    Result<CloudSyncState> state = loadCloudSyncFiles({sources.syncJobsFile, sources.syncSchemaFile, {}});
    if (!state)
        return state.error();
    return std::make_shared<const CloudSyncState>(std::move(state.value()));
}

Result<SyncedObjectsRead> readSyncedObjectsLive(const CloudSettings& cloud, SyncedObjectKind kind)
{
    const CloudConnection connection = cloudConnectionFor(cloud.scan.connection, cloud.scan.secret);
    TokenProvider tokens(connection.authority, connection.credentials);
    SyncedObjectsClient client(connection.graphEndpoint, &tokens, kind);
    client.setResource(connection.graphResource);
    QEventLoop loop;
    bool ok = false;
    QObject::connect(&client, &SyncedObjectsClient::finished, &loop, [&](bool result) {
        ok = result;
        loop.quit();
    });
    client.start();
    loop.exec();
    if (!ok)
        return client.error().value_or(ImportError{{}, 0, {}, u"the read of Graph beta failed"_s});
    return client.result();
}

// Groups (kind other than MailContact) or contacts: from the saved answers, live with the cloud's credentials,
// else not read with what to give.
Result<SyncedObjectsRead> readSyncedObjects(const ChecklistSources& sources, SyncedObjectKind kind)
{
    const bool contacts = kind == SyncedObjectKind::MailContact;
    const QString& path = contacts ? sources.contactsFile : sources.groupsFile;
    SyncedObjectsRead read;
    if (path.isEmpty() && sources.cloud)
        return readSyncedObjectsLive(*sources.cloud, kind);
    if (path.isEmpty()) {
        read.missingReason =
            contacts ? u"give --contacts FILE (the answer of GET /beta/contacts?$filter=onPremisesSyncBehavior/"
                       "isCloudManaged eq false&$count=true with ConsistencyLevel: eventual, saved)"_s
                     : u"give --groups FILE (the answer of GET /beta/groups?$filter=onPremisesSyncBehavior/"
                       "isCloudManaged eq false&$count=true with ConsistencyLevel: eventual, saved)"_s;
        return read;
    }
    auto file = MappedFile::open(path);
    if (!file)
        return file.error();
    auto objects = readSyncedObjectsJson(file.value()->bytes(), path, kind);
    if (!objects)
        return objects.error();
    read.read = true;
    read.source = path;
    read.objects = std::move(objects.value());
    return read;
}

} // namespace

QString cloudSyncMissingHint()
{
    return u"give --sync-jobs FILE and --sync-schema FILE (the answers of GET "
           "/servicePrincipals/{id}/synchronization/jobs and …/jobs/{jobId}/schema, saved as sunset-cli diff reads "
           "them; in the wizard: Sources…), or read them live with --tenant (the app needs Synchronization.Read.All), or, "
           "once you have checked the writeback in the Entra admin center, attest 'cloud-sync-writeback'."_s;
}

std::optional<Expected<qint64, QString>> recordFreshScan(const ChecklistSources& sources, HistoryStore& history,
                                                         const std::atomic_bool* cancel,
                                                         const FreshScanProgress& progress)
{
    if ((!sources.ad && sources.adFile.isEmpty()) || (!sources.cloud && sources.exoFile.isEmpty()))
        return std::nullopt;
    using Outcome = Expected<qint64, QString>;
    const QString cancelledText = u"The fresh scan was cancelled; no scan was recorded."_s;
    auto cancelled = [cancel] { return cancel && cancel->load(); };
    auto say = [&progress](const QString& stage, double fraction = -1) {
        if (progress)
            progress(stage, fraction);
    };
    // A file read reports its fraction and stops when cancelled (the reader then returns a "cancelled" error).
    auto fileProgress = [&](const QString& stage) -> LoadProgress {
        return [&, stage](const QString&, double fraction) {
            say(stage, fraction);
            return !cancelled();
        };
    };
    const QDateTime started = QDateTime::currentDateTimeUtc();
    Result<Snapshot> ad = ImportError{};
    if (!sources.adFile.isEmpty()) {
        ad = loadAdSnapshotFile(sources.adFile, fileProgress(u"Reading AD from %1"_s.arg(sources.adFile)));
    } else {
        say(u"Connecting to %1"_s.arg(sources.ad->dc.uri));
        LiveAd live;
        // The reads' warnings are not part of a checklist run: the findings say what matters.
        if (std::optional<QString> error = connectLiveAd(*sources.ad, {}, live))
            return Outcome(u"The fresh scan could not read AD: "_s + *error);
        ad = readLiveAdSnapshot(live, {}, [&](qint64 entries) {
            say(u"Reading AD from %1 … %2 entries"_s.arg(sources.ad->dc.uri).arg(entries));
            return !cancelled();
        });
    }
    if (cancelled())
        return Outcome(cancelledText);
    if (!ad)
        return Outcome(u"The fresh scan could not read AD: "_s + ad.error().toString());
    GraphDirectory graph;
    if (!sources.exoFile.isEmpty() && !sources.graphFile.isEmpty()) { // live, the scan reads the users itself
        Result<GraphDirectory> users =
            loadGraphUsersFile(sources.graphFile, fileProgress(u"Reading Graph users from %1"_s.arg(sources.graphFile)));
        if (cancelled())
            return Outcome(cancelledText);
        if (!users)
            return Outcome(u"The fresh scan could not read the Graph users: "_s + users.error().toString());
        graph = std::move(users.value());
    }
    Result<Snapshot> cloud =
        sources.exoFile.isEmpty()
            ? scanCloudSnapshot(*sources.cloud, {}, graph, cancel,
                                [&](CloudLiveScan::Service service, qint64 done, qint64, double) {
                                    say(u"Reading %1 … %2"_s.arg(cloudServiceName(service)).arg(done));
                                })
            : loadCloudSnapshotFile(sources.exoFile, sources.graphFile.isEmpty() ? nullptr : &graph,
                                    fileProgress(u"Reading Exchange Online from %1"_s.arg(sources.exoFile)));
    if (cancelled())
        return Outcome(cancelledText);
    if (!cloud)
        return Outcome(u"The fresh scan could not read Exchange Online: "_s + cloud.error().toString());
    say(u"Comparing AD with Exchange Online"_s);
    const Snapshot& adSide = ad.value();
    const Snapshot& cloudSide = cloud.value();
    const DriftReport report = computeDrift(adSide, cloudSide, matchMailboxes(adSide.records, cloudSide.records));
    const DriftSummary summary = summarize(report, adSide, cloudSide);
    if (cancelled())
        return Outcome(cancelledText);
    // Recorded as sunset-cli diff records a scan, with every drift item, so a batch can be planned from it.
    const ReportSources names{sources.adFile.isEmpty() ? sources.ad->dc.uri : sources.adFile,
                              sources.exoFile.isEmpty() ? cloudSide.source : sources.exoFile, sources.graphFile};
    say(u"Recording the scan"_s);
    HistoryResult<qint64> id = history.recordScan(
        scanRecord({report, adSide, cloudSide, summary, names}, started, QDateTime::currentDateTimeUtc()));
    if (!id)
        return Outcome(id.error().message);
    return Outcome(id.value());
}

ChecklistRun runChecklistStep(ChecklistStep step, const ChecklistSources& sources, const QString& by,
                              const std::atomic_bool* cancel)
{
    ChecklistRun run;
    run.at = QDateTime::currentDateTimeUtc();
    run.by = by;
    auto cancelled = [&] {
        if (cancel && cancel->load()) {
            run.errors.append(u"The checks were cancelled before they finished."_s);
            return true;
        }
        return false;
    };
    auto adRead = [&]() -> std::optional<ExchangeConfiguration> {
        AdRead read = readAd(sources);
        if (!read.error.isEmpty())
            run.errors.append(read.error);
        return std::move(read.config);
    };

    switch (step) {
    case ChecklistStep::Prerequisites: {
        Result<Snapshot> mailboxes = readMailboxes(sources);
        std::optional<std::vector<CloudMailboxState>> states;
        if (mailboxes) {
            states = cloudMailboxStates(mailboxes.value());
            run.findings.push_back(findCloudManagedExceptions(*states));
        } else {
            run.errors.append(u"Reading the mailboxes: "_s + mailboxes.error().toString());
        }
        if (cancelled())
            break;
        std::optional<std::vector<WritebackDomain>> domains;
        if (auto config = adRead()) {
            run.findings.push_back(findWritebackAgent(config->cloudSyncAgentAccounts));
            domains = writebackDomains(*config, states);
        }
        if (cancelled())
            break;
        Result<std::shared_ptr<const CloudSyncState>> sync = readCloudSync(sources);
        if (!sync) {
            run.errors.append(u"Reading Cloud Sync's writeback jobs: "_s + sync.error().toString());
            break;
        }
        for (ChecklistFinding& f : findWritebackJobs(sync->get(), domains, run.at, cloudSyncMissingHint()))
            run.findings.push_back(std::move(f));
        if (cancelled())
            break;
        Result<SyncedObjectsRead> groups = readSyncedObjects(sources, SyncedObjectKind::DistributionList);
        Result<SyncedObjectsRead> contacts = readSyncedObjects(sources, SyncedObjectKind::MailContact);
        for (const Result<SyncedObjectsRead>* read : {&groups, &contacts})
            if (!*read)
                run.errors.append(u"Reading the groups and contacts: "_s + read->error().toString());
        if (groups && contacts)
            run.findings.push_back(findGroupsAndContactsNotCloudManaged(groups.value(), contacts.value()));
        break;
    }
    case ChecklistStep::Verification:
        for (ChecklistFinding& f : findScanState(sources.latestScan, run.at))
            run.findings.push_back(std::move(f));
        break;
    case ChecklistStep::HybridCleanup: {
        if (!sources.hybridFile.isEmpty()) {
            Result<HybridArtifacts> hybrid = readHybridArtifactsFile(sources.hybridFile);
            if (hybrid) {
                run.findings.push_back(findOrganizationRelationships(hybrid->organizationRelationships));
                run.findings.push_back(findHybridConnectors(hybrid->inboundConnectors, hybrid->outboundConnectors));
            } else {
                run.errors.append(u"Reading the hybrid objects snapshot: "_s + hybrid.error().toString());
            }
        } else if (!sources.cloud) {
            run.errors.append(missingCloud());
        } else {
            Result<HybridArtifacts> hybrid = readHybrid(*sources.cloud);
            if (hybrid) {
                run.findings.push_back(findOrganizationRelationships(hybrid->organizationRelationships));
                run.findings.push_back(findHybridConnectors(hybrid->inboundConnectors, hybrid->outboundConnectors));
            } else {
                run.errors.append(u"Reading the hybrid objects of Exchange Online: "_s + hybrid.error().toString());
            }
        }
        if (cancelled())
            break;
        if (auto config = adRead())
            run.findings.push_back(findHybridConfigurationObjects(config->hybridConfigurations));
        break;
    }
    case ChecklistStep::Uninstall:
        if (auto config = adRead()) {
            run.findings.push_back(findRegisteredServers(config->servers));
            run.findings.push_back(findAutodiscoverScps(config->autodiscoverScps));
        }
        break;
    case ChecklistStep::PostUninstallCleanup:
        if (auto config = adRead()) {
            for (ChecklistFinding& f : findLingeringExchangeObjects(config->inventory()))
                run.findings.push_back(std::move(f));
        }
        break;
    }
    return run;
}

} // namespace sunset
