// SPDX-License-Identifier: Apache-2.0
#include "RollbackImpactWriter.h"

#include "CsvCell.h"
#include "JsonWriter.h"
#include "ReportSink.h"
#include "RecipientType.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QStringList valuesText(AttributeId attribute, const QStringList& values)
{
    QStringList out;
    out.reserve(values.size());
    for (const QString& v : values)
        out << rollbackValueText(attribute, v);
    return out;
}

// "“Sales”", "“a”, “b”", or "(none)": quoted so that a value with spaces at its ends is seen whole.
QString quotedList(const QStringList& values)
{
    if (values.isEmpty())
        return u"(none)"_s;
    QStringList quoted;
    for (const QString& v : values)
        quoted << u'"' + v + u'"';
    return quoted.join(u", "_s);
}

} // namespace

QString rollbackValueText(AttributeId attribute, const QString& value)
{
    return decodedAdValue(attribute, value);
}

void writeRollbackImpactJson(const RollbackReportInput& in, const ReportSink& sink)
{
    const RollbackSummary& s = in.impact.summary;
    JsonWriter w;
    w.beginObject();
    w.key("format"_L1).value("sunset.rollback-impact"_L1);
    w.key("formatVersion"_L1).value(qint64(kRollbackImpactFormatVersion));
    w.key("asOf"_L1);
    if (in.asOfMsecs > 0)
        w.value(QDateTime::fromMSecsSinceEpoch(in.asOfMsecs, Qt::UTC).toString(Qt::ISODate));
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
    w.key("summary"_L1).beginObject();
    w.key("mailboxesConsidered"_L1).value(s.mailboxesConsidered);
    w.key("mailboxesAffected"_L1).value(s.mailboxesAffected);
    w.key("changes"_L1).value(s.changes);
    w.key("cloudOnlyChanges"_L1).value(s.cloudOnlyChanges);
    w.key("valuesLost"_L1).value(s.valuesLost);
    w.key("valuesGained"_L1).value(s.valuesGained);
    w.key("byAttribute"_L1).beginObject();
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (overwrittenOnRollback(spec.id))
            w.key(spec.ldapName).value(s.changesByAttribute[size_t(spec.id)]);
    w.endObject();
    w.key("leftOut"_L1).beginObject();
    w.key("notCloudManaged"_L1).value(s.notCloudManaged);
    w.key("cloudManagedUnknown"_L1).value(s.cloudManagedUnknown);
    w.key("withoutAdMatch"_L1).value(s.withoutAdMatch);
    w.endObject();
    w.endObject();

    w.key("mailboxes"_L1).beginArray();
    for (const RollbackMailbox& m : in.impact.mailboxes) {
        w.beginObject();
        w.key("dn"_L1).value(m.distinguishedName);
        w.key("upn"_L1).value(m.userPrincipalName);
        w.key("displayName"_L1).value(m.displayName);
        w.key("changes"_L1).beginArray();
        for (const RollbackChange& c : m.changes) {
            const AttributeSpec& spec = AttributeCatalog::spec(c.attribute);
            w.beginObject();
            w.key("attribute"_L1).value(spec.ldapName);
            w.key("exoProperty"_L1).value(spec.exoName);
            w.key("writtenBack"_L1).value(c.writtenBack);
            w.key("cloud"_L1).stringArray(c.cloud);
            w.key("ad"_L1).stringArray(c.ad);
            w.key("lost"_L1).stringArray(c.lost);
            w.key("gained"_L1).stringArray(c.gained);
            w.endObject();
        }
        w.endArray();
        w.endObject();
        flushIfBig(w, sink);
    }
    w.endArray();
    w.endObject();
    finishJson(w, sink);
}

void writeRollbackImpactCsv(const RollbackReportInput& in, const ReportSink& sink)
{
    QString text = u"\"dn\",\"upn\",\"displayName\",\"attribute\",\"exoProperty\",\"writtenBack\",\"cloud\",\"ad\","
                   "\"lost\",\"gained\"\r\n"_s;
    for (const RollbackMailbox& m : in.impact.mailboxes) {
        for (const RollbackChange& c : m.changes) {
            const AttributeSpec& spec = AttributeCatalog::spec(c.attribute);
            const QStringList cells{csvCell(m.distinguishedName),
                                    csvCell(m.userPrincipalName),
                                    csvCell(m.displayName),
                                    csvCell(QString(spec.ldapName)),
                                    csvCell(QString(spec.exoName)),
                                    csvCell(c.writtenBack ? u"true"_s : u"false"_s),
                                    csvValuesCell(c.cloud),
                                    csvValuesCell(c.ad),
                                    csvValuesCell(c.lost),
                                    csvValuesCell(c.gained)};
            text += cells.join(u',') + u"\r\n"_s;
        }
        flushIfBig(text, sink);
    }
    finishCsv(text, sink);
}

QString formatRollbackSummaryText(const RollbackSummary& s)
{
    QString text = u"Setting IsExchangeCloudManaged back to False on %1 cloud-managed mailboxes: %2 would lose "
                   "cloud values at the next sync cycle (%3 attributes overwritten with AD's"_s
                       .arg(s.mailboxesConsidered)
                       .arg(s.mailboxesAffected)
                       .arg(s.changes);
    if (s.cloudOnlyChanges > 0)
        text += u"; %1 of them never written back to AD, so their cloud values exist nowhere else"_s.arg(
            s.cloudOnlyChanges);
    text += u").\n"_s;
    if (s.notCloudManaged + s.cloudManagedUnknown + s.withoutAdMatch > 0)
        text += u"Left out: %1 not cloud-managed (AD is already their source), %2 whose export does not say, %3 "
                "not matched to one AD object (AD's values unknown).\n"_s.arg(s.notCloudManaged)
                    .arg(s.cloudManagedUnknown)
                    .arg(s.withoutAdMatch);
    return text;
}

QString formatRollbackImpactText(const RollbackReportInput& in)
{
    QString text = formatRollbackSummaryText(in.impact.summary);
    for (const RollbackMailbox& m : in.impact.mailboxes) {
        text += u'\n' + m.displayName + u" <"_s + m.userPrincipalName + u">\n  "_s + m.distinguishedName + u'\n';
        for (const RollbackChange& c : m.changes) {
            const AttributeSpec& spec = AttributeCatalog::spec(c.attribute);
            text += u"  "_s + spec.ldapName + u" ("_s + spec.exoName + u')';
            if (!c.writtenBack)
                text += u" [cloud-only: never written back]"_s;
            if (spec.multiValued)
                text += u": loses "_s + quotedList(c.lost) + u"; gains "_s +
                        quotedList(valuesText(c.attribute, c.gained)) + u'\n';
            else
                text += u": cloud "_s + quotedList(c.cloud) + u" -> AD "_s +
                        quotedList(valuesText(c.attribute, c.ad)) + u'\n';
        }
    }
    return text;
}

} // namespace sunset
