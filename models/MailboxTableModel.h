// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"
#include "ScanDifference.h"

#include <QAbstractTableModel>

#include <QLocale>

#include <memory>
#include <vector>

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

    using NameOrder = std::shared_ptr<const std::vector<quint32>>;

    // One reset. nameOrder: a rank per scan row by the locale's collation (collateNames()); without it names
    // sort by their case-folded bytes.
    void setScan(std::shared_ptr<const DriftScan> scan, NameOrder nameOrder = {});
    const std::shared_ptr<const DriftScan>& scan() const { return m_scan; }

    // What changed since the previous scan of the profile, for the scan shown (null: not known): rows with drift
    // new since then are marked in the Drift column and ItemRole::NewSinceLastScan. A new scan clears it.
    void setSinceScan(std::shared_ptr<const SinceScan> since);
    const std::shared_ptr<const SinceScan>& sinceScan() const { return m_since; }
    // Bit (1 << AttributeId) per attribute of the row whose drift is new since the last scan; 0 when none.
    quint32 newDriftAttributes(int row) const { return m_newDrift.empty() ? 0u : m_newDrift[size_t(row)]; }

    // Ranks the rows' display names by the locale's collation (case-insensitive, numbers by value: "Room 9"
    // before "Room 10", "Ärger" next to "Arger"). Sort keys are made once per name and compared as bytes, so
    // this takes well under a second for 600,000 names; meant for the loading thread.
    static NameOrder collateNames(const DriftScan& scan, const QLocale& locale);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // For the proxy's filterAcceptsRow and lessThan: no QVariant, no strings.
    const ScanRow& scanRow(int row) const { return m_scan->rows()[size_t(row)]; }
    quint32 nameRank(int row) const { return m_nameOrder ? (*m_nameOrder)[size_t(row)] : scanRow(row).nameRank; }
    qint64 sortKey(int row, int column) const
    {
        return column == DisplayName ? qint64(nameRank(row)) : sortKey(scanRow(row), column);
    }
    static qint64 sortKey(const ScanRow& row, int column);

Q_SIGNALS:
    void sinceScanChanged();

private:
    std::shared_ptr<const DriftScan> m_scan;
    NameOrder m_nameOrder;
    std::shared_ptr<const SinceScan> m_since;
    std::vector<quint32> m_newDrift; // per row, see newDriftAttributes(); empty without m_since
};

} // namespace sunset
