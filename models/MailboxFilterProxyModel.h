// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"
#include "DriftEngine.h"

#include <QAbstractProxyModel>
#include <QByteArray>

#include <array>
#include <optional>
#include <vector>

namespace sunset {

class MailboxTableModel;
struct ScanRow;

// Sort, search, quick filter and attribute filter over a MailboxTableModel, sized for 600,000 rows. Not a
// QSortFilterProxyModel: that one sorts through lessThan(QModelIndex, QModelIndex) (n·log n index look-ups)
// and tells the view about a new filter range by range, which at this size took seconds. Here a sort is one
// std::sort of precomputed 64-bit keys (a layout change that keeps the selection), and a filter change is one
// linear pass over the sorted rows and one model reset. A search first rules rows out by a 64-bit signature of
// the letters they hold, then reads only the rest from their rarest letter; one that extends the previous
// search (typing the next letter) looks only at the rows the previous one found.
class MailboxFilterProxyModel final : public QAbstractProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MailboxFilterProxyModel)

public:
    enum class QuickFilter : quint8 {
        All, DriftOnly, Critical, OnlyInAd, OnlyInCloud, Ambiguous, NotCloudManaged,
        NewSinceLastScan, // rows with drift new since the previous scan (MailboxTableModel::setSinceScan)
    };

    explicit MailboxFilterProxyModel(QObject* parent = nullptr);
    ~MailboxFilterProxyModel() override;

    // Must be a MailboxTableModel.
    void setSourceModel(QAbstractItemModel* model) override;

    // Case-insensitive; matches display name, UPN, DN or any address of either side. Blank: no search.
    void setSearchText(const QString& text);
    QString searchText() const { return m_searchText; }
    void setQuickFilter(QuickFilter filter);
    QuickFilter quickFilter() const { return m_quickFilter; }
    void setAttributeFilter(std::optional<AttributeId> attribute); // rows whose drift includes it
    std::optional<AttributeId> attributeFilter() const { return m_attribute; }
    void setCauseFilter(std::optional<DriftCause> cause); // rows with a drift item of this cause
    std::optional<DriftCause> causeFilter() const { return m_cause; }

    static QString quickFilterLabel(QuickFilter filter);

    // Ties on the sort column go by name, then by input order, ascending whatever the order: stable and
    // predictable. Column -1: input order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QModelIndex sibling(int row, int column, const QModelIndex& idx) const override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    bool acceptsRow(const ScanRow& row, int sourceRow) const;
    void sortRows();      // m_order from the sort column and order
    void filterRows();    // m_visible and m_proxyOf from m_order and the filters
    void searchRows();    // m_hits for m_needle
    void refilter();      // filterRows() inside a model reset
    void countBytes();    // m_byteCounts and m_signatures for a new scan

    MailboxTableModel* m_source = nullptr;
    QString m_searchText;
    QByteArray m_needle; // lower-cased UTF-8
    QuickFilter m_quickFilter = QuickFilter::All;
    std::optional<AttributeId> m_attribute;
    std::optional<DriftCause> m_cause;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;

    std::vector<int> m_order;    // source rows in sort order
    std::vector<int> m_visible;  // proxy row -> source row
    std::vector<int> m_proxyOf;  // source row -> proxy row, -1 when filtered out
    std::vector<quint8> m_hits;  // per source row: its search text contains m_hitsNeedle
    QByteArray m_hitsNeedle;     // the needle m_hits was computed for; empty: none
    std::array<quint32, 256> m_byteCounts{}; // how often each byte occurs in a sample of the search texts
    std::vector<quint64> m_signatures;       // per source row: the classes of the bytes in its search text
};

} // namespace sunset
