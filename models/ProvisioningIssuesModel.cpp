// SPDX-License-Identifier: Apache-2.0
#include "ProvisioningIssuesModel.h"

#include "WritebackJobsModel.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// A time beside the row's own (its When column): the hour alone on the same day, the full time otherwise.
QString timeBeside(qint64 msecs, qint64 reference)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
    if (time.date() == QDateTime::fromMSecsSinceEpoch(reference, Qt::UTC).date())
        return time.toString(u"HH:mm"_s);
    return writebackPanelTime(msecs);
}

// "3 failed attempts", "1 skipped entry", "2 failed attempts and 1 skipped entry".
QString attemptsCountText(qint64 failed, qint64 skipped)
{
    const QString failedText = failed == 1 ? ProvisioningIssuesModel::tr("1 failed attempt")
                                           : ProvisioningIssuesModel::tr("%1 failed attempts").arg(failed);
    const QString skippedText = skipped == 1 ? ProvisioningIssuesModel::tr("1 skipped entry")
                                             : ProvisioningIssuesModel::tr("%1 skipped entries").arg(skipped);
    if (skipped == 0)
        return failedText;
    return failed == 0 ? skippedText : ProvisioningIssuesModel::tr("%1 and %2").arg(failedText, skippedText);
}

// "failed 2×", "skipped 1×", "failed 2× and skipped 1×".
QString timesText(qint64 failed, qint64 skipped)
{
    const QString failedText = ProvisioningIssuesModel::tr("failed %1×").arg(failed);
    const QString skippedText = ProvisioningIssuesModel::tr("skipped %1×").arg(skipped);
    if (skipped == 0)
        return failedText;
    return failed == 0 ? skippedText : ProvisioningIssuesModel::tr("%1 and %2").arg(failedText, skippedText);
}

} // namespace

ProvisioningIssuesModel::ProvisioningIssuesModel(QObject* parent) : QAbstractTableModel(parent) {}

ProvisioningIssuesModel::~ProvisioningIssuesModel() = default;

void ProvisioningIssuesModel::setScan(std::shared_ptr<const DriftScan> scan)
{
    beginResetModel();
    m_scan = std::move(scan);
    m_rows.clear();
    m_counts = {};
    if (m_scan && m_scan->report.cloudSync->provisioningRead) {
        const CloudSyncState& sync = state();
        const ProvisioningLog& log = sync.provisioning;
        m_counts = log.troubleCounts();
        m_rows.reserve(size_t(m_counts.total()));
        for (const ProvisioningTrouble& trouble : log.troubles) {
            Row row{&trouble, log.standing(trouble), -1, -1};
            for (size_t j = 0; j < sync.jobs.size(); ++j)
                if (sync.jobs[j].id.compare(trouble.last.jobId, Qt::CaseInsensitive) == 0)
                    row.job = qint32(j);
            m_rows.push_back(row);
        }
        // Objects failing or skipped now first, those written back since after them; each part newest first.
        std::sort(m_rows.begin(), m_rows.end(), [](const Row& a, const Row& b) {
            const bool aRecovered = a.standing == TroubleStanding::Recovered;
            const bool bRecovered = b.standing == TroubleStanding::Recovered;
            if (aRecovered != bRecovered)
                return bRecovered;
            if (a.trouble->last.activityMsecs != b.trouble->last.activityMsecs)
                return a.trouble->last.activityMsecs > b.trouble->last.activityMsecs;
            return a.trouble->entraObjectId < b.trouble->entraObjectId;
        });
        QHash<QByteArray, size_t> rowOfId; // only the objects listed: a handful, not the tenant
        for (size_t i = 0; i < m_rows.size(); ++i)
            rowOfId.insert(m_rows[i].trouble->entraObjectId, i);
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
        return tr("Entra object %1 (not among the scanned mailboxes)")
            .arg(QString::fromLatin1(row.trouble->entraObjectId));
    const ScanRow& scanRow = m_scan->rows()[size_t(row.scanRow)];
    return tr("%1 <%2>").arg(QString::fromUtf8(m_scan->displayName(scanRow)),
                             QString::fromUtf8(m_scan->userPrincipalName(scanRow)));
}

QString ProvisioningIssuesModel::attemptsText(const Row& row) const
{
    const ProvisioningTrouble& t = *row.trouble;
    const qint64 lastMsecs = t.last.activityMsecs;
    const auto time = [lastMsecs](qint64 msecs) { return timeBeside(msecs, lastMsecs); };
    if (row.standing == TroubleStanding::Recovered)
        return tr("%1 until %2, written back at %3")
            .arg(timesText(t.failedEntries, t.skippedEntries), time(lastMsecs), time(t.lastWrittenBackMsecs));
    const bool failing = row.standing == TroubleStanding::FailingNow;
    const QString attempts = attemptsCountText(t.failedEntries, t.skippedEntries);
    // Written back after the first failure and failing again since: when the new run of failures began is not
    // kept (the fold holds counts, not every entry), only the write-back it followed.
    if (t.lastWrittenBackMsecs >= t.firstMsecs)
        return (failing ? tr("failing again after a write-back at %1; %2 since %3")
                        : tr("skipped again after a write-back at %1; %2 since %3"))
            .arg(time(t.lastWrittenBackMsecs), attempts, time(t.firstMsecs));
    return (failing ? tr("failing since %1, %2") : tr("skipped since %1, %2")).arg(time(t.firstMsecs), attempts);
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
    const ProvisioningEntry& entry = row.trouble->last;
    const bool failed = entry.status == ProvisioningStatus::Failure;
    if (role == ItemRole::ScanRowIndex)
        return row.scanRow < 0 ? QVariant() : QVariant(row.scanRow);
    if (role == ItemRole::Severity && index.column() == Result && row.standing != TroubleStanding::Recovered)
        return int(row.standing == TroubleStanding::FailingNow ? Severity::Critical : Severity::Warning);
    if (role == Qt::ToolTipRole) {
        const QString entraId = QString::fromLatin1(row.trouble->entraObjectId);
        if (index.column() == Mailbox)
            return row.scanRow < 0 ? tr("Entra object %1: no mailbox of this scan has it as ExternalDirectoryObjectId")
                                         .arg(entraId)
                                   : tr("Entra object %1. Double-click or press Enter to show this mailbox")
                                         .arg(entraId);
        if (index.column() == Details || index.column() == Code)
            return detailsText(entry);
        if (index.column() == Result && row.standing == TroubleStanding::Recovered)
            return tr("Its latest entry in the log read wrote to AD at %1; the error or skip reason shown is of the "
                      "entry before that.")
                .arg(writebackPanelTime(row.trouble->lastWrittenBackMsecs));
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
    case Result:
        if (row.standing == TroubleStanding::Recovered)
            return tr("Recovered");
        return row.standing == TroubleStanding::FailingNow ? tr("Failed") : tr("Skipped");
    case Attempts: return attemptsText(row);
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
    case When: return tr("Last failed or skipped");
    case Mailbox: return tr("Mailbox");
    case Domain: return tr("AD domain");
    case Result: return tr("Result");
    case Attempts: return tr("In the log read");
    case Code: return tr("Error or skip reason");
    case Details: return tr("Reason and recommended action");
    }
    return {};
}

} // namespace sunset
