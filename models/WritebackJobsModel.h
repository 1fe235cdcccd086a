// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudSyncState.h"

#include <QAbstractTableModel>

#include <memory>

namespace sunset {

// The Writeback panel's job list: one row per Cloud Sync writeback job (one per AD domain) of the scan's
// CloudSyncState, with what decides whether it is writing back now. Times are UTC, as the Entra portal and the
// CLI give them. Cells that need the admin's attention carry ItemRole::Severity (the ui delegate colours them).
class WritebackJobsModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WritebackJobsModel)

public:
    enum Column : int { Domain, State, QuarantinedSince, LastSuccessfulRun, NextRunDue, MappingsMissing,
                        ObjectsInScope, ColumnCount };

    explicit WritebackJobsModel(QObject* parent = nullptr);
    ~WritebackJobsModel() override;

    void setState(std::shared_ptr<const CloudSyncState> state); // one reset; null shows nothing
    const std::shared_ptr<const CloudSyncState>& state() const { return m_state; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant text(const WritebackJob& job, int column) const;
    QVariant toolTip(const WritebackJob& job, int column) const;
    QVariant severity(const WritebackJob& job, int column) const;

    std::shared_ptr<const CloudSyncState> m_state;
};

// "2026-11-24 09:12 UTC", or an empty string for 0 (unknown or never).
QString writebackPanelTime(qint64 msecs);

} // namespace sunset
