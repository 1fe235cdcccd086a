#include "DriftReportWriter.h"

#include "CsvCell.h"
#include "JsonWriter.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype kFlushBytes = 4 << 20;

void flushIfBig(JsonWriter& w, const ReportSink& sink)
{
    if (w.buffer().size() >= kFlushBytes)
        sink(w.take());
}

void writeCloudManaged(JsonWriter& w, const MailboxRecord& cloud)
{
    const QByteArrayView managed = cloud.identity(IdentityField::CloudManaged);
    if (managed.isEmpty())
        w.null();
    else
        w.value(managed == QByteArrayView("true"));
}

void writeDriftItem(JsonWriter& w, const DriftItem& item)
{
    const AttributeSpec& spec = AttributeCatalog::spec(item.attribute);
    w.beginObject();
    w.key("attribute"_L1).value(spec.ldapName);
    w.key("exoProperty"_L1).value(spec.exoName);
    w.key("severity"_L1).value(severityName(item.severity));
    w.key("cause"_L1).value(driftCauseKey(item.cause));
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

} // namespace

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
    w.endObject();
    writeSummary(w, in.summary);

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
            writeDriftItem(w, item);
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
    QByteArray tail = w.take();
    tail += '\n';
    sink(tail);
}

void writeDriftReportCsv(const DriftReportInput& in, const ReportSink& sink)
{
    QString text = u"\"dn\",\"upn\",\"matchedBy\",\"attribute\",\"severity\",\"cause\",\"ad\",\"cloud\","
                   "\"onlyInAd\",\"onlyInCloud\",\"writable\"\r\n"_s;
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
                                    csvValuesCell(item.ad),
                                    csvValuesCell(item.cloud),
                                    csvValuesCell(item.onlyInAd),
                                    csvValuesCell(item.onlyInCloud),
                                    csvCell(item.writable ? u"true"_s : u"false"_s)};
            text += cells.join(u',') + u"\r\n"_s;
        }
        if (text.size() >= kFlushBytes) {
            sink(text.toUtf8());
            text.clear();
        }
    }
    sink(text.toUtf8());
}

} // namespace sunset
