// SPDX-License-Identifier: Apache-2.0
#include "WritebackBatch.h"

#include <QSet>
#include <QTextStream>

#include <algorithm>
#include <map>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QLatin1StringView batchIssueKindKey(BatchIssueKind kind)
{
    switch (kind) {
    case BatchIssueKind::NotWritable:
        return "notWritable"_L1;
    case BatchIssueKind::NotCloudManaged:
        return "notCloudManaged"_L1;
    case BatchIssueKind::PrimaryAddressLost:
        return "primaryAddressLost"_L1;
    case BatchIssueKind::NothingToWrite:
        return "nothingToWrite"_L1;
    case BatchIssueKind::DuplicateItem:
        return "duplicateItem"_L1;
    case BatchIssueKind::ManyObjects:
        return "manyObjects"_L1;
    }
    return "unknown"_L1;
}

std::vector<WritebackSelection> writebackSelections(const DriftReport& report, const Snapshot& ad,
                                                    const Snapshot& cloud, const WritebackFilter& accept)
{
    std::vector<WritebackSelection> selections;
    for (size_t i = 0; i < report.match.pairs.size(); ++i) {
        const MatchedPair& pair = report.match.pairs[i];
        const MailboxRecord& adRecord = ad.records[size_t(pair.ad)];
        const MailboxRecord& cloudRecord = cloud.records[size_t(pair.cloud)];
        for (const DriftItem& item : report.driftOf(i)) {
            if (!item.writable || (accept && !accept(adRecord, cloudRecord, item)))
                continue;
            selections.push_back({adRecord.identityText(IdentityField::DistinguishedName), cloudRecord.label(),
                                  cloudRecord.identityText(IdentityField::CloudManaged), item,
                                  cloudRecord.identityText(IdentityField::ExternalDirectoryObjectId)});
        }
    }
    return selections;
}

std::optional<QString> primaryAddressLoss(const BatchAttributeChange& change)
{
    if (change.attribute == AttributeId::Mail) {
        if (!change.before.isEmpty() && change.after.isEmpty())
            return u"it would clear mail (%1) without a new primary address"_s.arg(change.before.first());
        return std::nullopt;
    }
    if (change.attribute != AttributeId::ProxyAddresses)
        return std::nullopt;
    const auto primary = [](const QStringList& values) {
        for (const QString& v : values)
            if (v.startsWith("SMTP:"_L1)) // upper-case prefix marks the primary; "smtp:" is secondary
                return v;
        return QString();
    };
    const QString old = primary(change.before);
    if (!old.isEmpty() && primary(change.after).isEmpty())
        return u"it would remove the primary address %1 from proxyAddresses without a new SMTP: address"_s.arg(old);
    return std::nullopt;
}

WritebackBatch WritebackBatch::build(std::span<const WritebackSelection> selections,
                                     const WritebackBatchOptions& options)
{
    WritebackBatch batch;
    std::map<QString, size_t> objectByDn; // DN as read (the store keeps it as read, too)
    QSet<QString> seen;
    const auto refuse = [&](BatchIssueKind kind, const WritebackSelection& s, QString message) {
        batch.m_refusals.push_back({kind, s.dn, s.item.attribute, std::move(message)});
    };
    for (const WritebackSelection& s : selections) {
        const AttributeSpec& spec = AttributeCatalog::spec(s.item.attribute);
        const QString who = s.label.isEmpty() ? s.dn : s.label;
        if (!spec.writableBySunset || !s.item.writable) {
            refuse(BatchIssueKind::NotWritable, s,
                   u"%1 of %2 is not written back by Sunset (%3); left out."_s.arg(spec.ldapName, who, spec.whatItIs));
            continue;
        }
        if (s.cloudManaged != "true"_L1) {
            refuse(BatchIssueKind::NotCloudManaged, s,
                   u"%1: %2 is not cloud-managed (CloudManaged is %3), so its Exchange attributes are still "
                   u"owned on-premises; Sunset does not write them. Switch the mailbox to cloud management "
                   u"first."_s.arg(spec.ldapName, who, s.cloudManaged.isEmpty() ? u"not stated"_s : s.cloudManaged));
            continue;
        }
        const QString key = s.dn + u'\n' + spec.ldapName;
        if (seen.contains(key)) {
            refuse(BatchIssueKind::DuplicateItem, s,
                   u"%1 of %2 was selected twice; kept once."_s.arg(spec.ldapName, who));
            continue;
        }
        BatchAttributeChange change{s.item.attribute, s.item.ad, s.item.adTarget};
        if (change.before == change.after) {
            refuse(BatchIssueKind::NothingToWrite, s,
                   u"%1 of %2 already holds the cloud's values; nothing to write."_s.arg(spec.ldapName, who));
            continue;
        }
        if (const auto loss = primaryAddressLoss(change)) {
            refuse(BatchIssueKind::PrimaryAddressLost, s, u"%1: %2; refused."_s.arg(who, *loss));
            continue;
        }
        seen.insert(key);
        auto [it, inserted] = objectByDn.try_emplace(s.dn, batch.m_objects.size());
        if (inserted)
            batch.m_objects.push_back({s.dn, s.label, {}, true}); // cloud-managed: checked above
        batch.m_objects[it->second].changes.push_back(std::move(change));
    }
    for (BatchObjectChange& object : batch.m_objects)
        std::sort(
            object.changes.begin(), object.changes.end(),
            [](const BatchAttributeChange& a, const BatchAttributeChange& b) { return a.attribute < b.attribute; });
    batch.addCountWarning(options);
    return batch;
}

WritebackBatch WritebackBatch::fromObjects(std::vector<BatchObjectChange> objects, const WritebackBatchOptions& options)
{
    WritebackBatch batch;
    batch.m_objects = std::move(objects);
    batch.addCountWarning(options);
    return batch;
}

void WritebackBatch::addCountWarning(const WritebackBatchOptions& options)
{
    if (objectCount() > options.confirmAboveObjects)
        m_warnings.push_back({BatchIssueKind::ManyObjects,
                              {},
                              std::nullopt,
                              u"This batch changes %1 objects, more than %2: confirm a second time before it is "
                              u"applied."_s.arg(objectCount())
                                  .arg(options.confirmAboveObjects)});
}

bool WritebackBatch::needsSecondConfirmation() const
{
    return std::any_of(m_warnings.begin(), m_warnings.end(),
                       [](const BatchIssue& w) { return w.kind == BatchIssueKind::ManyObjects; });
}

qint64 WritebackBatch::attributeCount() const
{
    qint64 n = 0;
    for (const BatchObjectChange& o : m_objects)
        n += qint64(o.changes.size());
    return n;
}

qint64 WritebackBatch::valuesDeleted() const
{
    qint64 n = 0;
    for (const BatchObjectChange& o : m_objects)
        for (const BatchAttributeChange& c : o.changes)
            n += c.before.size();
    return n;
}

qint64 WritebackBatch::valuesAdded() const
{
    qint64 n = 0;
    for (const BatchObjectChange& o : m_objects)
        for (const BatchAttributeChange& c : o.changes)
            n += c.after.size();
    return n;
}

QString WritebackBatch::describe() const
{
    QString text;
    QTextStream out(&text);
    for (const BatchObjectChange& o : m_objects) {
        out << o.dn << '\n';
        for (const BatchAttributeChange& c : o.changes) {
            const QLatin1StringView name = AttributeCatalog::spec(c.attribute).ldapName;
            for (const QString& v : c.before)
                out << "  - " << name << ": \"" << v << "\"\n";
            for (const QString& v : c.after)
                out << "  + " << name << ": \"" << v << "\"\n";
        }
    }
    out << objectCount() << " objects, " << attributeCount() << " attributes, " << valuesDeleted()
        << " values deleted, " << valuesAdded() << " values added\n";
    for (const BatchIssue& r : m_refusals)
        out << "refused: " << r.message << '\n';
    for (const BatchIssue& w : m_warnings)
        out << "warning: " << w.message << '\n';
    return text;
}

std::optional<QString> breakGlassReasonProblem(const QString& reason)
{
    const QString trimmed = reason.trimmed();
    if (trimmed.isEmpty())
        return u"A break-glass reason is required: say why this batch is written directly to AD instead of by "
               "Cloud Sync (for example the quarantined job and the ticket number)."_s;
    if (trimmed.size() < kBreakGlassReasonMinLength)
        return u"The break-glass reason \"%1\" is too short: give at least %2 characters saying why this batch is "
               "written directly to AD instead of by Cloud Sync."_s.arg(trimmed)
            .arg(kBreakGlassReasonMinLength);
    return std::nullopt;
}

} // namespace sunset
