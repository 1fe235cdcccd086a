// SPDX-License-Identifier: Apache-2.0
#include "OnDemandCommands.h"

#include "AdSourceOptions.h"
#include "CliCommands.h"
#include "CliEdge.h"
#include "CloudSourceOptions.h"
#include "OnDemand.h"
#include "TerminalReport.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSslConfiguration>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

int runProvisionOnDemandCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    const QString name = u"provision-on-demand"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Asks Entra Cloud Sync to write the cloud's values back to AD now (Graph provisionOnDemand on the "
        "domain's writeback job), the supported fix for drift on the attributes Cloud Sync writes back for "
        "cloud-managed mailboxes, instead of a direct LDAP write. Takes the drift of a recorded scan (as 'batch "
        "plan' does), one request per mailbox within the API's limit of 5 requests per 10 s, records the run in the "
        "history, then re-reads the mailboxes from AD (--ad) and reports whether the drift is gone. Needs the Graph "
        "application permission Synchronization.ReadWrite.All. Exit code 0 when every mailbox was written back "
        "(and, with --ad, AD shows the drift gone); 1 when any was skipped, failed or still drifts, or the run "
        "could not start; 2 on wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db(
        u"db"_s, u"History database (default: %1)."_s.arg(QDir::toNativeSeparators(HistoryStore::defaultPath())),
        u"FILE"_s);
    const QCommandLineOption scan(u"scan"_s, u"The recorded scan whose drift to fix (default: the newest)."_s,
                                  u"N"_s);
    const QCommandLineOption mailbox(u"mailbox"_s, u"Only this mailbox (UPN or AD distinguished name; repeat)."_s,
                                     u"UPN"_s);
    const QCommandLineOption attribute(u"attribute"_s, u"Only drift of this attribute (LDAP name; repeat)."_s,
                                       u"A"_s);
    const QCommandLineOption sp(u"service-principal"_s,
                                u"The object id of the Cloud Sync service principal that owns the writeback job "
                                "(default: found live, with --job, from the mailboxes' AD domain; needs "
                                "Synchronization.Read.All)."_s,
                                u"ID"_s);
    const QCommandLineOption job(u"job"_s,
                                 u"The writeback job's id (Entra2ADExchangeOnlineAttributeWriteback.…) of the "
                                 "mailboxes' AD domain (default: found live, see --service-principal)."_s,
                                 u"ID"_s);
    const QCommandLineOption rule(u"rule-id"_s,
                                  u"The job's synchronization rule (default: read from the job's schema)."_s, u"ID"_s);
    const QCommandLineOption dryRun(u"dry-run"_s, u"List the mailboxes and attributes that would be asked for."_s);
    const QCommandLineOption ad(u"ad"_s, u"Re-read the mailboxes afterwards from this DC: ldaps://dc01.contoso.com."_s,
                                u"URI"_s);
    parser.addOptions({db, scan, mailbox, attribute, sp, job, rule, dryRun, ad});
    const CloudSourceOptions cloudOptions;
    parser.addOptions(cloudOptions.options());
    const AdSourceOptions adOptions;
    parser.addOptions(adOptions.options());
    if (const auto refused = AdSourceOptions::refusePasswordArgument(args)) {
        err << "sunset-cli " << name << ": " << *refused << '\n';
        return CliUsage;
    }
    if (!parser.parse(QStringList{u"sunset-cli "_s + name} + args)) {
        err << "sunset-cli " << name << ": " << parser.errorText() << "\n\n" << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    PlanFilter filter;
    for (const QString& a : parser.values(attribute)) {
        const auto id = AttributeCatalog::byLdapName(a);
        if (!id) {
            err << "sunset-cli " << name << ": --attribute '" << a << "' is not a catalog attribute.\n";
            return CliUsage;
        }
        filter.attributes.push_back(*id);
    }
    filter.mailboxes = parser.values(mailbox);
    qint64 scanId = 0;
    if (parser.isSet(scan)) {
        bool ok = false;
        scanId = parser.value(scan).toLongLong(&ok);
        if (!ok || scanId <= 0) {
            err << "sunset-cli " << name << ": --scan '" << parser.value(scan) << "' is not a scan number.\n";
            return CliUsage;
        }
    }
    const bool dry = parser.isSet(dryRun);
    if (!dry && !cloudOptions.isSet(parser)) {
        err << "sunset-cli " << name << ": the cloud sign-in (--tenant, --client-id, …) is required (or --dry-run).\n\n"
            << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(sp) != parser.isSet(job)) {
        err << "sunset-cli " << name << ": give --service-principal and --job together, or neither (then the "
            << "mailboxes' writeback job is found live).\n";
        return CliUsage;
    }
    if (parser.isSet(ad) && !AdSourceOptions::isLdapUri(parser.value(ad))) {
        err << "sunset-cli " << name << ": --ad must be ldaps://… or ldap://… (the DC to re-read).\n";
        return CliUsage;
    }
    AdLiveScanSettings adSettings;
    if (parser.isSet(ad)) {
        if (const auto read = adOptions.read(parser, parser.value(ad), err, adSettings); !read) {
            err << "sunset-cli " << name << ": " << read.error().message << '\n';
            return read.error().exitCode;
        }
    }
    CloudSettings cloud;
    if (!dry) {
        if (const auto read = cloudOptions.read(parser, err, cloud); !read) {
            err << "sunset-cli " << name << ": " << read.error().message << '\n';
            return read.error().exitCode;
        }
    }
    const QString path = parser.isSet(db) ? parser.value(db) : HistoryStore::defaultPath();
    auto opened = HistoryStore::open(path, HistoryActor::current(adSettings.dc.kerberos ? u"kerberos"_s
                                                                                    : adSettings.dc.bindName));
    if (!opened) {
        err << "sunset-cli " << name << ": " << opened.error().message << '\n';
        return CliBadInput;
    }
    HistoryStore& store = *opened.value();
    const auto plan = planOnDemand(store, scanId, filter);
    if (!plan) {
        err << "sunset-cli " << name << ": " << plan.error().message << '\n';
        return CliBadInput;
    }
    for (const QString& why : plan->leftOut)
        err << "left out: " << why << '\n';
    if (plan->subjects.empty()) {
        err << "sunset-cli " << name << ": scan " << plan->scanId
            << " has no drift Cloud Sync can write back for the mailboxes and attributes given. Nothing was asked.\n";
        return CliBadInput;
    }
    out << "Scan " << plan->scanId << ": " << plan->subjects.size() << " mailbox(es) to ask Cloud Sync for:\n";
    for (const OnDemandSubject& s : plan->subjects) {
        QStringList attributes;
        for (const DriftItem& item : s.items)
            attributes << QString(AttributeCatalog::spec(item.attribute).ldapName);
        out << "  " << s.label << " (User_" << s.entraObjectId << "): " << attributes.join(u", "_s) << '\n';
    }
    if (dry)
        return CliOk;

    LiveAd connected;
    if (parser.isSet(ad)) {
        if (const auto ready = connectLiveAd(adSettings, TerminalTicker(err).report(), connected); !ready) {
            err << "sunset-cli " << name << ": " << ready.error() << '\n';
            return CliBadInput;
        }
    }
    if (!cloud.extraCaCertificates.isEmpty()) {
        // As for diff: one tenant per process, so the extra trust anchors go into the default configuration.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(cloud.extraCaCertificates);
        QSslConfiguration::setDefaultConfiguration(tls);
    }
    OnDemandJob target{parser.value(sp), parser.value(job), parser.value(rule)};
    if (target.jobId.isEmpty()) {
        // The job of the mailboxes' AD domain, from Cloud Sync itself (its jobs and schemas; no provisioning log).
        err << "Finding the writeback job of the mailboxes' AD domain in Cloud Sync …\n" << Qt::flush;
        const auto state = waitAtCliEdge(readCloudSyncJobsLive(cloud));
        if (!state) {
            err << "sunset-cli " << name << ": " << state.error().toString() << '\n';
            return CliBadInput;
        }
        const auto found = onDemandJobFor(*state.value(), plan.value());
        if (!found) {
            err << "sunset-cli " << name << ": " << found.error()
                << "; or name it with --service-principal ID --job ID.\n";
            return CliBadInput;
        }
        target.servicePrincipalId = found->servicePrincipalId;
        target.jobId = found->jobId;
        err << "Writeback job " << target.jobId << " (service principal " << target.servicePrincipalId << ").\n";
    }
    OnDemandRunSettings settings{cloud.scan, target};
    const auto runId = beginOnDemandRun(store, plan.value(), settings);
    if (!runId) {
        err << "sunset-cli " << name << ": " << runId.error().message << '\n';
        return CliBadInput;
    }
    auto answers = std::make_shared<OnDemandAnswers>(unanswered(plan.value()));
    answers->stopped = waitAtCliEdge(askCloudSync(plan.value(), settings, answers,
                                                  [&err](const QString& line) { err << line << '\n' << Qt::flush; }));
    const auto run = finishOnDemandRun(store, runId.value(), *answers, connected.connection.get());
    if (!run) {
        err << "sunset-cli " << name << ": " << run.error().message << '\n';
        return CliBadInput;
    }
    out << "On-demand run " << run->id << " (recorded in the history):\n";
    bool allGood = run->state == "finished"_L1;
    for (const OnDemandObjectRecord& o : run->objects) {
        out << "  " << o.subject.label << ": " << describeOnDemandObject(o) << '\n';
        const bool written = o.result == "success"_L1 || (o.result == "skipped"_L1 && o.skipReason == "RedundantExport"_L1);
        if (!written || (parser.isSet(ad) && o.verified != "fixed"_L1))
            allGood = false;
    }
    if (run->state != "finished"_L1)
        err << "sunset-cli " << name << ": the run stopped: " << run->message << '\n';
    return allGood ? CliOk : CliBadInput;
}


} // namespace sunset
