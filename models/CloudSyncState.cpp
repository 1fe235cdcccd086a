// SPDX-License-Identifier: Apache-2.0
#include "CloudSyncState.h"

#include <QDateTime>

#include <algorithm>
#include <array>
#include <tuple>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array<QLatin1StringView, 6> kJobCodes{"NotConfigured"_L1, "NotRun"_L1, "Active"_L1, "Paused"_L1,
                                                    "Quarantine"_L1, "Unknown"_L1};
constexpr std::array<QLatin1StringView, 5> kProvisioningStatuses{"success"_L1, "warning"_L1, "failure"_L1,
                                                                 "skipped"_L1, "unknown"_L1};

QString utcText(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
}

bool reachedAd(ProvisioningStatus status)
{
    return status == ProvisioningStatus::Success || status == ProvisioningStatus::Warning;
}

// Whether a failed or skipped entry replaces the newest one kept: the later one does; at the same millisecond a
// failure outranks a skip, then the texts decide, so that the order entries are read in never matters.
bool supersedesTrouble(const ProvisioningEntry& candidate, const ProvisioningEntry& kept)
{
    if (candidate.activityMsecs != kept.activityMsecs)
        return candidate.activityMsecs > kept.activityMsecs;
    const bool candidateFailed = candidate.status == ProvisioningStatus::Failure;
    const bool keptFailed = kept.status == ProvisioningStatus::Failure;
    if (candidateFailed != keptFailed)
        return candidateFailed;
    return std::tie(candidate.errorCode, candidate.skipReason, candidate.reason, candidate.recommendedAction,
                    candidate.errorCategory, candidate.jobId) >
           std::tie(kept.errorCode, kept.skipReason, kept.reason, kept.recommendedAction, kept.errorCategory,
                    kept.jobId);
}

// Counts one failed or skipped entry into its object's trouble, making that on the object's first one.
void foldTrouble(ProvisioningLog& log, qint32 objectIndex, const QByteArray& entraObjectId,
                 const ProvisioningEntry& entry)
{
    auto it = log.troubleByObject.constFind(objectIndex);
    if (it == log.troubleByObject.cend()) {
        // Every entry folded so far reached AD or had an unknown status: the newest write-back is the latest
        // entry when that reached AD, else the newest attribute write recorded.
        const ObjectProvisioning& object = log.objects[size_t(objectIndex)];
        ProvisioningTrouble trouble{entraObjectId, objectIndex, 0, 0, entry.activityMsecs, entry, 0};
        if (reachedAd(object.latest.status))
            trouble.lastWrittenBackMsecs = object.latest.activityMsecs;
        for (const AttributeWrite& w : object.writes)
            trouble.lastWrittenBackMsecs = std::max(trouble.lastWrittenBackMsecs, w.activityMsecs);
        it = log.troubleByObject.insert(objectIndex, qint32(log.troubles.size()));
        log.troubles.push_back(std::move(trouble));
    }
    ProvisioningTrouble& trouble = log.troubles[size_t(*it)];
    (entry.status == ProvisioningStatus::Failure ? trouble.failedEntries : trouble.skippedEntries) += 1;
    trouble.firstMsecs = std::min(trouble.firstMsecs, entry.activityMsecs);
    if (supersedesTrouble(entry, trouble.last))
        trouble.last = entry;
}

} // namespace

QLatin1StringView syncJobCodeName(SyncJobCode code) { return kJobCodes[size_t(code)]; }

SyncJobCode syncJobCodeFromName(QStringView name)
{
    for (size_t i = 0; i + 1 < kJobCodes.size(); ++i)
        if (name.compare(kJobCodes[i], Qt::CaseInsensitive) == 0)
            return SyncJobCode(i);
    return SyncJobCode::Unknown;
}

QLatin1StringView provisioningStatusName(ProvisioningStatus status) { return kProvisioningStatuses[size_t(status)]; }

ProvisioningStatus provisioningStatusFromName(QStringView name)
{
    for (size_t i = 0; i + 1 < kProvisioningStatuses.size(); ++i)
        if (name.compare(kProvisioningStatuses[i], Qt::CaseInsensitive) == 0)
            return ProvisioningStatus(i);
    return ProvisioningStatus::Unknown;
}

qint64 WritebackJob::lastSuccessfulRunMsecs() const
{
    return lastSuccessfulExecution ? lastSuccessfulExecution->whenMsecs() : 0;
}

qint64 WritebackJob::nextRunDueMsecs() const
{
    // A quarantined job runs again at its next attempt [documented: synchronizationQuarantine.nextAttempt]; a
    // paused or disabled one not until someone starts it.
    if (quarantine && quarantine->nextAttemptMsecs > 0)
        return quarantine->nextAttemptMsecs;
    if (code == SyncJobCode::Paused || scheduleState.compare("Paused"_L1, Qt::CaseInsensitive) == 0 ||
        scheduleState.compare("Disabled"_L1, Qt::CaseInsensitive) == 0)
        return 0;
    const qint64 last = lastSuccessfulRunMsecs();
    return last > 0 && scheduleIntervalMsecs > 0 ? last + scheduleIntervalMsecs : 0;
}

std::vector<AttributeId> WritebackJob::unmappedAttributes() const
{
    std::vector<AttributeId> unmapped;
    if (!schemaRead)
        return unmapped;
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (spec.writtenBackByCloudSync && !maps(spec.id))
            unmapped.push_back(spec.id);
    return unmapped;
}

qint64 WritebackJob::objectsInScope() const
{
    if (synchronizedEntryCounts.empty())
        return -1;
    qint64 total = 0;
    for (const EntryCount& c : synchronizedEntryCounts)
        total += c.count;
    return total;
}

QString WritebackJob::unhealthyReason() const
{
    if (code == SyncJobCode::Quarantine || quarantine) {
        QString text = u"quarantined"_s;
        if (quarantine && !quarantine->reason.isEmpty())
            text += u" ("_s + quarantine->reason + u')';
        if (quarantine && quarantine->currentBeganMsecs > 0)
            text += u" since "_s + utcText(quarantine->currentBeganMsecs);
        if (quarantine && quarantine->nextAttemptMsecs > 0)
            text += u", next attempt "_s + utcText(quarantine->nextAttemptMsecs);
        return text;
    }
    if (code == SyncJobCode::Paused || scheduleState.compare("Paused"_L1, Qt::CaseInsensitive) == 0)
        return u"paused"_s;
    if (scheduleState.compare("Disabled"_L1, Qt::CaseInsensitive) == 0)
        return u"disabled"_s;
    if (code == SyncJobCode::NotConfigured)
        return u"not configured"_s;
    // Without a status (an answer saved with $select), "never ran" would be read from an absence: not claimed.
    if (code == SyncJobCode::NotRun || (!statusCodeText.isEmpty() && lastSuccessfulRunMsecs() == 0))
        return u"has never run successfully"_s;
    if (countSuccessiveCompleteFailures > 0) {
        QString text = u"failing: %1 whole runs in a row failed"_s.arg(countSuccessiveCompleteFailures);
        if (lastExecution && !lastExecution->errorCode.isEmpty())
            text += u" ("_s + lastExecution->errorCode + u')';
        return text + u", last success "_s + utcText(lastSuccessfulRunMsecs());
    }
    return {};
}

const AttributeWrite* ObjectProvisioning::lastWriteOf(AttributeId attribute) const
{
    for (const AttributeWrite& w : writes)
        if (w.attribute == attribute)
            return &w;
    return nullptr;
}

const ObjectProvisioning* ProvisioningLog::find(QByteArrayView entraObjectId) const
{
    const auto it = indexById.constFind(entraObjectId.toByteArray());
    return it == indexById.cend() ? nullptr : &objects[size_t(*it)];
}

const ProvisioningTrouble* ProvisioningLog::troubleOf(qint32 objectIndex) const
{
    const auto it = troubleByObject.constFind(objectIndex);
    return it == troubleByObject.cend() ? nullptr : &troubles[size_t(*it)];
}

TroubleStanding ProvisioningLog::standing(const ProvisioningTrouble& trouble) const
{
    const ProvisioningEntry& latest = objects[size_t(trouble.object)].latest;
    if (reachedAd(latest.status))
        return TroubleStanding::Recovered;
    // A latest entry of unknown status says nothing: the trouble then stands as it was last seen.
    const ProvisioningStatus now = latest.status == ProvisioningStatus::Unknown ? trouble.last.status : latest.status;
    return now == ProvisioningStatus::Failure ? TroubleStanding::FailingNow : TroubleStanding::SkippedNow;
}

TroubleCounts ProvisioningLog::troubleCounts() const
{
    TroubleCounts counts;
    for (const ProvisioningTrouble& trouble : troubles) {
        switch (standing(trouble)) {
        case TroubleStanding::FailingNow: ++counts.failingNow; break;
        case TroubleStanding::SkippedNow: ++counts.skippedNow; break;
        case TroubleStanding::Recovered: ++counts.recovered; break;
        }
    }
    return counts;
}

void ProvisioningLog::add(const QByteArray& entraObjectId, ProvisioningEntry entry, std::vector<AttributeWrite> writes)
{
    ++entriesRead;
    if (entry.activityMsecs > 0) {
        oldestMsecs = oldestMsecs == 0 ? entry.activityMsecs : std::min(oldestMsecs, entry.activityMsecs);
        newestMsecs = std::max(newestMsecs, entry.activityMsecs);
    }
    auto it = indexById.constFind(entraObjectId);
    if (it == indexById.cend()) {
        it = indexById.insert(entraObjectId, qint32(objects.size()));
        objects.push_back({});
        objects.back().latest.activityMsecs = -1; // any entry is newer
    }
    const qint32 objectIndex = *it;
    ObjectProvisioning& object = objects[size_t(objectIndex)];
    // Only entries that succeeded (fully or with warnings) wrote their modifiedProperties to AD [assumed: a
    // failed or skipped entry lists what it would have changed].
    if (reachedAd(entry.status)) {
        for (AttributeWrite& w : writes) {
            w.activityMsecs = entry.activityMsecs;
            auto known = std::find_if(object.writes.begin(), object.writes.end(),
                                      [&](const AttributeWrite& k) { return k.attribute == w.attribute; });
            if (known == object.writes.end())
                object.writes.push_back(std::move(w));
            else if (known->activityMsecs <= w.activityMsecs)
                *known = std::move(w);
        }
        if (const auto trouble = troubleByObject.constFind(objectIndex); trouble != troubleByObject.cend()) {
            qint64& written = troubles[size_t(*trouble)].lastWrittenBackMsecs;
            written = std::max(written, entry.activityMsecs);
        }
    } else if (entry.status == ProvisioningStatus::Failure || entry.status == ProvisioningStatus::Skipped) {
        foldTrouble(*this, objectIndex, it.key(), entry); // before the latest moves: it seeds the last write-back
    }
    // Pages come newest first [documented default order: none; observed]; compare times, never trust order.
    if (entry.activityMsecs >= object.latest.activityMsecs)
        object.latest = std::move(entry);
}

qint32 CloudSyncState::jobIndexForDomain(QStringView domain) const
{
    for (size_t i = 0; i < jobs.size(); ++i)
        if (!domain.isEmpty() && jobs[i].domain.compare(domain, Qt::CaseInsensitive) == 0)
            return qint32(i);
    if (jobs.size() == 1 && jobs.front().domain.isEmpty())
        return 0;
    return -1;
}

QStringList CloudSyncState::attachSchemas(const std::vector<WritebackSchema>& schemas)
{
    QStringList unattached;
    for (const WritebackSchema& schema : schemas) {
        WritebackJob* job = nullptr;
        for (WritebackJob& j : jobs)
            if (!schema.id.isEmpty() && j.id.compare(schema.id, Qt::CaseInsensitive) == 0)
                job = &j;
        if (!job && schemas.size() == 1 && jobs.size() == 1)
            job = &jobs.front();
        if (!job) {
            unattached << (schema.id.isEmpty() ? u"(a schema without id)"_s : schema.id);
            continue;
        }
        job->schemaRead = true;
        job->mappedAttributes = schema.mappedAttributes;
    }
    return unattached;
}

QString formatCloudSyncText(const CloudSyncState& state)
{
    QString text = u"Cloud Sync jobs:   "_s;
    if (!state.jobsRead) {
        text += state.jobsMissingReason.isEmpty() ? u"not read (give --sync-jobs)"_s : state.jobsMissingReason;
    } else {
        text += u"%1 writeback job%2 from %3"_s.arg(state.jobs.size()).arg(state.jobs.size() == 1 ? QString() : u"s"_s,
                                                                          state.jobsSource);
        for (const WritebackJob& job : state.jobs) {
            const QString unhealthy = job.unhealthyReason();
            QString line = u"\n  "_s + (job.domain.isEmpty() ? u"(no DomainFQDN)"_s : job.domain).leftJustified(24) +
                           u' ' + (unhealthy.isEmpty() ? job.statusCodeText : unhealthy);
            if (job.lastSuccessfulRunMsecs() > 0)
                line += u", last successful run "_s + utcText(job.lastSuccessfulRunMsecs());
            if (unhealthy.isEmpty() && job.nextRunDueMsecs() > 0)
                line += u", next due "_s + utcText(job.nextRunDueMsecs());
            QStringList unmapped;
            for (const AttributeId attribute : job.unmappedAttributes())
                unmapped << AttributeCatalog::spec(attribute).ldapName;
            if (!unmapped.isEmpty())
                line += u"; not mapped: "_s + unmapped.join(u", "_s);
            text += line;
        }
    }
    text += u"\nProvisioning log:  "_s;
    if (!state.provisioningRead)
        text += state.provisioningMissingReason.isEmpty() ? u"not read (give --provisioning-log)"_s
                                                          : state.provisioningMissingReason;
    else if (state.provisioning.entriesRead == 0)
        text += u"no writeback entries in "_s + state.provisioningSource;
    else
        text += u"%1 writeback entries for %2 objects, %3 to %4, from %5"_s.arg(state.provisioning.entriesRead)
                    .arg(state.provisioning.objects.size())
                    .arg(utcText(state.provisioning.oldestMsecs), utcText(state.provisioning.newestMsecs),
                         state.provisioningSource);
    if (const TroubleCounts troubles = state.provisioning.troubleCounts(); troubles.total() > 0)
        text += u"\n  not written back: %1 object%2 failing now, %3 skipped, %4 recovered (failed or skipped earlier "
                u"in the log read, written back since)"_s.arg(troubles.failingNow)
                    .arg(troubles.failingNow == 1 ? QString() : u"s"_s)
                    .arg(troubles.skippedNow)
                    .arg(troubles.recovered);
    return text + u'\n';
}

QString domainOfDn(QStringView dn)
{
    // RDNs split on unescaped commas; DC= values are DNS labels, so they never hold escapes themselves.
    QStringList labels;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= dn.size(); ++i) {
        if (i < dn.size() && dn[i] == u'\\') {
            ++i;
            continue;
        }
        if (i < dn.size() && dn[i] != u',')
            continue;
        const QStringView rdn = dn.mid(start, i - start).trimmed();
        if (rdn.size() > 3 && rdn.first(3).compare(u"DC=", Qt::CaseInsensitive) == 0)
            labels << rdn.sliced(3).trimmed().toString().toLower();
        start = i + 1;
    }
    return labels.join(u'.');
}

std::optional<qint64> parseIsoDuration(QStringView text)
{
    if (text.size() < 3 || text.front().toUpper() != u'P')
        return std::nullopt;
    qint64 total = 0;
    bool inTime = false;
    bool any = false;
    qsizetype i = 1;
    while (i < text.size()) {
        if (text[i].toUpper() == u'T') {
            inTime = true;
            ++i;
            continue;
        }
        const qsizetype begin = i;
        while (i < text.size() && (text[i].isDigit() || text[i] == u'.' || text[i] == u','))
            ++i;
        if (i == begin || i == text.size())
            return std::nullopt;
        bool ok = false;
        const double number = text.mid(begin, i - begin).toString().replace(u',', u'.').toDouble(&ok);
        if (!ok)
            return std::nullopt;
        const QChar unit = text[i].toUpper();
        double unitMsecs = 0;
        if (!inTime && unit == u'D')
            unitMsecs = 86'400'000.0;
        else if (!inTime && unit == u'W')
            unitMsecs = 7 * 86'400'000.0;
        else if (inTime && unit == u'H')
            unitMsecs = 3'600'000.0;
        else if (inTime && unit == u'M')
            unitMsecs = 60'000.0;
        else if (inTime && unit == u'S')
            unitMsecs = 1000.0;
        else
            return std::nullopt; // years and months have no fixed length
        total += qint64(number * unitMsecs);
        any = true;
        ++i;
    }
    return any ? std::optional<qint64>(total) : std::nullopt;
}

} // namespace sunset
