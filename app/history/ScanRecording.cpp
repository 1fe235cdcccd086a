// SPDX-License-Identifier: Apache-2.0
#include "ScanRecording.h"

#include "DriftCauseFinder.h"
#include "HistoryJson.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject countsBy(std::span<const qint64> counts, const std::function<QString(size_t)>& name)
{
    QJsonObject out;
    for (size_t i = 0; i < counts.size(); ++i)
        out.insert(name(i), counts[i]);
    return out;
}

QByteArray summaryJson(const DriftSummary& s)
{
    QJsonObject o{{u"adMailboxes"_s, s.adMailboxes},
                  {u"adEntriesSkipped"_s, s.adEntriesSkipped},
                  {u"cloudMailboxes"_s, s.cloudMailboxes},
                  {u"matched"_s, s.matched},
                  {u"softMatched"_s, s.softMatched()},
                  {u"adOnly"_s, s.adOnly},
                  {u"cloudOnly"_s, s.cloudOnly},
                  {u"ambiguousGroups"_s, s.ambiguousGroups},
                  {u"mailboxesWithDrift"_s, s.mailboxesWithDrift},
                  {u"driftItems"_s, s.driftItems}};
    o.insert(u"matchedBy"_s,
             countsBy(s.matchedBy, [](size_t i) { return QString(matchKeyName(MatchKey(i))); }));
    o.insert(u"mailboxesByWorstSeverity"_s,
             countsBy(s.mailboxesByWorstSeverity, [](size_t i) { return QString(severityName(Severity(i))); }));
    o.insert(u"bySeverity"_s, countsBy(s.itemsBySeverity, [](size_t i) { return QString(severityName(Severity(i))); }));
    o.insert(u"byAttribute"_s, countsBy(s.itemsByAttribute, [](size_t i) {
                 return QString(AttributeCatalog::spec(AttributeId(i)).ldapName);
             }));
    o.insert(u"byCause"_s, countsBy(s.itemsByCause, [](size_t i) { return QString(driftCauseKey(DriftCause(i))); }));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

QJsonObject recordedDriftJson(const RecordedDrift& drift)
{
    const DriftItem& item = drift.selection.item;
    QJsonObject o{{u"dn"_s, drift.selection.dn},
                  {u"upn"_s, drift.upn},
                  {u"label"_s, drift.selection.label},
                  {u"cloudManaged"_s, drift.selection.cloudManaged},
                  {u"attribute"_s, QString(AttributeCatalog::spec(item.attribute).ldapName)},
                  {u"severity"_s, QString(severityName(item.severity))},
                  {u"cause"_s, QString(driftCauseKey(item.cause))},
                  {u"mailbox"_s, QString::fromUtf8(drift.mailboxKey)},
                  {u"because"_s, drift.because},
                  {u"evidence"_s, drift.evidence},
                  {u"ad"_s, QJsonArray::fromStringList(item.ad)},
                  {u"cloud"_s, QJsonArray::fromStringList(item.cloud)},
                  {u"onlyInAd"_s, QJsonArray::fromStringList(item.onlyInAd)},
                  {u"onlyInCloud"_s, QJsonArray::fromStringList(item.onlyInCloud)},
                  {u"writable"_s, item.writable}};
    if (item.writable)
        o.insert(u"adTarget"_s, QJsonArray::fromStringList(item.adTarget));
    if (!drift.selection.entraObjectId.isEmpty()) // for provisionOnDemand; absent in scans recorded before
        o.insert(u"entraObjectId"_s, drift.selection.entraObjectId);
    return o;
}

ScanRecord scanRecord(const DriftReportInput& input, const QDateTime& started, const QDateTime& finished,
                      const ScanMailboxList* mailboxes)
{
    ScanRecord record;
    record.adSource = input.sources.ad;
    record.exoSource = input.sources.exo;
    record.graphSource = input.sources.graph;
    record.started = started;
    record.finished = finished;
    record.adMailboxes = input.summary.adMailboxes;
    record.cloudMailboxes = input.summary.cloudMailboxes;
    record.matched = input.summary.matched;
    record.driftItems = input.summary.driftItems;
    record.summaryJson = summaryJson(input.summary);
    record.mailboxes = mailboxes ? mailboxes->text()
                                 : ScanMailboxList::ofScan(input.ad, input.cloud, input.report.match).text();
    const CloudSyncState& sync = *input.report.cloudSync;
    QJsonArray items;
    for (size_t i = 0; i < input.report.match.pairs.size(); ++i) {
        const MatchedPair& pair = input.report.match.pairs[i];
        const MailboxRecord& ad = input.ad.records[size_t(pair.ad)];
        const MailboxRecord& cloud = input.cloud.records[size_t(pair.cloud)];
        const auto drift = input.report.driftOf(i);
        if (drift.empty())
            continue;
        const QByteArray key = scanMailboxKey(&ad, &cloud);
        for (const DriftItem& item : drift)
            items.append(recordedDriftJson(
                {cloud.identityText(IdentityField::UserPrincipalName),
                 {ad.identityText(IdentityField::DistinguishedName), cloud.label(),
                  cloud.identityText(IdentityField::CloudManaged), item,
                  cloud.identityText(IdentityField::ExternalDirectoryObjectId)},
                 key,
                 causeInWords(item, sync),
                 QJsonDocument::fromJson(driftEvidenceJson(item, ad, sync)).object()}));
    }
    record.driftJson = QJsonDocument(QJsonObject{{u"format"_s, QString(kScanDriftFormat)},
                                                 {u"version"_s, kScanDriftVersion},
                                                 {u"items"_s, items}})
                           .toJson(QJsonDocument::Compact);
    return record;
}

HistoryResult<std::vector<RecordedDrift>> recordedDrift(const QByteArray& driftJson)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(driftJson, &parseError);
    if (driftJson.isEmpty() || (doc.isArray() && doc.array().isEmpty()))
        return std::vector<RecordedDrift>(); // a scan recorded without its drift (recordScan's default)
    const QJsonObject root = doc.object();
    if (doc.isNull() || root.value(u"format"_s).toString() != kScanDriftFormat)
        return HistoryError{u"The scan's drift is not in the %1 format (it was recorded by another tool or an older "
                            u"Sunset); run the scan again to plan from it."_s.arg(kScanDriftFormat)};
    if (root.value(u"version"_s).toInt() > kScanDriftVersion)
        return HistoryError{u"The scan's drift was recorded by a newer Sunset (%1 version %2); update Sunset."_s
                                .arg(kScanDriftFormat)
                                .arg(root.value(u"version"_s).toInt())};
    std::vector<RecordedDrift> out;
    const QJsonArray items = root.value(u"items"_s).toArray();
    out.reserve(size_t(items.size()));
    for (const QJsonValue& v : items) {
        const QJsonObject o = v.toObject();
        const auto attribute = AttributeCatalog::byLdapName(o.value(u"attribute"_s).toString());
        if (!attribute)
            return HistoryError{u"The scan's drift names %1, which is not a catalog attribute."_s.arg(
                o.value(u"attribute"_s).toString())};
        RecordedDrift d;
        d.upn = o.value(u"upn"_s).toString();
        d.selection.dn = o.value(u"dn"_s).toString();
        d.selection.label = o.value(u"label"_s).toString();
        d.selection.cloudManaged = o.value(u"cloudManaged"_s).toString();
        d.selection.entraObjectId = o.value(u"entraObjectId"_s).toString();
        DriftItem& item = d.selection.item;
        item.attribute = *attribute;
        item.severity = severityFromName(o.value(u"severity"_s).toString()).value_or(Severity::Normal);
        const QString cause = o.value(u"cause"_s).toString();
        for (int c = 0; c < int(DriftCause::Count); ++c)
            if (cause == driftCauseKey(DriftCause(c)))
                item.cause = DriftCause(c);
        item.ad = jsonStrings(o.value(u"ad"_s));
        item.cloud = jsonStrings(o.value(u"cloud"_s));
        item.onlyInAd = jsonStrings(o.value(u"onlyInAd"_s));
        item.onlyInCloud = jsonStrings(o.value(u"onlyInCloud"_s));
        item.writable = o.value(u"writable"_s).toBool();
        item.adTarget = jsonStrings(o.value(u"adTarget"_s));
        d.mailboxKey = o.value(u"mailbox"_s).toString().toUtf8();
        d.because = o.value(u"because"_s).toString();
        d.evidence = o.value(u"evidence"_s).toObject();
        out.push_back(std::move(d));
    }
    return out;
}

ScanIdentity scanIdentity(const DriftReportInput& input)
{
    ScanIdentity identity;
    identity.mailboxes = ScanMailboxList::ofScan(input.ad, input.cloud, input.report.match);
    identity.drift.reserve(input.report.allItems().size());
    for (size_t i = 0; i < input.report.match.pairs.size(); ++i) {
        const auto drift = input.report.driftOf(i);
        if (drift.empty())
            continue;
        const MatchedPair& pair = input.report.match.pairs[i];
        const MailboxRecord& cloud = input.cloud.records[size_t(pair.cloud)];
        const QByteArray key = scanMailboxKey(&input.ad.records[size_t(pair.ad)], &cloud);
        const QString label = cloud.label();
        for (const DriftItem& item : drift)
            identity.drift.push_back({key, item.attribute, label, item.cause});
    }
    return identity;
}

HistoryResult<SinceScan> sinceLatestScan(const HistoryStore& store, const ScanIdentity& current)
{
    auto latest = store.latestScan();
    if (!latest)
        return latest.error();
    if (!latest->has_value())
        return compareScans(std::nullopt, current);
    const StoredScan& scan = *latest.value();
    auto drift = recordedDrift(scan.record.driftJson);
    if (!drift)
        return drift.error();
    ScanIdentity previous;
    previous.scanId = scan.id;
    previous.finished = scan.record.finished.isValid() ? scan.record.finished : scan.recordedAt;
    if (scan.record.mailboxes) {
        previous.mailboxes = ScanMailboxList::fromText(*scan.record.mailboxes);
        if (!previous.mailboxes)
            return HistoryError{u"History database %1: the mailbox list of scan %2 is damaged (not sorted lines of "
                                u"key and label); the difference from it cannot be shown."_s
                                    .arg(QDir::toNativeSeparators(store.path()))
                                    .arg(scan.id)};
    }
    for (const RecordedDrift& d : drift.value()) {
        if (d.mailboxKey.isEmpty()) { // a version 1 record: its items cannot be matched to this scan's
            SinceScan since;
            since.previousScanId = scan.id;
            since.previousFinished = previous.finished;
            since.note = u"Scan %1 was recorded by an older Sunset that did not keep its mailboxes' identities: "
                         u"what changed is shown from the next scan on."_s.arg(scan.id);
            return since;
        }
        previous.drift.push_back({d.mailboxKey, d.selection.item.attribute, d.selection.label, d.selection.item.cause});
    }
    return compareScans(previous, current);
}

bool namesMailbox(const RecordedDrift& drift, QStringView mailbox)
{
    return (!drift.upn.isEmpty() && mailbox.compare(drift.upn, Qt::CaseInsensitive) == 0) ||
           mailbox.compare(drift.selection.label, Qt::CaseInsensitive) == 0 ||
           mailbox.compare(drift.selection.dn, Qt::CaseInsensitive) == 0;
}

namespace {

HistoryResult<StoredScan> scanOrLatest(const HistoryStore& store, qint64 scanId)
{
    if (scanId > 0)
        return store.scan(scanId);
    auto latest = store.latestScan();
    if (!latest)
        return latest.error();
    if (!latest->has_value())
        return HistoryError{u"The history %1 has no scan yet: run 'sunset-cli diff' (without --no-history) first."_s
                                .arg(QDir::toNativeSeparators(store.path()))};
    return std::move(*latest.value());
}

QString decisionKey(const QString& dn, AttributeId attribute)
{
    return dn.toCaseFolded() + u'\n' + QString::number(int(attribute));
}

struct ScanDrift {
    StoredScan scan;
    std::vector<RecordedDrift> drift;
};

HistoryResult<ScanDrift> scanDriftOrLatest(const HistoryStore& store, qint64 scanId)
{
    auto scan = scanOrLatest(store, scanId);
    if (!scan)
        return scan.error();
    auto drift = recordedDrift(scan->record.driftJson);
    if (!drift)
        return drift.error();
    return ScanDrift{std::move(scan.value()), std::move(drift.value())};
}

} // namespace

HistoryResult<qint64> recordDriftDecision(HistoryStore& store, qint64 scanId, QStringView mailbox,
                                          AttributeId attribute, DecisionKind decision, const QString& reason)
{
    if (decision == DecisionKind::Ignore && reason.trimmed().isEmpty())
        return HistoryError{u"Ignoring a drift item needs a reason (for the audit trail)."_s};
    const auto recorded = scanDriftOrLatest(store, scanId);
    if (!recorded)
        return recorded.error();
    const StoredScan& scan = recorded->scan;
    for (const RecordedDrift& d : recorded->drift) {
        if (d.selection.item.attribute == attribute && namesMailbox(d, mailbox))
            return store.recordDecision({scan.id, d.selection.dn, attribute, decision, reason.trimmed()});
    }
    return HistoryError{u"Scan %1 found no drift of %2 on %3: nothing to decide. (Names are matched against the "
                        u"mailbox's UPN and AD distinguished name.)"_s.arg(scan.id)
                            .arg(AttributeCatalog::spec(attribute).ldapName, mailbox.toString())};
}

HistoryResult<ScanPlan> planFromScan(const HistoryStore& store, qint64 scanId, const PlanFilter& filter)
{
    const auto recorded = scanDriftOrLatest(store, scanId);
    if (!recorded)
        return recorded.error();
    const StoredScan& scan = recorded->scan;
    const auto decisions = store.decisions();
    if (!decisions)
        return decisions.error();
    QSet<QString> ignored;
    for (const StoredDecision& d : decisions.value()) { // oldest first: the latest decision wins
        const QString key = decisionKey(d.record.dn, d.record.attribute);
        if (d.record.decision == DecisionKind::Ignore)
            ignored.insert(key);
        else
            ignored.remove(key);
    }
    ScanPlan plan;
    plan.scanId = scan.id;
    QSet<qsizetype> mailboxSeen;
    for (const RecordedDrift& d : recorded->drift) {
        const DriftItem& item = d.selection.item;
        if (!item.writable)
            continue;
        if (!filter.attributes.empty() &&
            std::find(filter.attributes.begin(), filter.attributes.end(), item.attribute) == filter.attributes.end())
            continue;
        if (!filter.mailboxes.isEmpty()) {
            bool named = false;
            for (qsizetype i = 0; i < filter.mailboxes.size(); ++i) {
                if (namesMailbox(d, filter.mailboxes[i])) {
                    named = true;
                    mailboxSeen.insert(i);
                }
            }
            if (!named)
                continue;
        }
        if (ignored.contains(decisionKey(d.selection.dn, item.attribute))) {
            ++plan.ignored;
            continue;
        }
        plan.selections.push_back(d.selection);
    }
    for (qsizetype i = 0; i < filter.mailboxes.size(); ++i)
        if (!mailboxSeen.contains(i))
            plan.unknownMailboxes << filter.mailboxes[i];
    return plan;
}

} // namespace sunset
