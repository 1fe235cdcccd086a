// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace sunset {

// One table of the history view: rows of display texts with the record's id (HistoryView::IdRole on column 0)
// and a severity for the state column's colour. Filled in one reset by HistoryPresenter from the store.
class HistoryTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryTableModel)

public:
    struct Row {
        qint64 id = 0;
        QStringList cells;
        int severity = -1;    // ItemRole::Severity of stateColumn, -1 none
        QString tooltip;
    };

    HistoryTableModel(QStringList headers, int stateColumn, QObject* parent = nullptr);
    ~HistoryTableModel() override;

    void setRows(std::vector<Row> rows);
    const Row& rowAt(int row) const { return m_rows[size_t(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_headers;
    int m_stateColumn = -1;
    std::vector<Row> m_rows;
};

} // namespace sunset
