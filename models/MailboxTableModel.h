#pragma once

#include "DriftScan.h"

#include <QAbstractTableModel>

#include <memory>

namespace sunset {

// The mailbox list: one row per ScanRow of a DriftScan. Sized for 600,000 rows: the scan precomputes every
// row's numbers on the loading thread, so a reset only swaps a pointer, data() is O(1), and the only strings
// built are the ones a view displays.
class MailboxTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MailboxTableModel)

public:
    enum Column : int { DisplayName, UserPrincipalName, MatchedBy, Drift, Severity, CloudManaged,
                        DistinguishedName, ColumnCount };

    explicit MailboxTableModel(QObject* parent = nullptr);
    ~MailboxTableModel() override;

    void setScan(std::shared_ptr<const DriftScan> scan); // one reset
    const std::shared_ptr<const DriftScan>& scan() const { return m_scan; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // For the proxy's filterAcceptsRow and lessThan: no QVariant, no strings.
    const ScanRow& scanRow(int row) const { return m_scan->rows()[size_t(row)]; }
    static qint64 sortKey(const ScanRow& row, int column);

private:
    std::shared_ptr<const DriftScan> m_scan;
};

} // namespace sunset
