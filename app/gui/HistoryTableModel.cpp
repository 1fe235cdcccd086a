// SPDX-License-Identifier: Apache-2.0
#include "HistoryTableModel.h"

#include "DriftScan.h"
#include "HistoryView.h"

namespace sunset {

HistoryTableModel::HistoryTableModel(QStringList headers, int stateColumn, QObject* parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
    , m_stateColumn(stateColumn)
{
}

HistoryTableModel::~HistoryTableModel() = default;

void HistoryTableModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int HistoryTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int HistoryTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant HistoryTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row& row = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: return index.column() < row.cells.size() ? row.cells.at(index.column()) : QString();
    case Qt::ToolTipRole:
        return row.tooltip.isEmpty() && index.column() < row.cells.size() ? row.cells.at(index.column()) : row.tooltip;
    case HistoryView::IdRole: return row.id;
    case ItemRole::Severity: return index.column() == m_stateColumn ? row.severity : -1;
    default: return {};
    }
}

QVariant HistoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < m_headers.size())
        return m_headers.at(section);
    return {};
}

} // namespace sunset
