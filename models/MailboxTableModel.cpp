// SPDX-License-Identifier: Apache-2.0
#include "MailboxTableModel.h"

#include <QCollator>
#include <QCollatorSortKey>

#include <algorithm>
#include <bit>
#include <numeric>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

MailboxTableModel::MailboxTableModel(QObject* parent) : QAbstractTableModel(parent) {}

MailboxTableModel::~MailboxTableModel() = default;

void MailboxTableModel::setScan(std::shared_ptr<const DriftScan> scan, NameOrder nameOrder)
{
    beginResetModel();
    m_scan = std::move(scan);
    m_nameOrder = m_scan && nameOrder && nameOrder->size() == m_scan->rows().size() ? std::move(nameOrder) : NameOrder();
    m_since.reset();
    m_newDrift.clear();
    endResetModel();
}

void MailboxTableModel::setSinceScan(std::shared_ptr<const SinceScan> since)
{
    m_since = m_scan ? std::move(since) : nullptr;
    m_newDrift.clear();
    if (m_since && !m_since->newDrift.empty()) {
        // Only the rows with drift can have new drift: a key is made for those alone (a few percent of a tenant).
        const std::vector<ScanRow>& rows = m_scan->rows();
        m_newDrift.assign(rows.size(), 0u);
        for (size_t i = 0; i < rows.size(); ++i) {
            const ScanRow& row = rows[i];
            if (row.pair < 0 || row.driftCount == 0)
                continue;
            const QByteArray key = scanMailboxKey(m_scan->adRecord(row), m_scan->cloudRecord(row));
            for (const DriftItem& item : m_scan->driftOf(row))
                if (m_since->isNew(key, item.attribute))
                    m_newDrift[i] |= 1u << unsigned(item.attribute);
        }
    }
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT sinceScanChanged();
}

MailboxTableModel::NameOrder MailboxTableModel::collateNames(const DriftScan& scan, const QLocale& locale)
{
    const std::vector<ScanRow>& rows = scan.rows();
    QCollator collator(locale);
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    collator.setNumericMode(true);
    std::vector<QCollatorSortKey> keys;
    keys.reserve(rows.size());
    for (const ScanRow& row : rows)
        keys.push_back(collator.sortKey(QString::fromUtf8(scan.displayName(row))));
    std::vector<quint32> order(rows.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&keys](quint32 a, quint32 b) { return keys[a].compare(keys[b]) < 0; });
    auto ranks = std::make_shared<std::vector<quint32>>(rows.size());
    quint32 rank = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        // Equal names share a rank, so the tie-break (input order) still decides between them.
        if (i > 0 && keys[order[i - 1]].compare(keys[order[i]]) != 0)
            ++rank;
        (*ranks)[order[i]] = rank;
    }
    return ranks;
}

int MailboxTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_scan ? 0 : int(m_scan->rows().size());
}

int MailboxTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 MailboxTableModel::sortKey(const ScanRow& row, int column)
{
    switch (column) {
    case DisplayName: return row.nameRank;
    case UserPrincipalName: return row.upnRank;
    // Matched pairs by key strength first, then the rows that need a decision.
    case MatchedBy: return qint64(row.status) * 16 + qint64(row.matchKey);
    case Drift: return row.driftCount;
    case Severity: return row.worstSeverity;
    case CloudManaged: return qint64(row.cloudManaged);
    case DistinguishedName: return row.dnRank;
    default: return 0;
    }
}

QVariant MailboxTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_scan || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ScanRow& row = scanRow(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case DisplayName: return QString::fromUtf8(m_scan->displayName(row));
        case UserPrincipalName: return QString::fromUtf8(m_scan->userPrincipalName(row));
        case MatchedBy: return mailboxStatusLabel(row);
        case Drift: {
            if (row.status != MailboxStatus::Matched)
                return u"—"_s;
            // The marker of drift new since the last scan: "3 · 1 new".
            if (const int fresh = std::popcount(newDriftAttributes(index.row())))
                return tr("%1 · %2 new").arg(row.driftCount).arg(fresh);
            return int(row.driftCount);
        }
        case Severity: return severityLabel(row.worstSeverity);
        case CloudManaged:
            switch (row.cloudManaged) {
            case CloudManagedState::Yes: return tr("Yes");
            case CloudManagedState::No: return tr("No");
            case CloudManagedState::Unknown: return tr("Unknown");
            case CloudManagedState::NoCloudSide: return u"—"_s;
            }
            return {};
        case DistinguishedName: return QString::fromUtf8(m_scan->distinguishedName(row));
        }
        return {};
    case Qt::ToolTipRole:
        if (column == MatchedBy && row.status == MailboxStatus::Ambiguous)
            return m_scan->report.match.ambiguous[size_t(row.ambiguousGroup)].reason;
        if (column == MatchedBy && row.status == MailboxStatus::Matched && isSoftMatch(row.matchKey))
            return tr("Matched on a soft key only: no source anchor, objectSid or object id joins the two sides. "
                      "Confirm it is the same person before writing anything back.");
        if (column == DistinguishedName || column == UserPrincipalName)
            return data(index, Qt::DisplayRole);
        if (column == Drift && newDriftAttributes(index.row()) != 0) {
            QStringList names;
            for (const DriftItem& item : m_scan->driftOf(row))
                if (newDriftAttributes(index.row()) & (1u << unsigned(item.attribute)))
                    names << QString(AttributeCatalog::spec(item.attribute).ldapName);
            return tr("New since scan %1 (%2): %3")
                .arg(m_since->previousScanId)
                .arg(QLocale().toString(m_since->previousFinished.toLocalTime(), QLocale::ShortFormat),
                     names.join(u", "_s));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == Drift)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case ItemRole::Sort: return sortKey(index.row(), column);
    case ItemRole::ScanRowIndex: return index.row();
    case ItemRole::NewSinceLastScan: return newDriftAttributes(index.row()) != 0;
    case ItemRole::Severity:
        if (column == Severity)
            return int(row.worstSeverity);
        if (column == MatchedBy && row.status != MailboxStatus::Matched)
            return int(sunset::Severity::Warning); // unpaired rows need a look as much as a warning does
        return {};
    default: return {};
    }
}

QVariant MailboxTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case DisplayName: return tr("Display name");
        case UserPrincipalName: return tr("UPN");
        case MatchedBy: return tr("Matched by");
        case Drift: return tr("Drift");
        case Severity: return tr("Severity");
        case CloudManaged: return tr("Cloud-managed");
        case DistinguishedName: return tr("Distinguished name");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case UserPrincipalName: return tr("User principal name: Exchange Online's, else AD's");
        case Drift: return tr("Number of attributes whose AD value differs from Exchange Online");
        case Severity: return tr("The worst drift on the mailbox");
        case CloudManaged: return tr("IsExchangeCloudManaged: whether Exchange Online is the source of the "
                                     "mailbox's Exchange attributes");
        }
    }
    return {};
}

} // namespace sunset
