// SPDX-License-Identifier: Apache-2.0
#include "BreakGlass.h"

#include "CloudSyncState.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString changeKey(const QString& dn, AttributeId attribute)
{
    return dn.toCaseFolded() + u'\n' + QString::number(int(attribute));
}

QString attributeName(AttributeId attribute)
{
    return QString(AttributeCatalog::spec(attribute).ldapName);
}

// Per domain while the changes are walked.
struct DomainFacts {
    QString jobId;
    QStringList unhealthy;     // the job's state, once
    QStringList unmapped;      // attributes the job has no mapping for
    QStringList notWrittenBack;
    bool noJob = false;
    bool notRead = false;
};

QString cannotWhy(const DomainFacts& d)
{
    QStringList parts;
    const QString job = d.jobId.isEmpty() ? u"the writeback job"_s : u"job "_s + d.jobId;
    if (d.noJob)
        parts << u"no Cloud Sync writeback job writes back this domain"_s;
    for (const QString& state : d.unhealthy)
        parts << job + u' ' + state;
    if (!d.unmapped.isEmpty())
        parts << job + u" has no attribute mapping for "_s + d.unmapped.join(u", "_s) +
                     u" (Restore default mappings adds it, and restarts the job)"_s;
    if (!d.notWrittenBack.isEmpty())
        parts << u"Cloud Sync does not write back "_s + d.notWrittenBack.join(u", "_s) + u" at all"_s;
    return parts.join(u"; "_s);
}

} // namespace

QLatin1StringView cloudSyncAbilityKey(CloudSyncAbility ability)
{
    switch (ability) {
    case CloudSyncAbility::Cannot: return "cannot"_L1;
    case CloudSyncAbility::Can: return "can"_L1;
    case CloudSyncAbility::NotRead: return "notRead"_L1;
    }
    return "notRead"_L1;
}

QString breakGlassHeadline()
{
    // "Unsupported": Microsoft's decommissioning guide names the recipient cmdlets, not ADSI Edit or third-party
    // tools, as the supported editors of Exchange attributes (documented, ../shared/reference/decommission.md);
    // for cloud-managed mailboxes Cloud Sync's writeback owns these attributes, so a direct write bypasses it
    // (issue 14's reading of the guide; Microsoft does not name a direct LDAP write for them: assumed).
    return u"Break-glass: direct write to AD, unsupported by Microsoft for these attributes; use Ask Cloud Sync to "
           "write it back first. Approving it takes a reason, kept in the history."_s;
}

std::vector<WritebackFact> writebackFacts(std::span<const WritebackSelection> selections, const CloudSyncState& sync)
{
    std::vector<WritebackFact> out;
    out.reserve(selections.size());
    for (const WritebackSelection& s : selections) {
        // As the recorded evidence has it (DriftReportWriter): a job, or "no job for the domain", when read.
        const bool noJob = sync.jobsRead && s.item.evidence.noJobForDomain;
        WritebackFact f{s.dn, s.item.attribute, s.item.cause, noJob, noJob, {}, {}};
        if (const qint32 index = s.item.evidence.job; index >= 0 && size_t(index) < sync.jobs.size()) {
            const WritebackJob& job = sync.jobs[size_t(index)];
            f.jobId = job.id;
            f.jobUnhealthy = job.unhealthyReason();
            // A job saved without its status (an answer read with $select) says nothing about its health.
            f.jobStateRead = !job.statusCodeText.isEmpty();
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<WritebackFact> writebackFacts(const std::vector<RecordedDrift>& drift)
{
    std::vector<WritebackFact> out;
    out.reserve(drift.size());
    for (const RecordedDrift& d : drift) {
        WritebackFact f{d.selection.dn, d.selection.item.attribute, d.selection.item.cause, false, false, {}, {}};
        // The evidence's job object (DriftReportWriter's writeEvidence): present when the jobs were read.
        const QJsonObject job = d.evidence.value(u"job"_s).toObject();
        if (!job.isEmpty()) {
            f.noJob = job.value(u"status"_s).toString() == u"noWritebackJob"_s;
            f.jobId = job.value(u"id"_s).toString();
            f.jobUnhealthy = job.value(u"unhealthy"_s).toString();
            f.jobStateRead = f.noJob || !job.value(u"status"_s).toString().isEmpty();
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<BatchChangeKey> batchChangeKeys(const WritebackBatch& batch)
{
    std::vector<BatchChangeKey> out;
    for (const BatchObjectChange& object : batch.objects())
        for (const BatchAttributeChange& change : object.changes)
            out.push_back({object.dn, change.attribute});
    return out;
}

std::vector<BatchChangeKey> batchChangeKeys(const std::vector<StoredChange>& changes)
{
    std::vector<BatchChangeKey> out;
    out.reserve(changes.size());
    for (const StoredChange& c : changes)
        out.push_back({c.dn, c.attribute});
    return out;
}

BreakGlassAssessment assessBreakGlass(std::span<const BatchChangeKey> changes, std::span<const WritebackFact> facts,
                                      const QString& notReadWhy)
{
    QHash<QString, const WritebackFact*> byChange;
    for (const WritebackFact& f : facts)
        byChange.insert(changeKey(f.dn, f.attribute), &f);
    QStringList order;
    std::map<QString, DomainFacts> domains;
    for (const BatchChangeKey& change : changes) {
        QString domain = domainOfDn(change.dn);
        if (domain.isEmpty())
            domain = u"(no domain)"_s;
        if (!domains.count(domain))
            order << domain;
        DomainFacts& d = domains[domain];
        const WritebackFact* f = byChange.value(changeKey(change.dn, change.attribute));
        const QString name = attributeName(change.attribute);
        if (f && (f->cause == DriftCause::NotWrittenBack || !AttributeCatalog::spec(change.attribute).writtenBackByCloudSync)) {
            if (!d.notWrittenBack.contains(name))
                d.notWrittenBack << name;
            continue;
        }
        if (!f || !f->jobStateRead) {
            d.notRead = true;
            continue;
        }
        if (f->noJob) {
            d.noJob = true;
            continue;
        }
        if (d.jobId.isEmpty())
            d.jobId = f->jobId;
        if (!f->jobUnhealthy.isEmpty() && !d.unhealthy.contains(f->jobUnhealthy))
            d.unhealthy << f->jobUnhealthy;
        if (f->cause == DriftCause::NotMapped && !d.unmapped.contains(name))
            d.unmapped << name;
    }
    BreakGlassAssessment out;
    for (const QString& domain : order) {
        const DomainFacts& d = domains[domain];
        DomainCloudSync result;
        result.domain = domain;
        result.jobId = d.jobId;
        const QString why = cannotWhy(d);
        if (!why.isEmpty()) {
            result.ability = CloudSyncAbility::Cannot;
            result.why = why;
            result.label = u"%1: Cloud Sync cannot write this back now (%2) \u2014 this direct write is the "
                           "break-glass path."_s.arg(domain, why);
        } else if (d.notRead) {
            result.ability = CloudSyncAbility::NotRead;
            result.why = notReadWhy;
            result.label = u"%1: Cloud Sync's job state was not read (%2), so whether Cloud Sync could write this "
                           "back is unknown \u2014 this direct write is the break-glass path; read Cloud Sync (a "
                           "live scan with Synchronization.Read.All, or --sync-jobs) to know."_s.arg(domain, notReadWhy);
        } else {
            result.ability = CloudSyncAbility::Can;
            result.label = u"%1: Cloud Sync's job %2 is healthy and maps these attributes: the supported way is Ask "
                           "Cloud Sync (Cloud Sync \u203A Ask Cloud Sync\u2026, or sunset-cli provision-on-demand); "
                           "a direct write is break-glass anyway."_s.arg(domain, d.jobId);
        }
        out.domains.push_back(std::move(result));
    }
    return out;
}

QStringList BreakGlassAssessment::labels() const
{
    QStringList out;
    for (const DomainCloudSync& d : domains)
        out << d.label;
    return out;
}

QByteArray BreakGlassAssessment::cloudSyncJson() const
{
    QJsonArray array;
    for (const DomainCloudSync& d : domains)
        array.append(QJsonObject{{u"domain"_s, d.domain},
                                 {u"cloudSync"_s, QString(cloudSyncAbilityKey(d.ability))},
                                 {u"job"_s, d.jobId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(d.jobId)},
                                 {u"why"_s, d.why},
                                 {u"label"_s, d.label}});
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

HistoryResult<BreakGlassAssessment> assessStoredBatch(const HistoryStore& store, const StoredBatch& batch,
                                                      const std::vector<StoredChange>& changes)
{
    const std::vector<BatchChangeKey> keys = batchChangeKeys(changes);
    if (batch.scanId <= 0)
        return assessBreakGlass(keys, {}, u"the batch names no recorded scan"_s);
    const auto scan = store.scan(batch.scanId);
    if (!scan)
        return scan.error();
    const auto drift = recordedDrift(scan->record.driftJson);
    if (!drift)
        return drift.error();
    const std::vector<WritebackFact> facts = writebackFacts(drift.value());
    return assessBreakGlass(keys, facts, u"scan %1 read no Cloud Sync jobs"_s.arg(batch.scanId));
}

QStringList cloudSyncLabels(const QByteArray& json)
{
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).array())
        out << v.toObject().value(u"label"_s).toString();
    return out;
}

} // namespace sunset
