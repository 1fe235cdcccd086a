// SPDX-License-Identifier: Apache-2.0
#include "ScanInputOptions.h"

#include "CliEdge.h"
#include "Identity.h"
#include "TerminalReport.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ScanInputOptions::ScanInputOptions(QString command)
    : m_command(std::move(command))
    , m_ad(u"ad"_s,
           u"AD snapshot: LDIF as written by ldifde or ldapsearch, or a domain controller to read live: "
           "ldaps://dc01.contoso.com[:port] (ldap://… with --starttls)."_s,
           u"FILE.ldif|URI"_s)
    , m_exo(u"exo"_s,
            u"Exchange Online snapshot: Get-Mailbox -ResultSize Unlimited | ConvertTo-Json -Depth 4, or the same "
            "through Export-Csv -NoTypeInformation (multi-valued columns joined with ';')."_s,
            u"FILE.json|FILE.csv"_s)
    , m_graph(u"graph"_s,
              u"Graph users export (GET /v1.0/users with onPremisesImmutableId and onPremisesSecurityIdentifier): "
              "gives cloud mailboxes their on-premises anchors."_s,
              u"users.json"_s)
    , m_asOf(u"as-of"_s,
             u"Scan time (ISO 8601, UTC) the report states; default: the newest change found in the snapshots."_s,
             u"TIME"_s)
    , m_syncJobs(u"sync-jobs"_s,
                 u"Cloud Sync's jobs as GET /servicePrincipals/{id}/synchronization/jobs returns them (answers "
                 "concatenated or an array of them): the writeback job's state explains drift."_s,
                 u"jobs.json"_s)
    , m_syncSchema(u"sync-schema"_s,
                   u"Each writeback job's schema (GET …/jobs/{jobId}/schema): which attributes it maps. Needs "
                   "--sync-jobs."_s,
                   u"schema.json"_s)
    , m_provisioningLog(u"provisioning-log"_s,
                        u"Provisioning log pages (GET /auditLogs/provisioning, filtered by the writeback job): each "
                        "object's latest writeback and its failures."_s,
                        u"provisioning.json"_s)
    , m_noSyncState(u"no-sync-state"_s,
                    u"With --tenant: do not read Cloud Sync's jobs, schemas and provisioning log from Graph (read by "
                    "default unless --sync-jobs or --provisioning-log is given; needs Synchronization.Read.All and "
                    "AuditLog.Read.All, and a permission lacking only leaves the causes it proves unexplained)."_s)
    , m_syncWindow(u"sync-window-days"_s,
                   u"With --tenant: how many days of the provisioning log to read (default 30, Graph's retention "
                   "with Entra ID P1; 7 without)."_s,
                   u"DAYS"_s, u"30"_s)
    , m_syncServicePrincipal(u"sync-service-principal"_s,
                             u"With --tenant: the object id of Cloud Sync's service principal, when searching by its "
                             "application template id (3b99513e-0cee-4291-aea8-84356239fb82, only observed) finds "
                             "none; repeat for several."_s,
                             u"ID"_s)
{
}

void ScanInputOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({m_ad, m_exo, m_graph, m_asOf, m_syncJobs, m_syncSchema, m_provisioningLog, m_noSyncState,
                       m_syncWindow, m_syncServicePrincipal});
    parser.addOptions(m_live.options());
    parser.addOptions(m_live.incrementalOptions());
    parser.addOptions(m_cloud.options());
}

std::optional<int> ScanInputOptions::parse(QCommandLineParser& parser, const QStringList& arguments, QTextStream& out,
                                           QTextStream& err)
{
    const QString prefix = u"sunset-cli "_s + m_command + u": "_s;
    if (const auto refused = AdSourceOptions::refusePasswordArgument(arguments)) {
        err << prefix << *refused << '\n';
        return CliUsage;
    }
    if (!parser.parse(QStringList{u"sunset-cli "_s + m_command} + arguments)) {
        err << prefix << parser.errorText() << "\n\n" << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << prefix << "unexpected argument '" << parser.positionalArguments().first() << "'.\n";
        return CliUsage;
    }
    return check(parser, err);
}

std::optional<int> ScanInputOptions::check(const QCommandLineParser& parser, QTextStream& err)
{
    const QString prefix = u"sunset-cli "_s + m_command + u": "_s;
    m_cloudIsLive = m_cloud.isSet(parser);
    if (!parser.isSet(m_ad) || parser.isSet(m_exo) == m_cloudIsLive) {
        err << prefix << "--ad and one of --exo (a file) or --tenant (read live) are required.\n\n"
            << parser.helpText();
        return CliUsage;
    }
    if (m_cloudIsLive) {
        if (parser.isSet(m_graph)) {
            err << prefix << "--graph is for files; with --tenant the users are read live.\n";
            return CliUsage;
        }
        if (const auto read = m_cloud.read(parser, err, m_cloudSettings); !read) {
            err << prefix << read.error().message << '\n';
            return read.error().exitCode;
        }
    }
    m_adIsLive = AdSourceOptions::isLdapUri(parser.value(m_ad));
    if (m_adIsLive) {
        if (const auto read = m_live.read(parser, parser.value(m_ad), err, m_liveSettings); !read) {
            err << prefix << read.error().message << '\n';
            return read.error().exitCode;
        }
    } else if (const auto unused = m_live.checkUnusedWithFile(parser)) {
        err << prefix << *unused << '\n';
        return CliUsage;
    }
    if (const auto read = m_live.readIncremental(parser, m_adIsLive, m_liveSettings); !read) {
        err << prefix << read.error().message << '\n';
        return read.error().exitCode;
    }
    // One flag reads both sides in full (issue 15): --full-scan, the cloud's, also reads a live AD in full, as
    // --ad-full does for AD alone.
    if (m_adIsLive && parser.isSet(u"full-scan"_s))
        m_liveSettings.fullRead = true;
    if (parser.isSet(m_syncSchema) && !parser.isSet(m_syncJobs)) {
        err << prefix << "--sync-schema needs --sync-jobs (a schema belongs to a job).\n";
        return CliUsage;
    }
    const bool syncFromFiles = parser.isSet(m_syncJobs) || parser.isSet(m_provisioningLog);
    if ((parser.isSet(m_noSyncState) || parser.isSet(m_syncWindow) || parser.isSet(m_syncServicePrincipal)) &&
        !m_cloudIsLive) {
        err << prefix << "--no-sync-state, --sync-window-days and --sync-service-principal go with --tenant "
                         "(reading the cloud live).\n";
        return CliUsage;
    }
    bool windowOk = false;
    const int windowDays = parser.value(m_syncWindow).toInt(&windowOk);
    if (!windowOk || windowDays < 1 || windowDays > 30) {
        err << prefix << "--sync-window-days '" << parser.value(m_syncWindow)
            << "' is not a number of days from 1 to 30 (Graph keeps the provisioning log 30 days at most).\n";
        return CliUsage;
    }
    if (m_cloudIsLive && !syncFromFiles && !parser.isSet(m_noSyncState)) {
        m_cloudSettings.scan.readCloudSync = true;
        m_cloudSettings.scan.cloudSync.windowDays = windowDays;
        m_cloudSettings.scan.cloudSync.servicePrincipalIds = parser.values(m_syncServicePrincipal);
    }
    if (parser.isSet(m_asOf)) {
        const auto ms = parseCloudTimestamp(parser.value(m_asOf).toUtf8());
        if (!ms) {
            err << prefix << "--as-of '" << parser.value(m_asOf)
                << "' is not an ISO 8601 time such as 2026-11-24T09:00:00Z.\n";
            return CliUsage;
        }
        m_asOfMsecs = *ms;
    }
    return std::nullopt;
}

std::optional<int> ScanInputOptions::load(const QCommandLineParser& parser, const LoadProgress& progress,
                                          QTextStream& err, ScanInputs& inputs) const
{
    ScanInputRequest request;
    request.adFile = parser.value(m_ad);
    if (m_adIsLive)
        request.liveAd = m_liveSettings;
    request.exoFile = parser.value(m_exo);
    request.graphFile = parser.value(m_graph);
    if (m_cloudIsLive)
        request.liveCloud = m_cloudSettings;
    request.syncFiles = {parser.value(m_syncJobs), parser.value(m_syncSchema), parser.value(m_provisioningLog)};
    request.asOfMsecs = m_asOfMsecs;
    TerminalTicker ticker(err);
    ScanInputProgress observers{progress, ticker.adEntries(), ticker.cloudProgress(), ticker.report()};
    Expected<ScanInputs, QString> loaded = waitAtCliEdge(loadScanInputs(request, observers));
    ticker.end();
    const QString prefix = u"sunset-cli "_s + m_command + u": "_s;
    if (!loaded) {
        err << prefix << loaded.error() << '\n';
        return CliBadInput;
    }
    inputs = std::move(loaded.value());
    for (const QString& id : inputs.unattachedSchemas)
        err << prefix << "warning: schema '" << id << "' in " << parser.value(m_syncSchema)
            << " belongs to no writeback job in " << parser.value(m_syncJobs) << "; it was left out.\n";
    return std::nullopt;
}

} // namespace sunset
