// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace sunset {

// The Writeback panel's list of objects Cloud Sync did not write back in the cycles of the provisioning log read:
// each object that failed or was skipped there, with how often and since when, the newest error or skip reason
// and what Entra recommends. Objects failing or skipped now come first, newest first; then those written back
// since (recovered), newest first. Each row knows its mailbox in the scan (ItemRole::ScanRowIndex, scanRowAt())
// through the Entra object id, which Exchange Online calls ExternalDirectoryObjectId; an object the scan does not
// hold has none.
class ProvisioningIssuesModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProvisioningIssuesModel)

public:
    enum Column : int { When, Mailbox, Domain, Result, Attempts, Code, Details, ColumnCount };

    explicit ProvisioningIssuesModel(QObject* parent = nullptr);
    ~ProvisioningIssuesModel() override;

    // One reset; looks each listed object's mailbox up once (one pass over the scan's rows).
    void setScan(std::shared_ptr<const DriftScan> scan);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int scanRowAt(int row) const { return m_rows[size_t(row)].scanRow; } // -1: not a mailbox of this scan
    bool failedAt(int row) const { return m_rows[size_t(row)].standing == TroubleStanding::FailingNow; }
    bool recoveredAt(int row) const { return m_rows[size_t(row)].standing == TroubleStanding::Recovered; }
    qint64 failureCount() const { return m_counts.failingNow; }
    qint64 skipCount() const { return m_counts.skippedNow; }
    qint64 recoveredCount() const { return m_counts.recovered; }

private:
    struct Row {
        const ProvisioningTrouble* trouble = nullptr;
        TroubleStanding standing = TroubleStanding::FailingNow;
        qint32 scanRow = -1;
        qint32 job = -1; // index into CloudSyncState::jobs, -1 when the entry names no job read
    };
    const CloudSyncState& state() const { return *m_scan->report.cloudSync; }
    QString mailboxText(const Row& row) const;
    QString attemptsText(const Row& row) const;
    QString detailsText(const ProvisioningEntry& entry) const;

    std::shared_ptr<const DriftScan> m_scan;
    std::vector<Row> m_rows;
    TroubleCounts m_counts;
};

} // namespace sunset
