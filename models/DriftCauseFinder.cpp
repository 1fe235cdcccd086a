// SPDX-License-Identifier: Apache-2.0
#include "DriftCauseFinder.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DriftCauseFinder::DriftCauseFinder(const CloudSyncState& state) : m_state(state)
{
    for (const WritebackJob& job : state.jobs)
        m_jobUnhealthy.push_back(!job.unhealthyReason().isEmpty());
}

void DriftCauseFinder::begin(const MailboxRecord& ad, const MailboxRecord& cloud, const AdChangeMetadata& adMetadata)
{
    m_cloud = &cloud;
    m_managed = cloud.identity(IdentityField::CloudManaged);
    m_job = -1;
    m_noJobForDomain = false;
    if (m_state.jobsRead) {
        // One writeback job per AD domain [documented]; the mailbox's domain is its DN's DC= components.
        m_job = m_state.jobIndexForDomain(domainOfDn(ad.identityText(IdentityField::DistinguishedName)));
        m_noJobForDomain = m_job < 0;
    }
    m_provisioning = -1;
    if (m_state.provisioningRead) {
        const auto it = m_state.provisioning.indexById.constFind(
            cloud.identity(IdentityField::ExternalDirectoryObjectId).toByteArray());
        if (it != m_state.provisioning.indexById.cend())
            m_provisioning = *it;
    }
    m_adMetadata = &adMetadata;
    m_adChanges = adMetadata.find(ad.identity(IdentityField::DistinguishedName));
}

void DriftCauseFinder::explain(DriftItem& item) const
{
    const AttributeSpec& spec = AttributeCatalog::spec(item.attribute);
    DriftEvidence& ev = item.evidence;
    ev = {};
    // The cloud export's own statement comes first: a mailbox that is not cloud-managed is AD's to write.
    if (m_managed == QByteArrayView("false")) {
        item.cause = DriftCause::NotCloudManaged;
        return;
    }
    if (!spec.writtenBackByCloudSync) {
        item.cause = DriftCause::NotWrittenBack;
        return;
    }
    if (m_managed.isEmpty()) {
        // Cloud Sync writes back cloud-managed mailboxes only: without the flag, none of its evidence applies.
        item.cause = DriftCause::Unexplained;
        ev.missing = EvidenceMissing::CloudManagedFlag;
        return;
    }

    ev.job = m_job;
    ev.noJobForDomain = m_noJobForDomain;
    const WritebackJob* job = m_job >= 0 ? &m_state.jobs[size_t(m_job)] : nullptr;
    if (!m_state.jobsRead || (job && job->statusCodeText.isEmpty()))
        ev.missing |= EvidenceMissing::JobState;
    if (m_noJobForDomain || (job && m_jobUnhealthy[size_t(m_job)])) {
        item.cause = DriftCause::JobUnhealthy;
        return;
    }
    if (job && job->schemaRead && !job->maps(spec.id)) {
        item.cause = DriftCause::NotMapped;
        return;
    }
    if (job && !job->schemaRead)
        ev.missing |= EvidenceMissing::Schema;

    const ObjectProvisioning* object = nullptr;
    if (!m_state.provisioningRead)
        ev.missing |= EvidenceMissing::ProvisioningLog;
    else if (m_provisioning < 0)
        ev.missing |= EvidenceMissing::ProvisioningEntry;
    else
        object = &m_state.provisioning.objects[size_t(m_provisioning)];
    if (object) {
        ev.provisioning = m_provisioning;
        if (object->latest.status == ProvisioningStatus::Failure) {
            item.cause = DriftCause::WritebackFailed;
            return;
        }
        // RedundantExport: both sides matched when it ran [observed]; the drift came later, so it explains nothing.
        if (object->latest.status == ProvisioningStatus::Skipped &&
            object->latest.skipReason.compare("RedundantExport"_L1, Qt::CaseInsensitive) != 0) {
            item.cause = DriftCause::WritebackSkipped;
            return;
        }
        if (const AttributeWrite* write = object->lastWriteOf(spec.id))
            ev.lastWriteMsecs = write->activityMsecs;
    }

    // A second writer: AD's originating change of the attribute is later than the writeback's last write of it,
    // or, lacking a log entry for it, than the job's last successful run.
    if (m_adChanges) {
        for (const AttributeLastChange& change : *m_adChanges)
            if (change.attribute == spec.id)
                ev.ad = AdChangeEvidence{change.version, change.originatingChangeMsecs,
                                         m_adMetadata->invocationId(change), m_adMetadata->dcName(change)};
    }
    if (!ev.ad)
        ev.missing |= EvidenceMissing::AdMetadata;
    const qint64 lastRun = job ? job->lastSuccessfulRunMsecs() : 0;
    const qint64 writebackReference = ev.lastWriteMsecs > 0 ? ev.lastWriteMsecs : lastRun;
    if (ev.ad && writebackReference > 0 && ev.ad->originatingChangeMsecs > writebackReference + kWritebackSlackMsecs) {
        item.cause = DriftCause::ChangedInAdAfterWriteback;
        return;
    }

    // The cloud mailbox changed after the job's last successful run: the next run has it to write. WhenChanged is
    // the mailbox's, not the attribute's: the evidence says so.
    // A log entry processed after that change shows the change was already handled: not pending then.
    const qint64 cloudChanged = m_cloud->whenChangedMsecs();
    const qint64 lastProcessed = object ? object->latest.activityMsecs : 0;
    if (lastRun > 0 && cloudChanged > lastRun && cloudChanged > lastProcessed) {
        item.cause = DriftCause::WritebackPending;
        ev.cloudChangedMsecs = cloudChanged;
        return;
    }
    item.cause = DriftCause::Unexplained;
}

} // namespace sunset

namespace sunset {

namespace {

QString when(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
}

QString sentence(QString text)
{
    text = text.trimmed();
    if (!text.isEmpty() && !text.endsWith(u'.'))
        text += u'.';
    return text;
}

} // namespace

QStringList missingEvidenceTexts(const DriftEvidence& ev, const CloudSyncState& state)
{
    QStringList texts;
    if (ev.missing & EvidenceMissing::CloudManagedFlag)
        texts << u"the Exchange Online export does not say whether the mailbox is cloud-managed: add "
                 "IsExchangeCloudManaged to it"_s;
    if (ev.missing & EvidenceMissing::JobState)
        texts << (state.jobsMissingReason.isEmpty()
                      ? u"no Cloud Sync job state read: give --sync-jobs or sign in with Synchronization.Read.All"_s
                      : state.jobsMissingReason);
    if (ev.missing & EvidenceMissing::Schema)
        texts << u"the writeback job's schema was not read, so its mappings are unknown: give --sync-schema"_s;
    if (ev.missing & EvidenceMissing::ProvisioningLog)
        texts << (state.provisioningMissingReason.isEmpty()
                      ? u"no provisioning log read: give --provisioning-log or sign in with AuditLog.Read.All"_s
                      : state.provisioningMissingReason);
    if (ev.missing & EvidenceMissing::ProvisioningEntry) {
        QString text = u"no provisioning log entry for this object in the log read"_s;
        if (state.provisioning.oldestMsecs > 0)
            text += u" (%1 to %2)"_s.arg(when(state.provisioning.oldestMsecs), when(state.provisioning.newestMsecs));
        texts << text + u"; retention is 30 days, 7 without Entra ID P1"_s;
    }
    if (ev.missing & EvidenceMissing::AdMetadata)
        texts << u"no AD replication metadata for this attribute: read AD live, or from a dump that carries it"_s;
    if (texts.isEmpty())
        texts << u"the writeback job is healthy, the object's latest log entry did not fail, and neither AD nor "
                 "Exchange Online changed after the writeback: nothing read explains it"_s;
    return texts;
}

QString causeInWords(const DriftItem& item, const CloudSyncState& state)
{
    const DriftEvidence& ev = item.evidence;
    const WritebackJob* job = ev.job >= 0 ? &state.jobs[size_t(ev.job)] : nullptr;
    const ProvisioningEntry* entry =
        ev.provisioning >= 0 ? &state.provisioning.objects[size_t(ev.provisioning)].latest : nullptr;
    switch (item.cause) {
    case DriftCause::JobUnhealthy:
        if (!job)
            return u"No Cloud Sync writeback job writes back this mailbox's domain: create one (Exchange hybrid "
                   "writeback in the Cloud Sync configuration)."_s;
        return u"Cloud Sync's writeback job is %1. Nothing is written back until it runs again."_s.arg(
            job->unhealthyReason());
    case DriftCause::NotMapped:
        return u"Cloud Sync's writeback job has no mapping for %1: restore its default mappings (this restarts "
               "the job)."_s.arg(AttributeCatalog::spec(item.attribute).ldapName);
    case DriftCause::WritebackFailed:
        if (entry) {
            QString text = u"Cloud Sync failed at %1"_s.arg(when(entry->activityMsecs));
            if (!entry->errorCode.isEmpty())
                text += u": "_s + entry->errorCode;
            text = sentence(text);
            if (!entry->recommendedAction.isEmpty())
                text += u' ' + sentence(entry->recommendedAction);
            else if (!entry->reason.isEmpty())
                text += u' ' + sentence(entry->reason);
            return text;
        }
        break;
    case DriftCause::WritebackSkipped:
        if (entry)
            return u"Cloud Sync skipped this mailbox at %1%2."_s.arg(
                when(entry->activityMsecs), entry->skipReason.isEmpty() ? QString() : u": "_s + entry->skipReason);
        break;
    case DriftCause::WritebackPending:
        if (job) {
            QString text = u"Changed in Exchange Online at %1, after Cloud Sync's last successful run at %2."_s.arg(
                when(ev.cloudChangedMsecs), when(job->lastSuccessfulRunMsecs()));
            if (job->nextRunDueMsecs() > 0)
                text += u" Next run due %1."_s.arg(when(job->nextRunDueMsecs()));
            return text;
        }
        break;
    case DriftCause::ChangedInAdAfterWriteback:
        if (ev.ad) {
            const QString dc = ev.ad->originatingDc.isEmpty() ? ev.ad->originatingInvocationId : ev.ad->originatingDc;
            return u"AD changed it at %1 on %2 (version %3), after Cloud Sync wrote it at %4: another writer "
                   "is fighting Cloud Sync."_s.arg(when(ev.ad->originatingChangeMsecs), dc)
                .arg(ev.ad->version)
                .arg(when(ev.lastWriteMsecs > 0 ? ev.lastWriteMsecs : (job ? job->lastSuccessfulRunMsecs() : 0)));
        }
        break;
    case DriftCause::Unexplained: {
        const QString missing = missingEvidenceTexts(ev, state).join(u"; "_s);
        return u"Unexplained: "_s + missing + u'.';
    }
    case DriftCause::NotCloudManaged:
    case DriftCause::NotWrittenBack:
    case DriftCause::Count: break;
    }
    return driftCauseExplanation(item.cause);
}

} // namespace sunset
