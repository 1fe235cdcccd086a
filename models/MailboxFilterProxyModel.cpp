#include "MailboxFilterProxyModel.h"

#include "MailboxTableModel.h"

namespace sunset {

MailboxFilterProxyModel::MailboxFilterProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ItemRole::Sort);
}

MailboxFilterProxyModel::~MailboxFilterProxyModel() = default;

void MailboxFilterProxyModel::setSourceModel(QAbstractItemModel* model)
{
    m_source = qobject_cast<MailboxTableModel*>(model);
    Q_ASSERT_X(m_source || !model, "MailboxFilterProxyModel", "the source must be a MailboxTableModel");
    QSortFilterProxyModel::setSourceModel(m_source);
}

void MailboxFilterProxyModel::setSearchText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_searchText)
        return;
    m_searchText = trimmed;
    m_needle = trimmed.toLower().toUtf8();
    invalidateRowsFilter();
}

void MailboxFilterProxyModel::setQuickFilter(QuickFilter filter)
{
    if (filter == m_quickFilter)
        return;
    m_quickFilter = filter;
    invalidateRowsFilter();
}

void MailboxFilterProxyModel::setAttributeFilter(std::optional<AttributeId> attribute)
{
    if (attribute == m_attribute)
        return;
    m_attribute = attribute;
    invalidateRowsFilter();
}

QString MailboxFilterProxyModel::quickFilterLabel(QuickFilter filter)
{
    switch (filter) {
    case QuickFilter::All: return tr("All mailboxes");
    case QuickFilter::DriftOnly: return tr("With drift");
    case QuickFilter::Critical: return tr("Critical drift");
    case QuickFilter::OnlyInAd: return tr("Only in AD");
    case QuickFilter::OnlyInCloud: return tr("Only in Exchange Online");
    case QuickFilter::Ambiguous: return tr("Ambiguous matches");
    case QuickFilter::NotCloudManaged: return tr("Not cloud-managed");
    }
    return {};
}

bool MailboxFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (sourceParent.isValid() || !m_source)
        return false;
    return acceptsRow(m_source->scanRow(sourceRow), sourceRow);
}

bool MailboxFilterProxyModel::acceptsRow(const ScanRow& row, int) const
{
    switch (m_quickFilter) {
    case QuickFilter::All: break;
    case QuickFilter::DriftOnly:
        if (row.driftCount == 0)
            return false;
        break;
    case QuickFilter::Critical:
        if (row.worstSeverity != qint8(Severity::Critical))
            return false;
        break;
    case QuickFilter::OnlyInAd:
        if (row.status != MailboxStatus::OnlyInAd)
            return false;
        break;
    case QuickFilter::OnlyInCloud:
        if (row.status != MailboxStatus::OnlyInCloud)
            return false;
        break;
    case QuickFilter::Ambiguous:
        if (row.status != MailboxStatus::Ambiguous)
            return false;
        break;
    case QuickFilter::NotCloudManaged:
        if (row.cloudManaged != CloudManagedState::No)
            return false;
        break;
    }
    if (m_attribute && !(row.driftAttributes & (1u << unsigned(*m_attribute))))
        return false;
    if (!m_needle.isEmpty() && !m_source->scan()->searchText(row).contains(m_needle))
        return false;
    return true;
}

bool MailboxFilterProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const qint64 ka = m_source->sortKey(left.row(), left.column());
    const qint64 kb = m_source->sortKey(right.row(), right.column());
    if (ka != kb)
        return ka < kb;
    // Ties (most mailboxes have 0 drift) fall back to the name, then to input order, so the order is stable.
    // The view reverses lessThan for a descending sort; the tie-break stays ascending whatever the order.
    const bool descending = sortOrder() == Qt::DescendingOrder;
    const quint32 na = m_source->nameRank(left.row());
    const quint32 nb = m_source->nameRank(right.row());
    if (na != nb)
        return (na < nb) != descending;
    return (left.row() < right.row()) != descending;
}

} // namespace sunset
