// SPDX-License-Identifier: Apache-2.0
#include "DriftReportWriter.h"

#include "CsvCell.h"
#include "DriftCauseFinder.h"
#include "JsonWriter.h"
#include "ReportSink.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

void writeCloudManaged(JsonWriter& w, const MailboxRecord& cloud)
{
    const QByteArrayView managed = cloud.identity(IdentityField::CloudManaged);
    if (managed.isEmpty())
        w.null();
    else
        w.value(managed == QByteArrayView("true"));
}

void timeOrNull(JsonWriter& w, QLatin1StringView name, qint64 msecs)
{
    w.key(name);
    if (msecs > 0)
        w.value(QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(Qt::ISODate));
    else
        w.null();
}

void textOrNull(JsonWriter& w, QLatin1StringView name, const QString& text)
{
    w.key(name);
    if (text.isEmpty())
        w.null();
    else
        w.value(text);
}

// What proved the cause (docs/formats.md, "The JSON report"): the parts known for this item, and for an unexplained
// one what was missing. Written where a value goes (after a key, in an array, or alone).
void writeEvidence(JsonWriter& w, const DriftItem& item, const MailboxRecord& ad, const CloudSyncState& state)
{
    const DriftEvidence& ev = item.evidence;
    w.beginObject();
    if (ev.job >= 0 || ev.noJobForDomain) {
        w.key("job"_L1).beginObject();
        if (ev.job >= 0) {
            const WritebackJob& job = state.jobs[size_t(ev.job)];
            w.key("id"_L1).value(job.id);
            textOrNull(w, "domain"_L1, job.domain);
            textOrNull(w, "status"_L1, job.statusCodeText);
            textOrNull(w, "quarantineReason"_L1, job.quarantine ? job.quarantine->reason : QString());
            timeOrNull(w, "quarantinedSince"_L1, job.quarantine ? job.quarantine->currentBeganMsecs : 0);
            timeOrNull(w, "lastSuccessfulRun"_L1, job.lastSuccessfulRunMsecs());
            timeOrNull(w, "nextRunDue"_L1, job.nextRunDueMsecs());
            textOrNull(w, "unhealthy"_L1, job.unhealthyReason());
        } else {
            w.key("id"_L1).null();
            textOrNull(w, "domain"_L1, domainOfDn(ad.identityText(IdentityField::DistinguishedName)));
            w.key("status"_L1).value("noWritebackJob"_L1);
        }
        w.endObject();
    }
    if (ev.provisioning >= 0) {
        const ProvisioningEntry& e = state.provisioning.objects[size_t(ev.provisioning)].latest;
        w.key("provisioning"_L1).beginObject();
        timeOrNull(w, "activityDateTime"_L1, e.activityMsecs);
        w.key("status"_L1).value(provisioningStatusName(e.status));
        textOrNull(w, "jobId"_L1, e.jobId);
        textOrNull(w, "errorCode"_L1, e.errorCode);
        textOrNull(w, "errorCategory"_L1, e.errorCategory);
        textOrNull(w, "reason"_L1, e.reason);
        textOrNull(w, "recommendedAction"_L1, e.recommendedAction);
        textOrNull(w, "skipReason"_L1, e.skipReason);
        timeOrNull(w, "lastWriteOfAttribute"_L1, ev.lastWriteMsecs);
        w.endObject();
    }
    if (ev.ad) {
        w.key("adMetadata"_L1).beginObject();
        timeOrNull(w, "originatingChangeTime"_L1, ev.ad->originatingChangeMsecs);
        textOrNull(w, "originatingDc"_L1, ev.ad->originatingDc);
        textOrNull(w, "originatingInvocationId"_L1, ev.ad->originatingInvocationId);
        w.key("version"_L1).value(qint64(ev.ad->version));
        w.endObject();
    }
    if (ev.cloudChangedMsecs > 0)
        timeOrNull(w, "cloudChanged"_L1, ev.cloudChangedMsecs);
    if (item.cause == DriftCause::Unexplained)
        w.key("missing"_L1).stringArray(missingEvidenceTexts(ev, state));
    w.endObject();
}

void writeDriftItem(JsonWriter& w, const DriftItem& item, const MailboxRecord& ad, const CloudSyncState& state)
{
    const AttributeSpec& spec = AttributeCatalog::spec(item.attribute);
    w.beginObject();
    w.key("attribute"_L1).value(spec.ldapName);
    w.key("exoProperty"_L1).value(spec.exoName);
    w.key("severity"_L1).value(severityName(item.severity));
    w.key("cause"_L1).value(driftCauseKey(item.cause));
    w.key("evidence"_L1);
    writeEvidence(w, item, ad, state);
    w.key("ad"_L1).stringArray(item.ad);
    w.key("cloud"_L1).stringArray(item.cloud);
    w.key("onlyInAd"_L1).stringArray(item.onlyInAd);
    w.key("onlyInCloud"_L1).stringArray(item.onlyInCloud);
    w.key("writable"_L1).value(item.writable);
    if (item.writable)
        w.key("adTarget"_L1).stringArray(item.adTarget);
    w.endObject();
}

void writeSummary(JsonWriter& w, const DriftSummary& s)
{
    w.key("summary"_L1).beginObject();
    w.key("adMailboxes"_L1).value(s.adMailboxes);
    w.key("adEntriesSkipped"_L1).value(s.adEntriesSkipped);
    w.key("cloudMailboxes"_L1).value(s.cloudMailboxes);
    w.key("matched"_L1).value(s.matched);
    w.key("matchedBy"_L1).beginObject();
    for (int k = 0; k < int(MatchKey::Count); ++k)
        w.key(matchKeyName(MatchKey(k))).value(s.matchedBy[size_t(k)]);
    w.endObject();
    w.key("softMatched"_L1).value(s.softMatched());
    w.key("adOnly"_L1).value(s.adOnly);
    w.key("cloudOnly"_L1).value(s.cloudOnly);
    w.key("ambiguousGroups"_L1).value(s.ambiguousGroups);
    w.key("mailboxesWithDrift"_L1).value(s.mailboxesWithDrift);
    w.key("mailboxesByWorstSeverity"_L1).beginObject();
    for (int sev = 2; sev >= 0; --sev)
        w.key(severityName(Severity(sev))).value(s.mailboxesByWorstSeverity[size_t(sev)]);
    w.endObject();
    w.key("driftItems"_L1).value(s.driftItems);
    w.key("bySeverity"_L1).beginObject();
    for (int sev = 2; sev >= 0; --sev)
        w.key(severityName(Severity(sev))).value(s.itemsBySeverity[size_t(sev)]);
    w.endObject();
    w.key("byAttribute"_L1).beginObject();
    for (const AttributeSpec& spec : AttributeCatalog::all())
        w.key(spec.ldapName).value(s.itemsByAttribute[size_t(spec.id)]);
    w.endObject();
    w.key("byCause"_L1).beginObject();
    for (int c = 0; c < int(DriftCause::Count); ++c)
        w.key(driftCauseKey(DriftCause(c))).value(s.itemsByCause[size_t(c)]);
    w.endObject();
    w.endObject();
}

void writeSinceDrift(JsonWriter& w, const SinceScan::DriftChange& change, QLatin1StringView mailboxFlag)
{
    w.beginObject();
    w.key("mailbox"_L1).value(QString::fromUtf8(change.item.mailboxKey));
    w.key("label"_L1).value(change.item.label);
    w.key("attribute"_L1).value(AttributeCatalog::spec(change.item.attribute).ldapName);
    w.key("cause"_L1).value(driftCauseKey(change.item.cause));
    w.key(mailboxFlag).value(change.mailboxChanged);
    w.endObject();
}

void writeSinceMailboxes(JsonWriter& w, QLatin1StringView name, bool known, const std::vector<SinceScan::Mailbox>& list,
                         const ReportSink& sink)
{
    w.key(name);
    if (!known) {
        w.null();
        return;
    }
    w.beginArray();
    for (const SinceScan::Mailbox& m : list) {
        w.beginObject();
        w.key("mailbox"_L1).value(QString::fromUtf8(m.key));
        w.key("label"_L1).value(m.label);
        w.endObject();
        flushIfBig(w, sink);
    }
    w.endArray();
}

// README, "The JSON report": what changed since the previous scan of the same profile (issue 15).
void writeSinceScan(JsonWriter& w, const SinceScan* since, const ReportSink& sink)
{
    w.key("sinceScan"_L1);
    if (!since) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("previousScan"_L1);
    if (since->hasPrevious()) {
        w.beginObject();
        w.key("id"_L1).value(since->previousScanId);
        timeOrNull(w, "finished"_L1, since->previousFinished.isValid() ? since->previousFinished.toMSecsSinceEpoch() : 0);
        w.endObject();
    } else {
        w.null();
    }
    textOrNull(w, "note"_L1, since->note);
    w.key("counts"_L1).beginObject();
    w.key("newDrift"_L1).value(qint64(since->newDrift.size()));
    w.key("resolvedDrift"_L1).value(qint64(since->resolvedDrift.size()));
    w.key("unchangedDrift"_L1).value(since->unchangedDrift);
    w.key("mailboxesAdded"_L1);
    since->mailboxesCompared ? w.value(qint64(since->mailboxesAdded.size())) : w.null();
    w.key("mailboxesRemoved"_L1);
    since->mailboxesCompared ? w.value(qint64(since->mailboxesRemoved.size())) : w.null();
    w.endObject();
    w.key("newDrift"_L1).beginArray();
    for (const SinceScan::DriftChange& c : since->newDrift) {
        writeSinceDrift(w, c, "newMailbox"_L1);
        flushIfBig(w, sink);
    }
    w.endArray();
    w.key("resolvedDrift"_L1).beginArray();
    for (const SinceScan::DriftChange& c : since->resolvedDrift) {
        writeSinceDrift(w, c, "mailboxRemoved"_L1);
        flushIfBig(w, sink);
    }
    w.endArray();
    writeSinceMailboxes(w, "mailboxesAdded"_L1, since->mailboxesCompared, since->mailboxesAdded, sink);
    writeSinceMailboxes(w, "mailboxesRemoved"_L1, since->mailboxesCompared, since->mailboxesRemoved, sink);
    w.endObject();
}

} // namespace

QByteArray driftEvidenceJson(const DriftItem& item, const MailboxRecord& ad, const CloudSyncState& state)
{
    JsonWriter w(0);
    writeEvidence(w, item, ad, state);
    return w.take();
}

void writeDriftReportJson(const DriftReportInput& in, const ReportSink& sink)
{
    JsonWriter w;
    w.beginObject();
    w.key("format"_L1).value("sunset.drift-report"_L1);
    w.key("formatVersion"_L1).value(qint64(kDriftReportFormatVersion));
    w.key("asOf"_L1);
    if (in.report.asOfMsecs > 0)
        w.value(QDateTime::fromMSecsSinceEpoch(in.report.asOfMsecs, Qt::UTC).toString(Qt::ISODate));
    else
        w.null();
    w.key("sources"_L1).beginObject();
    w.key("ad"_L1).value(in.sources.ad);
    w.key("exo"_L1).value(in.sources.exo);
    w.key("graph"_L1);
    if (in.sources.graph.isEmpty())
        w.null();
    else
        w.value(in.sources.graph);
    const CloudSyncState& sync = *in.report.cloudSync;
    textOrNull(w, "syncJobs"_L1, sync.jobsRead ? sync.jobsSource : QString());
    textOrNull(w, "syncSchema"_L1, sync.schemaSource);
    textOrNull(w, "provisioningLog"_L1, sync.provisioningRead ? sync.provisioningSource : QString());
    w.endObject();
    writeSummary(w, in.summary);
    writeSinceScan(w, in.sinceScan, sink);

    w.key("mailboxes"_L1).beginArray();
    const auto& pairs = in.report.match.pairs;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const MailboxRecord& ad = in.ad.records[size_t(pairs[i].ad)];
        const MailboxRecord& cloud = in.cloud.records[size_t(pairs[i].cloud)];
        w.beginObject();
        w.key("dn"_L1).value(ad.identityText(IdentityField::DistinguishedName));
        w.key("upn"_L1).value(cloud.has(IdentityField::UserPrincipalName)
                                  ? cloud.identityText(IdentityField::UserPrincipalName)
                                  : ad.identityText(IdentityField::UserPrincipalName));
        w.key("externalDirectoryObjectId"_L1).value(cloud.identityText(IdentityField::ExternalDirectoryObjectId));
        w.key("matchedBy"_L1).value(matchKeyName(pairs[i].matchedBy));
        w.key("softMatch"_L1).value(isSoftMatch(pairs[i].matchedBy));
        w.key("cloudManaged"_L1);
        writeCloudManaged(w, cloud);
        w.key("worstSeverity"_L1);
        if (const auto worst = in.report.worstSeverityOf(i))
            w.value(severityName(*worst));
        else
            w.null();
        w.key("drift"_L1).beginArray();
        for (const DriftItem& item : in.report.driftOf(i))
            writeDriftItem(w, item, ad, *in.report.cloudSync);
        w.endArray();
        w.endObject();
        flushIfBig(w, sink);
    }
    w.endArray();

    w.key("unmatched"_L1).beginObject();
    w.key("ad"_L1).beginArray();
    for (qint32 i : in.report.match.unmatchedAd)
        w.value(in.ad.records[size_t(i)].label());
    w.endArray();
    w.key("cloud"_L1).beginArray();
    for (qint32 i : in.report.match.unmatchedCloud)
        w.value(in.cloud.records[size_t(i)].label());
    w.endArray();
    w.endObject();

    w.key("ambiguous"_L1).beginArray();
    for (const AmbiguousGroup& g : in.report.match.ambiguous) {
        w.beginObject();
        w.key("key"_L1).value(matchKeyName(g.key));
        w.key("value"_L1).value(g.value);
        w.key("reason"_L1).value(g.reason);
        QStringList adLabels, cloudLabels;
        for (qint32 i : g.ad)
            adLabels << in.ad.records[size_t(i)].label();
        for (qint32 i : g.cloud)
            cloudLabels << in.cloud.records[size_t(i)].label();
        w.key("ad"_L1).stringArray(adLabels);
        w.key("cloud"_L1).stringArray(cloudLabels);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    finishJson(w, sink);
}

void writeDriftReportCsv(const DriftReportInput& in, const ReportSink& sink)
{
    QString text = u"\"dn\",\"upn\",\"matchedBy\",\"attribute\",\"severity\",\"cause\",\"evidence\",\"ad\","
                   "\"cloud\",\"onlyInAd\",\"onlyInCloud\",\"writable\"\r\n"_s;
    const auto& pairs = in.report.match.pairs;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const MailboxRecord& ad = in.ad.records[size_t(pairs[i].ad)];
        const MailboxRecord& cloud = in.cloud.records[size_t(pairs[i].cloud)];
        for (const DriftItem& item : in.report.driftOf(i)) {
            const QStringList cells{csvCell(ad.identityText(IdentityField::DistinguishedName)),
                                    csvCell(cloud.identityText(IdentityField::UserPrincipalName)),
                                    csvCell(QString(matchKeyName(pairs[i].matchedBy))),
                                    csvCell(QString(AttributeCatalog::spec(item.attribute).ldapName)),
                                    csvCell(QString(severityName(item.severity))),
                                    csvCell(QString(driftCauseKey(item.cause))),
                                    csvCell(causeInWords(item, *in.report.cloudSync)),
                                    csvValuesCell(item.ad),
                                    csvValuesCell(item.cloud),
                                    csvValuesCell(item.onlyInAd),
                                    csvValuesCell(item.onlyInCloud),
                                    csvCell(item.writable ? u"true"_s : u"false"_s)};
            text += cells.join(u',') + u"\r\n"_s;
        }
        flushIfBig(text, sink);
    }
    finishCsv(text, sink);
}

} // namespace sunset
