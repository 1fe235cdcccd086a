#pragma once

#include "AttributeCatalog.h"

#include <QByteArray>
#include <QSortFilterProxyModel>

#include <optional>

namespace sunset {

class MailboxTableModel;
struct ScanRow;

// Search, quick filter and attribute filter over a MailboxTableModel. Every test reads the scan's precomputed
// row data: a keystroke over 600,000 rows is a memory scan, not 600,000 QString constructions.
class MailboxFilterProxyModel final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MailboxFilterProxyModel)

public:
    enum class QuickFilter : quint8 { All, DriftOnly, Critical, OnlyInAd, OnlyInCloud, Ambiguous, NotCloudManaged };

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

    static QString quickFilterLabel(QuickFilter filter);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    bool acceptsRow(const ScanRow& row, int sourceRow) const;

    MailboxTableModel* m_source = nullptr;
    QString m_searchText;
    QByteArray m_needle; // lower-cased UTF-8
    QuickFilter m_quickFilter = QuickFilter::All;
    std::optional<AttributeId> m_attribute;
};

} // namespace sunset
