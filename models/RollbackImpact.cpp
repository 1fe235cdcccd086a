// SPDX-License-Identifier: Apache-2.0
#include "RollbackImpact.h"

#include "DriftScan.h"

#include <algorithm>

namespace sunset {

namespace {

void addMailbox(const DriftScan& scan, qint32 rowIndex, RollbackImpact& impact)
{
    const ScanRow& row = scan.rows()[size_t(rowIndex)];
    RollbackSummary& summary = impact.summary;
    if (row.cloud < 0)
        return; // AD only: no cloud mailbox to switch
    switch (row.cloudManaged) {
    case CloudManagedState::No: ++summary.notCloudManaged; return;
    case CloudManagedState::Unknown: ++summary.cloudManagedUnknown; return;
    case CloudManagedState::NoCloudSide: return;
    case CloudManagedState::Yes: break;
    }
    if (row.status != MailboxStatus::Matched) {
        ++summary.withoutAdMatch;
        return;
    }
    ++summary.mailboxesConsidered;
    RollbackMailbox mailbox;
    for (const DriftItem& item : scan.driftOf(row)) {
        if (!overwrittenOnRollback(item.attribute))
            continue;
        const AttributeSpec& spec = AttributeCatalog::spec(item.attribute);
        RollbackChange change{item.attribute, spec.writtenBackByCloudSync, item.cloud, item.ad, item.onlyInCloud,
                              item.onlyInAd};
        ++summary.changes;
        ++summary.changesByAttribute[size_t(item.attribute)];
        summary.cloudOnlyChanges += change.writtenBack ? 0 : 1;
        summary.valuesLost += change.lost.size();
        summary.valuesGained += change.gained.size();
        mailbox.changes.push_back(std::move(change));
    }
    if (mailbox.changes.empty())
        return;
    ++summary.mailboxesAffected;
    mailbox.row = rowIndex;
    mailbox.displayName = QString::fromUtf8(scan.displayName(row));
    mailbox.userPrincipalName = QString::fromUtf8(scan.userPrincipalName(row));
    mailbox.distinguishedName = QString::fromUtf8(scan.distinguishedName(row));
    impact.mailboxes.push_back(std::move(mailbox));
}

} // namespace

bool overwrittenOnRollback(AttributeId attribute)
{
    // See the header for what is documented and what is assumed.
    return attribute != AttributeId::TargetAddress && attribute != AttributeId::MsExchRemoteRecipientType;
}

std::vector<qint32> scanRowsNamed(const DriftScan& scan, QStringView name)
{
    static constexpr IdentityField kNames[] = {IdentityField::UserPrincipalName, IdentityField::PrimarySmtpAddress,
                                               IdentityField::DistinguishedName,
                                               IdentityField::ExternalDirectoryObjectId};
    const QStringView wanted = name.trimmed();
    std::vector<qint32> rows;
    if (wanted.isEmpty())
        return rows;
    const auto names = [&](const MailboxRecord* record) {
        if (!record)
            return false;
        for (IdentityField field : kNames) // case folded by Qt: names may hold non-ASCII letters
            if (QString::fromUtf8(record->identity(field)).compare(wanted, Qt::CaseInsensitive) == 0)
                return true;
        return false;
    };
    for (qint32 i = 0; i < qint32(scan.rows().size()); ++i) {
        const ScanRow& row = scan.rows()[size_t(i)];
        if (names(scan.adRecord(row)) || names(scan.cloudRecord(row)))
            rows.push_back(i);
    }
    return rows;
}

RollbackImpact computeRollbackImpact(const DriftScan& scan)
{
    RollbackImpact impact;
    for (qint32 i = 0; i < qint32(scan.rows().size()); ++i)
        addMailbox(scan, i, impact);
    return impact;
}

RollbackImpact computeRollbackImpact(const DriftScan& scan, std::span<const qint32> rows)
{
    RollbackImpact impact;
    std::vector<qint32> sorted(rows.begin(), rows.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end()); // a selection may name a row twice
    for (qint32 i : sorted)
        if (i >= 0 && i < qint32(scan.rows().size()))
            addMailbox(scan, i, impact);
    return impact;
}

} // namespace sunset
