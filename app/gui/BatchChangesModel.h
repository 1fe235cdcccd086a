// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"

#include <QAbstractTableModel>
#include <QHash>

#include <vector>

namespace sunset {

// The changes of one batch, one row per attribute of an object: what is deleted and added (invisible
// whitespace made visible, as in the side-by-side view) and, once stored, the state with its LDAP result.
// Filled from a planned WritebackBatch (review) or from the history's StoredChanges; outcomes are merged in
// by change id as they arrive (O(1) look-up, one dataChanged per update).
class BatchChangesModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchChangesModel)

public:
    enum Column : int { Object, Attribute, Delete, Add, Result, ColumnCount };

    explicit BatchChangesModel(QObject* parent = nullptr);
    ~BatchChangesModel() override;

    void setBatch(const WritebackBatch& batch);
    void setChanges(const std::vector<StoredChange>& changes);
    void updateChanges(const std::vector<StoredChange>& changes); // rows not in the model are ignored

    std::optional<ChangeState> stateAt(int row) const; // nullopt for a batch not stored yet
    QString dnAt(int row) const;

    static QString stateText(ChangeState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        qint64 id = 0;
        QString dn;
        QString label;
        AttributeId attribute = AttributeId::ExtensionAttribute1;
        QStringList before;
        QStringList after;
        std::optional<ChangeState> state;
        int ldapCode = 0;
        QString message;
    };
    static Row rowFrom(const StoredChange& change);
    QString resultText(const Row& row) const;

    std::vector<Row> m_rows;
    QHash<qint64, int> m_rowOfId;
};

} // namespace sunset
