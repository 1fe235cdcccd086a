// SPDX-License-Identifier: Apache-2.0
#include "MailboxFilterProxyModel.h"

#include "MailboxTableModel.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace sunset {

namespace {

// Where the needle starts in [from, end), or nullptr: memchr (vectorised, many GB/s) for the needle's rarest
// byte, then a compare. Addresses and names repeat a few common letters ("contoso.com", "smtp:"), so starting
// from the rarest byte skips most of the text; memmem would stop at every common first letter.
const char* findNeedle(const char* from, const char* end, const QByteArray& needle, qsizetype rareAt)
{
    const size_t length = size_t(needle.size());
    const char rare = needle[rareAt];
    for (const char* p = from + rareAt; p < end;) {
        const auto* hit = static_cast<const char*>(std::memchr(p, rare, size_t(end - p)));
        if (!hit)
            return nullptr;
        const char* start = hit - rareAt;
        if (size_t(end - start) >= length && std::memcmp(start, needle.constData(), length) == 0)
            return start;
        p = hit + 1;
    }
    return nullptr;
}

// Which of 64 classes a byte of search text falls in: one each for a-z, 0-9 and the common punctuation of
// names, addresses and DNs; the rest share classes. A row's signature has the bit of every byte it holds.
int textSignatureClass(quint8 c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a'; // 0..25
    if (c >= '0' && c <= '9')
        return 26 + (c - '0'); // 26..35
    switch (c) {
    case '.': return 36;
    case '@': return 37;
    case '-': return 38;
    case '_': return 39;
    case ' ': return 40;
    case ',': return 41;
    case '=': return 42;
    case ':': return 43;
    default: break;
    }
    if (c >= 0x80)
        return 44 + (c & 15); // 44..59: UTF-8 lead and continuation bytes by their low bits
    return 60 + (c & 3);      // 60..63: everything else
}

quint64 textSignatureBit(quint8 c)
{
    return quint64(1) << textSignatureClass(c);
}

bool textSignatureExact(quint8 c)
{
    return textSignatureClass(c) < 44; // a class of its own
}

} // namespace

MailboxFilterProxyModel::MailboxFilterProxyModel(QObject* parent) : QAbstractProxyModel(parent) {}

MailboxFilterProxyModel::~MailboxFilterProxyModel() = default;

void MailboxFilterProxyModel::setSourceModel(QAbstractItemModel* model)
{
    auto* source = qobject_cast<MailboxTableModel*>(model);
    Q_ASSERT_X(source || !model, "MailboxFilterProxyModel", "the source must be a MailboxTableModel");
    beginResetModel();
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    QAbstractProxyModel::setSourceModel(source);
    if (m_source) {
        // MailboxTableModel changes only by resets (a new scan): one reset here too.
        connect(m_source, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); });
        connect(m_source, &QAbstractItemModel::modelReset, this, [this] {
            m_hitsNeedle.clear();
            countBytes();
            sortRows();
            filterRows();
            endResetModel();
        });
        // What changed since the last scan arrives after the scan is shown (the history is read on a worker).
        connect(m_source, &MailboxTableModel::sinceScanChanged, this, [this] {
            if (m_quickFilter == QuickFilter::NewSinceLastScan)
                refilter();
        });
    }
    m_hitsNeedle.clear();
    countBytes();
    sortRows();
    filterRows();
    endResetModel();
}

void MailboxFilterProxyModel::countBytes()
{
    // One pass over every row's search text (about 100 MB at 600,000 mailboxes, a few hundred milliseconds with
    // the reset it belongs to): which letters each row holds, and how common each byte is.
    m_byteCounts.fill(0);
    m_signatures.clear();
    if (!m_source || !m_source->scan())
        return;
    const DriftScan& scan = *m_source->scan();
    m_signatures.resize(scan.rows().size());
    for (size_t i = 0; i < scan.rows().size(); ++i) {
        quint64 signature = 0;
        for (char c : scan.searchText(scan.rows()[i])) {
            signature |= textSignatureBit(quint8(c));
            if ((i & 31) == 0) // a sample is enough to tell common letters from rare ones
                ++m_byteCounts[quint8(c)];
        }
        m_signatures[i] = signature;
    }
}

void MailboxFilterProxyModel::setSearchText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_searchText)
        return;
    m_searchText = trimmed;
    m_needle = trimmed.toLower().toUtf8();
    refilter();
}

void MailboxFilterProxyModel::setQuickFilter(QuickFilter filter)
{
    if (filter == m_quickFilter)
        return;
    m_quickFilter = filter;
    refilter();
}

void MailboxFilterProxyModel::setAttributeFilter(std::optional<AttributeId> attribute)
{
    if (attribute == m_attribute)
        return;
    m_attribute = attribute;
    refilter();
}

void MailboxFilterProxyModel::setCauseFilter(std::optional<DriftCause> cause)
{
    if (cause == m_cause)
        return;
    m_cause = cause;
    refilter();
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
    case QuickFilter::NewSinceLastScan: return tr("New since last scan");
    }
    return {};
}

bool MailboxFilterProxyModel::acceptsRow(const ScanRow& row, int sourceRow) const
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
    case QuickFilter::NewSinceLastScan:
        if (m_source->newDriftAttributes(sourceRow) == 0)
            return false;
        break;
    }
    if (m_attribute && !(row.driftAttributes & (1u << unsigned(*m_attribute))))
        return false;
    if (m_cause && !(row.driftCauses & (1u << unsigned(*m_cause))))
        return false;
    if (!m_needle.isEmpty() && !m_hits[size_t(sourceRow)])
        return false;
    return true;
}

void MailboxFilterProxyModel::searchRows()
{
    if (m_needle.isEmpty() || !m_source || !m_source->scan()) {
        m_hitsNeedle.clear();
        return;
    }
    if (m_needle == m_hitsNeedle)
        return;
    const DriftScan& scan = *m_source->scan();
    const std::vector<ScanRow>& rows = scan.rows();
    qsizetype rareAt = 0;
    quint64 needleSignature = 0;
    for (qsizetype i = 0; i < m_needle.size(); ++i) {
        needleSignature |= textSignatureBit(quint8(m_needle[i]));
        if (m_byteCounts[quint8(m_needle[i])] < m_byteCounts[quint8(m_needle[rareAt])])
            rareAt = i;
    }
    // One letter or digit has a signature bit of its own: the signature alone answers.
    const bool signatureDecides = m_needle.size() == 1 && textSignatureExact(quint8(m_needle[0]));
    // Typing one more letter (or any text that contains the previous search) can only narrow the hits.
    const bool narrowing = !m_hitsNeedle.isEmpty() && m_needle.contains(m_hitsNeedle) && m_hits.size() == rows.size();
    if (!narrowing)
        m_hits.assign(rows.size(), 1);
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!m_hits[i])
            continue;
        // Most rows lack one of the needle's letters: a 64-bit test rules them out without reading their text.
        if ((m_signatures[i] & needleSignature) != needleSignature) {
            m_hits[i] = 0;
            continue;
        }
        if (signatureDecides)
            continue;
        const QByteArrayView text = scan.searchText(rows[i]);
        m_hits[i] = findNeedle(text.data(), text.data() + text.size(), m_needle, rareAt) != nullptr;
    }
    m_hitsNeedle = m_needle;
}

void MailboxFilterProxyModel::sortRows()
{
    const int n = m_source ? m_source->rowCount() : 0;
    m_order.resize(size_t(n));
    std::iota(m_order.begin(), m_order.end(), 0);
    if (m_sortColumn < 0 || n == 0)
        return;
    // One 64-bit key per row: the column's key (reversed for a descending sort), then the name rank; the row
    // number breaks the remaining ties. Every column's key fits in 32 bits (ranks < rows, counts < 65,536).
    struct Keyed {
        quint64 key;
        int row;
    };
    std::vector<Keyed> keyed(static_cast<size_t>(n));
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    for (int r = 0; r < n; ++r) {
        const quint32 primary = quint32(m_source->sortKey(r, m_sortColumn) + 1); // severity starts at -1
        keyed[size_t(r)] = {(quint64(descending ? ~primary : primary) << 32) | m_source->nameRank(r), r};
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const Keyed& a, const Keyed& b) { return a.key != b.key ? a.key < b.key : a.row < b.row; });
    for (int i = 0; i < n; ++i)
        m_order[size_t(i)] = keyed[size_t(i)].row;
}

void MailboxFilterProxyModel::filterRows()
{
    searchRows();
    const size_t n = m_order.size();
    m_visible.clear();
    m_proxyOf.assign(n, -1);
    if (!m_source || n == 0)
        return;
    const bool all = m_quickFilter == QuickFilter::All && !m_attribute && !m_cause && m_needle.isEmpty();
    if (all) {
        m_visible = m_order;
    } else if (m_quickFilter == QuickFilter::All && !m_attribute && !m_cause) {
        // A search alone: the hit flags say it all, no need to touch the rows themselves.
        m_visible.reserve(n);
        for (int sourceRow : m_order)
            if (m_hits[size_t(sourceRow)])
                m_visible.push_back(sourceRow);
        m_visible.shrink_to_fit();
    } else {
        m_visible.reserve(n);
        for (int sourceRow : m_order)
            if (acceptsRow(m_source->scanRow(sourceRow), sourceRow))
                m_visible.push_back(sourceRow);
        m_visible.shrink_to_fit();
    }
    for (size_t p = 0; p < m_visible.size(); ++p)
        m_proxyOf[size_t(m_visible[p])] = int(p);
}

void MailboxFilterProxyModel::refilter()
{
    beginResetModel();
    filterRows();
    endResetModel();
}

void MailboxFilterProxyModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // The selection and current row follow their mailboxes to the new positions.
    const QModelIndexList before = persistentIndexList();
    std::vector<std::pair<int, int>> sources; // source row, column
    sources.reserve(size_t(before.size()));
    for (const QModelIndex& index : before)
        sources.emplace_back(index.isValid() ? m_visible[size_t(index.row())] : -1, index.column());
    m_sortColumn = column;
    m_sortOrder = order;
    sortRows();
    filterRows();
    QModelIndexList after;
    after.reserve(before.size());
    for (const auto& [sourceRow, col] : sources) {
        const int proxyRow = sourceRow < 0 ? -1 : m_proxyOf[size_t(sourceRow)];
        after.append(proxyRow < 0 ? QModelIndex() : createIndex(proxyRow, col));
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

QModelIndex MailboxFilterProxyModel::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= int(m_visible.size()) || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex MailboxFilterProxyModel::parent(const QModelIndex&) const
{
    return {};
}

QModelIndex MailboxFilterProxyModel::sibling(int row, int column, const QModelIndex&) const
{
    return index(row, column);
}

int MailboxFilterProxyModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int MailboxFilterProxyModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_source ? 0 : m_source->columnCount();
}

bool MailboxFilterProxyModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0 && columnCount(parent) > 0;
}

QModelIndex MailboxFilterProxyModel::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!m_source || !proxyIndex.isValid() || proxyIndex.model() != this ||
        proxyIndex.row() >= int(m_visible.size()))
        return {};
    return m_source->index(m_visible[size_t(proxyIndex.row())], proxyIndex.column());
}

QModelIndex MailboxFilterProxyModel::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!m_source || !sourceIndex.isValid() || sourceIndex.row() >= int(m_proxyOf.size()))
        return {};
    const int row = m_proxyOf[size_t(sourceIndex.row())];
    return row < 0 ? QModelIndex() : createIndex(row, sourceIndex.column());
}

QVariant MailboxFilterProxyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_source)
        return {};
    if (orientation == Qt::Vertical)
        return role == Qt::DisplayRole && section >= 0 && section < int(m_visible.size()) ? QVariant(section + 1)
                                                                                         : QVariant();
    return m_source->headerData(section, orientation, role);
}

} // namespace sunset
