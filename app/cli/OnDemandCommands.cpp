// SPDX-License-Identifier: Apache-2.0
#include "OnDemandCommands.h"

#include "AdSource.h"
#include "CliCommands.h"
#include "CloudSource.h"
#include "TokenProvider.h"

#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QTimer>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString attributeName(AttributeId id)
{
    return QString(AttributeCatalog::spec(id).ldapName);
}

QStringList sorted(QStringList values)
{
    values.sort(Qt::CaseSensitive);
    return values;
}

QString valuesText(const QStringList& values)
{
    return values.isEmpty() ? u"(none)"_s : u"\""_s + values.join(u"\", \""_s) + u'"';
}

QByteArray modifiedJson(const OnDemandAnswer& answer)
{
    QJsonArray out;
    for (const OnDemandModifiedProperty& p : answer.modifiedProperties)
        out.append(QJsonObject{{u"name"_s, p.name}, {u"old"_s, p.oldValue}, {u"new"_s, p.newValue}});
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

void takeAnswer(const OnDemandObjectResult& result, OnDemandObjectRecord& record)
{
    record.result = QString(onDemandOutcomeName(result.outcome()));
    if (!result.answer) {
        record.message = result.requestError;
        return;
    }
    const OnDemandAnswer& a = *result.answer;
    record.skipReason = a.skipReason;
    record.errorCode = a.errorCode;
    record.message = a.message;
    if (!a.recommendedAction.isEmpty())
        record.message += (record.message.isEmpty() ? QString() : u" "_s) + u"Recommended: "_s + a.recommendedAction;
    record.modifiedJson = modifiedJson(a);
}

} // namespace

OnDemandPlan planOnDemand(const std::vector<WritebackSelection>& selections, qint64 scanId)
{
    OnDemandPlan plan;
    plan.scanId = scanId;
    QHash<QString, qsizetype> byDn;
    for (const WritebackSelection& s : selections) {
        const DriftItem& item = s.item;
        const QString what = s.label + u' ' + attributeName(item.attribute) + u": "_s;
        if (!AttributeCatalog::spec(item.attribute).writtenBackByCloudSync) {
            plan.leftOut << what + u"Cloud Sync does not write this attribute back; only a direct LDAP write fixes it"_s;
            continue;
        }
        if (s.cloudManaged.compare("true"_L1, Qt::CaseInsensitive) != 0) {
            plan.leftOut << what + u"the mailbox is not cloud-managed (IsExchangeCloudManaged), so Cloud Sync does "
                                   "not write it back"_s;
            continue;
        }
        if (s.entraObjectId.isEmpty()) {
            plan.leftOut << what + u"the scan recorded no Entra object id (ExternalDirectoryObjectId) for it; scan "
                                   "again with Exchange Online read"_s;
            continue;
        }
        const QString key = s.dn.toCaseFolded();
        auto it = byDn.constFind(key);
        if (it == byDn.constEnd()) {
            it = byDn.insert(key, qsizetype(plan.subjects.size()));
            plan.subjects.push_back({s.dn, s.entraObjectId.toLower(), s.label, {}});
        }
        plan.subjects[size_t(*it)].items.push_back(item);
    }
    return plan;
}

HistoryResult<OnDemandPlan> planOnDemand(const HistoryStore& store, qint64 scanId, const PlanFilter& filter)
{
    const auto plan = planFromScan(store, scanId, filter);
    if (!plan)
        return plan.error();
    OnDemandPlan out = planOnDemand(plan->selections, plan->scanId);
    for (const QString& mailbox : plan->unknownMailboxes)
        out.leftOut << mailbox + u": no writable drift in scan "_s + QString::number(plan->scanId);
    return out;
}

Expected<OnDemandJob, QString> onDemandJobFor(const CloudSyncState& state, const OnDemandPlan& plan)
{
    if (!state.jobsRead)
        return u"Cloud Sync's writeback jobs were not read (%1): scan with Exchange Online and Cloud Sync read live "
               "(Graph permission Synchronization.Read.All) to know which job to ask"_s.arg(
                   state.jobsMissingReason.isEmpty() ? u"no source"_s : state.jobsMissingReason);
    qint32 chosen = -1;
    for (const OnDemandSubject& s : plan.subjects) {
        const QString domain = domainOfDn(s.dn);
        const qint32 index = state.jobIndexForDomain(domain);
        if (index < 0)
            return u"no writeback job (Entra2ADExchangeOnlineAttributeWriteback) serves %1's domain %2"_s.arg(
                s.label, domain.isEmpty() ? u"(unknown)"_s : domain);
        if (chosen >= 0 && index != chosen)
            return u"the mailboxes belong to more than one AD domain, each with its own writeback job: tick the "
                   "mailboxes of one domain at a time"_s;
        chosen = index;
    }
    if (chosen < 0)
        return u"no mailbox to ask for"_s;
    const WritebackJob& job = state.jobs[size_t(chosen)];
    if (job.servicePrincipalId.isEmpty())
        return u"the writeback job %1 was read from a file, which does not name its service principal: scan with "
               "Cloud Sync read live to ask it"_s.arg(job.id);
    return OnDemandJob{job.servicePrincipalId, job.id, {}};
}

void verifyInAd(LdapConnection& connection, OnDemandObjectRecord& record)
{
    LdapSearchRequest request;
    request.baseDn = record.subject.dn.toUtf8(); // the DN as read (RFC 4514 string form): no filter holds user data
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    for (const DriftItem& item : record.subject.items)
        request.attributes << AttributeCatalog::spec(item.attribute).ldapName.toString().toUtf8();
    QHash<QByteArray, QStringList> values;
    bool found = false;
    const auto failure = connection.search(request, [&](const LdifEntry& entry) -> std::optional<LdapError> {
        found = true;
        for (const LdifAttribute& a : entry.attributes)
            values[a.name.toByteArray().toLower()] << QString::fromUtf8(a.value);
        return std::nullopt;
    });
    if (failure || !found) {
        record.verified = u"unread"_s;
        record.verifyDetail = failure ? failure->toString() : u"the object is no longer there"_s;
        return;
    }
    QStringList still;
    for (const DriftItem& item : record.subject.items) {
        const QStringList now = values.value(AttributeCatalog::spec(item.attribute).ldapName.toString().toUtf8().toLower());
        if (sorted(now) != sorted(item.adTarget))
            still << u"%1 holds %2, the cloud %3"_s.arg(attributeName(item.attribute), valuesText(now),
                                                        valuesText(item.adTarget));
    }
    record.verified = still.isEmpty() ? u"fixed"_s : u"drift"_s;
    record.verifyDetail = still.join(u"; "_s);
}

HistoryResult<OnDemandRunRecord> runOnDemand(HistoryStore& store, const OnDemandPlan& plan,
                                             const OnDemandRunSettings& settings, LdapConnection* ad,
                                             const std::function<void(const QString&)>& progress,
                                             const std::atomic_bool* cancel)
{
    OnDemandStore records(store);
    const auto runId = records.begin(plan.scanId, settings.job.servicePrincipalId, settings.job.jobId,
                                     settings.job.ruleId, plan.subjects);
    if (!runId)
        return runId.error();

    TokenProvider tokens(settings.cloud.authority, settings.cloud.credentials);
    tokens.setTransferLimits(settings.cloud.tokenLimits);
    ProvisionOnDemandClient client(settings.cloud.graphEndpoint, &tokens);
    if (!settings.cloud.graphResource.isEmpty())
        client.setResource(settings.cloud.graphResource);
    client.setRetryPolicy(settings.cloud.retryPolicy);
    std::vector<OnDemandObjectRecord> objects;
    for (const OnDemandSubject& s : plan.subjects)
        objects.push_back({s, {}, {}, {}, {}, "[]", {}, {}});
    QEventLoop loop;
    QObject::connect(&client, &ProvisionOnDemandClient::objectDone, &loop,
                     [&](int index, const OnDemandObjectResult& result) {
                         takeAnswer(result, objects[size_t(index)]);
                         if (progress)
                             progress(u"%1: Cloud Sync answered %2"_s.arg(objects[size_t(index)].subject.label,
                                                                           objects[size_t(index)].result));
                     });
    QObject::connect(&client, &ProvisionOnDemandClient::finished, &loop, &QEventLoop::quit);
    QTimer cancelPoll;
    if (cancel) {
        QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
            if (cancel->load())
                client.cancel();
        });
        cancelPoll.start(100);
    }
    QStringList ids;
    for (const OnDemandSubject& s : plan.subjects)
        ids << s.entraObjectId;
    client.start(settings.job, ids);
    loop.exec();
    cancelPoll.stop();

    // AD's re-read: only objects Cloud Sync answered for; the others were never touched.
    if (ad) {
        for (OnDemandObjectRecord& o : objects)
            if (!o.result.isEmpty())
                verifyInAd(*ad, o);
    }
    const QString stopped = client.error() ? client.error()->toString() : QString();
    if (auto error = records.finish(runId.value(), client.job().ruleId, objects, client.error().has_value(), stopped))
        return *error;
    return records.run(runId.value());
}

QString describeOnDemandObject(const OnDemandObjectRecord& o)
{
    QStringList parts;
    if (o.result.isEmpty()) {
        parts << u"not asked (the run stopped first)"_s;
    } else if (o.result == "success"_L1) {
        QStringList wrote;
        for (const QJsonValue& v : QJsonDocument::fromJson(o.modifiedJson).array()) {
            const QJsonObject p = v.toObject();
            wrote << u"%1 (\"%2\" → \"%3\")"_s.arg(p.value("name"_L1).toString(), p.value("old"_L1).toString(),
                                                  p.value("new"_L1).toString());
        }
        parts << (wrote.isEmpty() ? u"Cloud Sync succeeded (it reported no property changed)"_s
                                  : u"Cloud Sync wrote "_s + wrote.join(u", "_s));
    } else if (o.result == "skipped"_L1) {
        parts << u"Cloud Sync skipped it (%1)"_s.arg(o.skipReason.isEmpty() ? u"no reason given"_s : o.skipReason) +
                     (o.message.isEmpty() ? QString() : u": "_s + o.message);
    } else {
        parts << u"Cloud Sync failed"_s + (o.errorCode.isEmpty() ? QString() : u" (%1)"_s.arg(o.errorCode)) +
                     (o.message.isEmpty() ? QString() : u": "_s + o.message);
    }
    if (o.verified == "fixed"_L1)
        parts << u"AD re-read: the drift is gone"_s;
    else if (o.verified == "drift"_L1)
        parts << u"AD re-read: still drifting: "_s + o.verifyDetail;
    else if (o.verified == "unread"_L1)
        parts << u"AD re-read failed: "_s + o.verifyDetail;
    return parts.join(u"; "_s);
}

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
    LiveAdSettings adSettings;
    if (parser.isSet(ad)) {
        if (const auto failure = adOptions.read(parser, parser.value(ad), err, adSettings)) {
            err << "sunset-cli " << name << ": " << failure->message << '\n';
            return failure->exitCode;
        }
    }
    CloudSettings cloud;
    if (!dry) {
        if (const auto failure = cloudOptions.read(parser, err, cloud)) {
            err << "sunset-cli " << name << ": " << failure->message << '\n';
            return failure->exitCode;
        }
    }
    const QString path = parser.isSet(db) ? parser.value(db) : HistoryStore::defaultPath();
    auto opened = HistoryStore::open(path, HistoryActor::current(adSettings.kerberos ? u"kerberos"_s
                                                                                    : adSettings.bindName));
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
            attributes << attributeName(item.attribute);
        out << "  " << s.label << " (User_" << s.entraObjectId << "): " << attributes.join(u", "_s) << '\n';
    }
    if (dry)
        return CliOk;

    LiveAd connected;
    if (parser.isSet(ad)) {
        if (const auto failure = connectLiveAd(adSettings, err, connected)) {
            err << "sunset-cli " << name << ": " << failure->message << '\n';
            return failure->exitCode;
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
        const auto state = readCloudSyncJobsLive(cloud);
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
    const auto run = runOnDemand(store, plan.value(), settings, connected.connection.get(),
                                 [&err](const QString& line) { err << line << '\n' << Qt::flush; });
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
