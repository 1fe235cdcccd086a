// SPDX-License-Identifier: Apache-2.0
#include "ProvisioningIssuesModel.h"

#include "WritebackJobsModel.h"

#include <QHash>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ProvisioningIssuesModel::ProvisioningIssuesModel(QObject* parent) : QAbstractTableModel(parent) {}

ProvisioningIssuesModel::~ProvisioningIssuesModel() = default;

void ProvisioningIssuesModel::setScan(std::shared_ptr<const DriftScan> scan)
{
    beginResetModel();
    m_scan = std::move(scan);
    m_rows.clear();
    m_failures = 0;
    if (m_scan && m_scan->report.cloudSync->provisioningRead) {
        const CloudSyncState& sync = state();
        QHash<QByteArray, size_t> rowOfId; // only the objects listed: a handful, not the tenant
        for (auto it = sync.provisioning.indexById.cbegin(); it != sync.provisioning.indexById.cend(); ++it) {
            const ObjectProvisioning& object = sync.provisioning.objects[size_t(*it)];
            const ProvisioningStatus status = object.latest.status;
            if (status != ProvisioningStatus::Failure && status != ProvisioningStatus::Skipped)
                continue;
            Row row{&object, it.key(), -1, -1};
            for (size_t j = 0; j < sync.jobs.size(); ++j)
                if (sync.jobs[j].id.compare(object.latest.jobId, Qt::CaseInsensitive) == 0)
                    row.job = qint32(j);
            m_failures += status == ProvisioningStatus::Failure ? 1 : 0;
            m_rows.push_back(std::move(row));
        }
        std::sort(m_rows.begin(), m_rows.end(), [](const Row& a, const Row& b) {
            if (a.object->latest.activityMsecs != b.object->latest.activityMsecs)
                return a.object->latest.activityMsecs > b.object->latest.activityMsecs; // newest first
            return a.entraId < b.entraId;
        });
        for (size_t i = 0; i < m_rows.size(); ++i)
            rowOfId.insert(m_rows[i].entraId, i);
        // The log's key is sourceIdentity.id lower-cased; the cloud record's ExternalDirectoryObjectId is compared
        // the same way (the drift cause finder matches them likewise).
        const std::vector<ScanRow>& rows = m_scan->rows();
        for (size_t r = 0; r < rows.size() && !rowOfId.isEmpty(); ++r) {
            const MailboxRecord* cloud = m_scan->cloudRecord(rows[r]);
            if (!cloud)
                continue;
            const auto it = rowOfId.constFind(cloud->identity(IdentityField::ExternalDirectoryObjectId).toByteArray().toLower());
            if (it == rowOfId.cend() || m_rows[*it].scanRow >= 0)
                continue;
            m_rows[*it].scanRow = qint32(r);
        }
    }
    endResetModel();
}

int ProvisioningIssuesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProvisioningIssuesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString ProvisioningIssuesModel::mailboxText(const Row& row) const
{
    if (row.scanRow < 0)
        return tr("Entra object %1 (not among the scanned mailboxes)").arg(QString::fromLatin1(row.entraId));
    const ScanRow& scanRow = m_scan->rows()[size_t(row.scanRow)];
    return tr("%1 <%2>").arg(QString::fromUtf8(m_scan->displayName(scanRow)),
                             QString::fromUtf8(m_scan->userPrincipalName(scanRow)));
}

QString ProvisioningIssuesModel::detailsText(const ProvisioningEntry& entry) const
{
    QStringList parts;
    if (!entry.reason.isEmpty())
        parts << entry.reason;
    if (!entry.recommendedAction.isEmpty())
        parts << entry.recommendedAction;
    if (parts.isEmpty() && entry.status == ProvisioningStatus::Skipped) {
        // Cloud Sync's skip reasons [observed in provisioning logs]; others are shown as they come.
        if (entry.skipReason.compare("NotInScope"_L1, Qt::CaseInsensitive) == 0)
            parts << tr("The object is outside the writeback's scope: check the configuration's scoping filters.");
        else if (entry.skipReason.compare("RedundantExport"_L1, Qt::CaseInsensitive) == 0)
            parts << tr("AD already held the cloud's values when the cycle ran: nothing was written.");
    }
    if (entry.status == ProvisioningStatus::Failure && !entry.errorCategory.isEmpty())
        parts << tr("(category %1)").arg(entry.errorCategory);
    return parts.join(u' ');
}

QVariant ProvisioningIssuesModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row& row = m_rows[size_t(index.row())];
    const ProvisioningEntry& entry = row.object->latest;
    const bool failed = entry.status == ProvisioningStatus::Failure;
    if (role == ItemRole::ScanRowIndex)
        return row.scanRow < 0 ? QVariant() : QVariant(row.scanRow);
    if (role == ItemRole::Severity && index.column() == Result)
        return int(failed ? Severity::Critical : Severity::Warning);
    if (role == Qt::ToolTipRole) {
        if (index.column() == Mailbox)
            return row.scanRow < 0 ? tr("Entra object %1: no mailbox of this scan has it as ExternalDirectoryObjectId")
                                         .arg(QString::fromLatin1(row.entraId))
                                   : tr("Entra object %1. Double-click or press Enter to show this mailbox")
                                         .arg(QString::fromLatin1(row.entraId));
        if (index.column() == Details || index.column() == Code)
            return detailsText(entry);
        if (index.column() == Domain && row.job >= 0)
            return tr("Job %1").arg(state().jobs[size_t(row.job)].id);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case When: return writebackPanelTime(entry.activityMsecs);
    case Mailbox: return mailboxText(row);
    case Domain:
        if (row.job < 0)
            return entry.jobId.isEmpty() ? tr("(no job)") : tr("(job not read)");
        return state().jobs[size_t(row.job)].domain;
    case Result: return failed ? tr("Failed") : tr("Skipped");
    case Code: return failed ? entry.errorCode : entry.skipReason;
    case Details: return detailsText(entry);
    }
    return {};
}

QVariant ProvisioningIssuesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case When: return tr("When");
    case Mailbox: return tr("Mailbox");
    case Domain: return tr("AD domain");
    case Result: return tr("Result");
    case Code: return tr("Error or skip reason");
    case Details: return tr("Reason and recommended action");
    }
    return {};
}

} // namespace sunset
