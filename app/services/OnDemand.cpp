// SPDX-License-Identifier: Apache-2.0
#include "OnDemand.h"

#include "CloudSource.h"

#include "platform/ClientFuture.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
    const auto searched = connection.search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        found = true;
        for (const LdifAttribute& a : entry.attributes)
            values[a.name.toByteArray().toLower()] << QString::fromUtf8(a.value);
        return {};
    });
    if (!searched || !found) {
        record.verified = u"unread"_s;
        record.verifyDetail = !searched ? searched.error().toString() : u"the object is no longer there"_s;
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

HistoryResult<qint64> beginOnDemandRun(HistoryStore& store, const OnDemandPlan& plan,
                                       const OnDemandRunSettings& settings)
{
    return OnDemandStore(store).begin(plan.scanId, settings.job.servicePrincipalId, settings.job.jobId,
                                      settings.job.ruleId, plan.subjects);
}

OnDemandAnswers unanswered(const OnDemandPlan& plan)
{
    OnDemandAnswers answers;
    for (const OnDemandSubject& s : plan.subjects)
        answers.objects.push_back({s, {}, {}, {}, {}, "[]", {}, {}});
    return answers;
}

QString onDemandCancelled()
{
    return u"cancelled"_s;
}

QFuture<QString> askCloudSync(const OnDemandPlan& plan, const OnDemandRunSettings& settings,
                              std::shared_ptr<OnDemandAnswers> answers, std::function<void(const QString&)> progress,
                              QObject* owner)
{
    auto client = signedInClient(settings.cloud, [](TokenProvider* tokens, const CloudConnection& connection) {
        auto onDemand = std::make_unique<ProvisionOnDemandClient>(connection.graphEndpoint, tokens);
        onDemand->setResource(connection.graphResource);
        return onDemand;
    });
    client->setRetryPolicy(settings.cloud.retryPolicy);
    answers->ruleId = settings.job.ruleId;
    ProvisionOnDemandClient* asking = client.get();
    QObject::connect(asking, &ProvisionOnDemandClient::objectDone, asking,
                     [asking, answers, progress](int index, const OnDemandObjectResult& result) {
                         OnDemandObjectRecord& record = answers->objects[size_t(index)];
                         takeAnswer(result, record);
                         answers->ruleId = asking->job().ruleId;
                         if (progress)
                             progress(u"%1: Cloud Sync answered %2"_s.arg(record.subject.label, record.result));
                     });
    QStringList ids;
    for (const OnDemandSubject& s : plan.subjects)
        ids << s.entraObjectId;
    return clientFuture(
        std::move(client), [job = settings.job, ids](ProvisionOnDemandClient& c) { c.start(job, ids); },
        [answers](ProvisionOnDemandClient& c, bool) {
            answers->ruleId = c.job().ruleId;
            return c.error() ? c.error()->toString() : QString();
        },
        owner);
}

HistoryResult<OnDemandRunRecord> finishOnDemandRun(HistoryStore& store, qint64 runId, OnDemandAnswers answers,
                                                   LdapConnection* ad)
{
    // AD's re-read: only objects Cloud Sync answered for; the others were never touched.
    if (ad) {
        for (OnDemandObjectRecord& o : answers.objects)
            if (!o.result.isEmpty())
                verifyInAd(*ad, o);
    }
    OnDemandStore records(store);
    if (auto finished =
            records.finish(runId, answers.ruleId, answers.objects, !answers.stopped.isEmpty(), answers.stopped);
        !finished)
        return finished.error();
    return records.run(runId);
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

} // namespace sunset
