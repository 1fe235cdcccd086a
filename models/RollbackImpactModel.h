// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RollbackImpact.h"

#include <QAbstractTableModel>

#include <utility>
#include <vector>

namespace sunset {

// The rollback impact as a table: one row per attribute a mailbox would have overwritten, for the GUI's dialog.
// Multi-valued attributes show the values lost and gained; the full values are in the tooltips.
class RollbackImpactModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RollbackImpactModel)

public:
    enum Column { Mailbox, Attribute, CloudLost, AdWins, WrittenBack, ColumnCount };

    explicit RollbackImpactModel(QObject* parent = nullptr);

    void setImpact(RollbackImpact impact);
    const RollbackImpact& impact() const { return m_impact; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    RollbackImpact m_impact;
    std::vector<std::pair<quint32, quint32>> m_rows; // (mailbox, change) per table row
};

} // namespace sunset
