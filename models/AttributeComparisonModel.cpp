// SPDX-License-Identifier: Apache-2.0
#include "AttributeComparisonModel.h"

#include "DriftCauseFinder.h"
#include "Identity.h"
#include "ProxyAddress.h"
#include "RecipientType.h"

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

// --- WritebackTicks ---

WritebackTicks::WritebackTicks(QObject* parent) : QObject(parent) {}

WritebackTicks::~WritebackTicks() = default;

void WritebackTicks::setSelected(qint32 pair, AttributeId attribute, bool selected)
{
    const quint64 k = key(pair, attribute);
    if (selected == m_keys.contains(k))
        return;
    if (selected)
        m_keys.insert(k);
    else
        m_keys.remove(k);
    Q_EMIT changed();
}

void WritebackTicks::clear()
{
    if (m_keys.isEmpty())
        return;
    m_keys.clear();
    Q_EMIT changed();
}

std::vector<WritebackTicks::Entry> WritebackTicks::entries() const
{
    std::vector<quint64> keys(m_keys.begin(), m_keys.end());
    std::sort(keys.begin(), keys.end());
    std::vector<Entry> out;
    out.reserve(keys.size());
    for (quint64 k : keys)
        out.push_back({qint32(k >> 8), AttributeId(k & 0xff)});
    return out;
}

// --- AttributeComparisonModel ---

namespace {

constexpr QChar kVisibleSpace(0x00B7); // ·
constexpr QChar kVisibleTab(0x2192);   // →

// Leading and trailing spaces and every tab become visible marks: "Finance " and "Finance" must not look alike.
QString makeVisible(const QString& value, int lineStart, QList<HighlightSpan>& spans)
{
    QString out = value;
    qsizetype lead = 0;
    while (lead < out.size() && out.at(lead) == u' ')
        ++lead;
    qsizetype trail = 0;
    while (trail < out.size() - lead && out.at(out.size() - 1 - trail) == u' ')
        ++trail;
    auto mark = [&](qsizetype from, qsizetype count, QChar with) {
        for (qsizetype i = from; i < from + count; ++i)
            out[i] = with;
        spans.append({lineStart + int(from), int(count), HighlightKind::Invisible});
    };
    if (lead > 0)
        mark(0, lead, kVisibleSpace);
    if (trail > 0)
        mark(out.size() - trail, trail, kVisibleSpace);
    for (qsizetype i = 0; i < out.size(); ++i)
        if (out.at(i) == u'\t')
            mark(i, 1, kVisibleTab);
    return out;
}

QString valueText(QByteArrayView v) { return QString::fromUtf8(v); }

bool isProxyList(const AttributeSpec& spec) { return spec.rule == ComparisonRule::ProxyAddressSet; }

bool isPrimaryProxy(const QString& value) { return value.startsWith(u"SMTP:"_s); }

bool isTypeRule(ComparisonRule rule)
{
    return rule == ComparisonRule::RecipientTypeDetails || rule == ComparisonRule::RecipientDisplayType ||
           rule == ComparisonRule::RemoteRecipientType;
}

// What the cloud says for an attribute without drift, in the same terms the drift engine uses when it differs.
QStringList cloudStatement(const AttributeSpec& spec, const MailboxRecord& cloud)
{
    const ValueList values = cloud.cloudValues(spec.cloudProperty);
    if (spec.rule == ComparisonRule::TargetAddress) {
        QStringList routing;
        for (QByteArrayView v : values) {
            const ProxyAddress p(v);
            const QByteArrayView suffix(".mail.onmicrosoft.com");
            if (p.isSmtp() && p.address().size() > suffix.size() &&
                equalsCaseInsensitive(p.address().last(suffix.size()), suffix))
                routing << u"SMTP:"_s + valueText(p.address());
        }
        return routing;
    }
    return values.toStringList();
}

} // namespace

AttributeComparisonModel::Cell AttributeComparisonModel::buildCell(std::vector<ShownValue> values, bool sortValues,
                                                                   bool markMissing, int maxShown)
{
    Cell cell;
    if (sortValues) {
        // A stable order both columns share, so the same address sits on the same line; the primary leads.
        std::stable_sort(values.begin(), values.end(), [](const ShownValue& a, const ShownValue& b) {
            if (a.primary != b.primary)
                return a.primary;
            const int c = a.text.compare(b.text, Qt::CaseInsensitive);
            return c != 0 ? c < 0 : a.text < b.text;
        });
    }
    for (const ShownValue& v : values)
        cell.values << v.text;
    if (values.empty()) {
        if (markMissing) {
            cell.text = tr("(not set)");
            cell.spans.append({0, int(cell.text.size()), HighlightKind::Note});
        }
        return cell;
    }
    // Cut long lists but never a differing value: those are what the admin came for.
    const int alwaysShown = int(std::count_if(values.begin(), values.end(),
                                              [](const ShownValue& v) { return v.onlyHere || v.primary; }));
    int sameBudget = std::max(0, maxShown - alwaysShown);
    int hidden = 0;
    QStringList lines;
    for (const ShownValue& v : values) {
        if (!v.onlyHere && !v.primary) {
            if (sameBudget == 0) {
                ++hidden;
                continue;
            }
            --sameBudget;
        }
        if (!cell.text.isEmpty())
            cell.text += u'\n';
        const int start = int(cell.text.size());
        if (v.text.isEmpty()) {
            const QString empty = tr("(empty string)");
            cell.spans.append({start, int(empty.size()), HighlightKind::Invisible});
            cell.text += empty;
        } else {
            cell.text += makeVisible(v.text, start, cell.spans);
        }
        if (v.onlyHere)
            cell.spans.append({start, int(cell.text.size()) - start, HighlightKind::OnlyThisSide});
        if (v.primary) {
            const QString marker = u" "_s + tr("(primary)");
            cell.spans.append({int(cell.text.size()) + 1, int(marker.size()) - 1, HighlightKind::Primary});
            cell.text += marker;
        }
    }
    if (hidden > 0) {
        const QString note = tr("… %n more, the same on both sides (Copy gives all)", nullptr, hidden);
        cell.text += u'\n';
        cell.spans.append({int(cell.text.size()), int(note.size()), HighlightKind::Note});
        cell.text += note;
    }
    return cell;
}

AttributeComparisonModel::AttributeComparisonModel(QObject* parent) : QAbstractTableModel(parent) {}

AttributeComparisonModel::~AttributeComparisonModel() = default;

void AttributeComparisonModel::setWritebackSelection(WritebackTicks* selection)
{
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection;
    if (m_selection)
        connect(m_selection, &WritebackTicks::changed, this, &AttributeComparisonModel::onSelectionChanged);
    onSelectionChanged();
}

void AttributeComparisonModel::onSelectionChanged()
{
    if (!m_lines.empty())
        Q_EMIT dataChanged(index(0, Attribute), index(rowCount() - 1, Attribute), {Qt::CheckStateRole});
}

void AttributeComparisonModel::setMailbox(std::shared_ptr<const DriftScan> scan, int scanRow, quint32 newSinceLastScan)
{
    beginResetModel();
    m_scan = std::move(scan);
    m_scanRow = m_scan && scanRow >= 0 && size_t(scanRow) < m_scan->rows().size() ? scanRow : -1;
    m_newSinceLastScan = m_scanRow < 0 ? 0 : newSinceLastScan;
    if (m_scanRow < 0)
        m_scan.reset();
    build();
    endResetModel();
}

std::optional<AttributeId> AttributeComparisonModel::attributeAt(int row) const
{
    return row >= 0 && size_t(row) < m_lines.size() ? m_lines[size_t(row)].attribute : std::nullopt;
}

void AttributeComparisonModel::build()
{
    m_lines.clear();
    if (!m_scan)
        return;
    m_lines.reserve(size_t(IdentityRowCount + kAttributeCount));
    for (int i = 0; i < IdentityRowCount; ++i)
        m_lines.push_back(identityLine(IdentityRow(i)));
    for (const AttributeSpec& spec : AttributeCatalog::all())
        m_lines.push_back(attributeLine(spec));
}

AttributeComparisonModel::Line AttributeComparisonModel::identityLine(IdentityRow which) const
{
    const ScanRow& row = m_scan->rows()[size_t(m_scanRow)];
    const MailboxRecord* ad = m_scan->adRecord(row);
    const MailboxRecord* cloud = m_scan->cloudRecord(row);
    Line line;
    QString cloudValue, adValue;
    bool caseInsensitive = false;
    auto field = [](const MailboxRecord* r, IdentityField f) { return r ? r->identityText(f) : QString(); };
    switch (which) {
    case UpnRow:
        line.label = u"userPrincipalName"_s;
        line.tooltip = tr("User principal name (Exchange Online: UserPrincipalName)");
        cloudValue = field(cloud, IdentityField::UserPrincipalName);
        adValue = field(ad, IdentityField::UserPrincipalName);
        caseInsensitive = true;
        break;
    case PrimarySmtpRow:
        line.label = tr("Primary SMTP address");
        line.tooltip = tr("Exchange Online: PrimarySmtpAddress; AD: the SMTP: entry of proxyAddresses, else mail");
        cloudValue = field(cloud, IdentityField::PrimarySmtpAddress);
        adValue = field(ad, IdentityField::PrimarySmtpAddress);
        caseInsensitive = true;
        break;
    case SourceAnchorRow: {
        line.label = tr("Source anchor");
        line.tooltip = tr("Entra onPremisesImmutableId; in AD the base64 of ms-DS-ConsistencyGuid, else objectGUID");
        cloudValue = field(cloud, IdentityField::ImmutableId);
        if (ad) {
            const QByteArrayView guid = ad->has(IdentityField::ConsistencyGuid)
                                            ? ad->identity(IdentityField::ConsistencyGuid)
                                            : ad->identity(IdentityField::ObjectGuid);
            if (!guid.isEmpty())
                adValue = QString::fromLatin1(sourceAnchorOf(guid));
        }
        break;
    }
    case ObjectSidRow:
        line.label = u"objectSid"_s;
        line.tooltip = tr("Entra onPremisesSecurityIdentifier; AD objectSid");
        cloudValue = field(cloud, IdentityField::ObjectSid);
        adValue = field(ad, IdentityField::ObjectSid);
        break;
    case ObjectIdRow:
        line.label = u"ExternalDirectoryObjectId"_s;
        line.tooltip = tr("The Entra object id; AD keeps it in msDS-ExternalDirectoryObjectId as User_<id>");
        cloudValue = field(cloud, IdentityField::ExternalDirectoryObjectId);
        adValue = field(ad, IdentityField::ExternalDirectoryObjectId);
        break;
    case MatchedByRow: {
        line.label = tr("Matched by");
        line.tooltip = tr("The key that paired the AD object with the Exchange Online mailbox");
        const QString status = mailboxStatusLabel(row);
        line.cloud = buildCell({{status, false, false}}, false, false, kMaxValuesShown);
        switch (row.status) {
        case MailboxStatus::Matched:
            if (isSoftMatch(row.matchKey))
                line.cause = tr("Soft match: no source anchor, objectSid or object id joins the two sides. Confirm "
                                "it is the same person before writing anything back.");
            break;
        case MailboxStatus::OnlyInAd:
            line.cause = tr("No Exchange Online mailbox matches this AD object: the cloud mailbox may have been "
                            "removed, or the object is out of the sync scope.");
            break;
        case MailboxStatus::OnlyInCloud:
            line.cause = tr("No AD object matches this mailbox: it was created in the cloud, or its AD object is "
                            "outside the export.");
            break;
        case MailboxStatus::Ambiguous:
            line.cause = tr("Not paired: %1").arg(m_scan->report.match.ambiguous[size_t(row.ambiguousGroup)].reason);
            break;
        }
        return line;
    }
    case IdentityRowCount: break;
    }
    const bool both = ad && cloud && !cloudValue.isEmpty() && !adValue.isEmpty();
    const bool differs = both && cloudValue.compare(adValue, caseInsensitive ? Qt::CaseInsensitive : Qt::CaseSensitive) != 0;
    std::vector<ShownValue> c, a;
    if (!cloudValue.isEmpty())
        c.push_back({cloudValue, differs, false});
    if (!adValue.isEmpty())
        a.push_back({adValue, differs, false});
    line.cloud = buildCell(std::move(c), false, false, kMaxValuesShown);
    line.ad = buildCell(std::move(a), false, false, kMaxValuesShown);
    if (differs)
        line.cause = tr("The two sides hold different values.");
    return line;
}

AttributeComparisonModel::Line AttributeComparisonModel::attributeLine(const AttributeSpec& spec) const
{
    const ScanRow& row = m_scan->rows()[size_t(m_scanRow)];
    const MailboxRecord* ad = m_scan->adRecord(row);
    const MailboxRecord* cloud = m_scan->cloudRecord(row);
    const DriftItem* item = m_scan->driftItem(row, spec.id);

    Line line;
    line.attribute = spec.id;
    line.label = QString(spec.ldapName);
    line.tooltip = tr("%1\nExchange Online: %2\n%3")
                       .arg(QString(spec.whatItIs), QString(spec.exoName),
                            spec.writtenBackByCloudSync ? tr("Entra Cloud Sync writes it back to AD.")
                                                        : tr("Entra Cloud Sync does not write it back."));
    const bool proxies = isProxyList(spec);
    const bool sortValues = spec.multiValued || proxies;

    std::vector<ShownValue> cloudShown;
    if (cloud) {
        const QStringList values = item ? item->cloud : cloudStatement(spec, *cloud);
        for (const QString& v : values)
            cloudShown.push_back({v, item && item->onlyInCloud.contains(v), proxies && isPrimaryProxy(v)});
    }
    std::vector<ShownValue> adShown;
    if (ad) {
        for (QByteArrayView raw : ad->adValues(spec.id)) {
            const QString v = valueText(raw);
            adShown.push_back({decodedAdValue(spec.id, v), item && item->onlyInAd.contains(v),
                               proxies && isPrimaryProxy(v)});
        }
    }
    line.cloud = buildCell(std::move(cloudShown), sortValues, item != nullptr, kMaxValuesShown);
    line.ad = buildCell(std::move(adShown), sortValues, item != nullptr, kMaxValuesShown);

    if (item) {
        line.severity = int(item->severity);
        line.checkable = item->writable && row.status == MailboxStatus::Matched;
        line.cause = causeInWords(*item, *m_scan->report.cloudSync);
        if (item->writable && (isTypeRule(spec.rule) || item->adTarget.isEmpty())) {
            QStringList target;
            for (const QString& t : item->adTarget)
                target << decodedAdValue(spec.id, t);
            line.cause += u'\n' + (target.isEmpty() ? tr("To match, AD must clear the attribute.")
                                                    : tr("To match, AD needs: %1").arg(target.join(u"; "_s)));
        }
    }
    return line;
}

QString AttributeComparisonModel::title() const
{
    if (!m_scan)
        return {};
    const ScanRow& row = m_scan->rows()[size_t(m_scanRow)];
    QString name = QString::fromUtf8(m_scan->displayName(row));
    if (name.isEmpty())
        name = QString::fromUtf8(m_scan->userPrincipalName(row));
    switch (row.status) {
    case MailboxStatus::Matched: return tr("%1 — matched by %2").arg(name, matchKeyLabel(row.matchKey));
    case MailboxStatus::OnlyInAd: return tr("%1 — only in Active Directory").arg(name);
    case MailboxStatus::OnlyInCloud: return tr("%1 — only in Exchange Online").arg(name);
    case MailboxStatus::Ambiguous: return tr("%1 — ambiguous, not paired").arg(name);
    }
    return name;
}

QString AttributeComparisonModel::toPlainText() const
{
    if (!m_scan)
        return {};
    QString out = title() + u'\n';
    out += headerData(Attribute, Qt::Horizontal).toString() + u'\t' +
           headerData(ExchangeOnline, Qt::Horizontal).toString() + u'\t' +
           headerData(ActiveDirectory, Qt::Horizontal).toString() + u'\t' +
           headerData(LikelyCause, Qt::Horizontal).toString() + u'\n';
    for (const Line& line : m_lines) {
        QString cause = line.cause;
        cause.replace(u'\n', u' ');
        out += (line.severity >= 0 ? u"* "_s : QString()) + line.label + u'\t' + line.cloud.values.join(u"; "_s) +
               u'\t' + line.ad.values.join(u"; "_s) + u'\t' + cause + u'\n';
    }
    return out;
}

int AttributeComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int AttributeComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AttributeComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Line& line = m_lines[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Attribute: return isNewSinceLastScan(line) ? tr("%1 · new").arg(line.label) : line.label;
        case ExchangeOnline: return line.cloud.text;
        case ActiveDirectory: return line.ad.text;
        case LikelyCause: return line.cause;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Attribute && isNewSinceLastScan(line))
            return tr("%1\nThis drift is new since the last scan.").arg(line.tooltip);
        if (column == Attribute)
            return line.tooltip;
        if (column == LikelyCause && !line.cause.isEmpty())
            return line.cause;
        return {};
    case Qt::CheckStateRole:
        if (column == Attribute && line.checkable && line.attribute) {
            const qint32 pair = m_scan->rows()[size_t(m_scanRow)].pair;
            return m_selection && m_selection->contains(pair, *line.attribute) ? Qt::Checked : Qt::Unchecked;
        }
        return {};
    case Qt::TextAlignmentRole:
        // Multi-line cells: the first values of both sides sit on the same line. The attribute name stays
        // centred beside its check box, which the style always centres.
        return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | (column == Attribute ? Qt::AlignVCenter : Qt::AlignTop)));
    case ItemRole::HighlightSpans:
        if (column == ExchangeOnline && !line.cloud.spans.isEmpty())
            return QVariant::fromValue(line.cloud.spans);
        if (column == ActiveDirectory && !line.ad.spans.isEmpty())
            return QVariant::fromValue(line.ad.spans);
        return {};
    case ItemRole::RowTint:
        return line.severity >= 0 ? QVariant(line.severity) : QVariant();
    case ItemRole::Severity:
        return column == Attribute && line.severity >= 0 ? QVariant(line.severity) : QVariant();
    case ItemRole::ScanRowIndex: return m_scanRow;
    case ItemRole::NewSinceLastScan: return isNewSinceLastScan(line);
    default: return {};
    }
}

bool AttributeComparisonModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::CheckStateRole || !checkIndex(index, CheckIndexOption::IndexIsValid) ||
        index.column() != Attribute || !m_selection)
        return false;
    const Line& line = m_lines[size_t(index.row())];
    if (!line.checkable || !line.attribute)
        return false;
    const qint32 pair = m_scan->rows()[size_t(m_scanRow)].pair;
    // The selection's changed() signal refreshes the check boxes.
    m_selection->setSelected(pair, *line.attribute, value.value<Qt::CheckState>() == Qt::Checked);
    return true;
}

Qt::ItemFlags AttributeComparisonModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Attribute && m_lines[size_t(index.row())].checkable && m_selection)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant AttributeComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Attribute: return tr("Attribute");
    case ExchangeOnline: return tr("Exchange Online");
    case ActiveDirectory: return tr("Active Directory");
    case LikelyCause: return tr("Cause");
    }
    return {};
}

} // namespace sunset
