// SPDX-License-Identifier: Apache-2.0
#include "RollbackImpactModel.h"

#include "AttributeComparisonModel.h"
#include "DriftScan.h"
#include "RollbackImpactWriter.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Every value, one a line, the lost (cloud) or gained (AD) ones highlighted, spaces made visible: the same
// cell the comparison view draws, so "Finance" and "Finance " do not look alike. Long lists keep every
// differing value and the primary address and cut the rest.
AttributeComparisonModel::Cell valuesCell(AttributeId attribute, const QStringList& values, const QStringList& changed,
                                          bool decode)
{
    const AttributeSpec& spec = AttributeCatalog::spec(attribute);
    const bool addresses = spec.rule == ComparisonRule::ProxyAddressSet;
    std::vector<AttributeComparisonModel::ShownValue> shown;
    shown.reserve(size_t(values.size()));
    for (const QString& v : values)
        shown.push_back({decode ? rollbackValueText(attribute, v) : v, spec.multiValued && changed.contains(v),
                         addresses && v.startsWith(u"SMTP:"_s)});
    return AttributeComparisonModel::buildCell(std::move(shown), addresses, true, 6);
}

} // namespace

RollbackImpactModel::RollbackImpactModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void RollbackImpactModel::setImpact(RollbackImpact impact)
{
    beginResetModel();
    m_impact = std::move(impact);
    m_rows.clear();
    for (quint32 m = 0; m < quint32(m_impact.mailboxes.size()); ++m)
        for (quint32 c = 0; c < quint32(m_impact.mailboxes[m].changes.size()); ++c)
            m_rows.emplace_back(m, c);
    endResetModel();
}

int RollbackImpactModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RollbackImpactModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RollbackImpactModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const auto [m, c] = m_rows[size_t(index.row())];
    const RollbackMailbox& mailbox = m_impact.mailboxes[m];
    const RollbackChange& change = mailbox.changes[c];
    const AttributeSpec& spec = AttributeCatalog::spec(change.attribute);
    if (role == Qt::DisplayRole || role == ItemRole::HighlightSpans) {
        AttributeComparisonModel::Cell cell;
        switch (index.column()) {
        case Mailbox:
            return role == Qt::DisplayRole ? QVariant(QString(mailbox.displayName + u" <"_s +
                                                              mailbox.userPrincipalName + u'>'))
                                           : QVariant();
        case Attribute:
            return role == Qt::DisplayRole ? QVariant(QString(QString(spec.ldapName) + u" ("_s + spec.exoName + u')'))
                                           : QVariant();
        case CloudLost: cell = valuesCell(change.attribute, change.cloud, change.lost, false); break;
        case AdWins: cell = valuesCell(change.attribute, change.ad, change.gained, true); break;
        case WrittenBack:
            return role == Qt::DisplayRole ? QVariant(change.writtenBack ? tr("Yes") : tr("No: cloud only"))
                                           : QVariant();
        default: return {};
        }
        if (role == Qt::DisplayRole)
            return cell.text;
        return cell.spans.isEmpty() ? QVariant() : QVariant::fromValue(cell.spans);
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Mailbox: return mailbox.distinguishedName;
        case CloudLost:
            return spec.multiValued ? tr("Highlighted: the cloud's values AD lacks, lost at the next sync.")
                                    : tr("The cloud's value, lost at the next sync.");
        case AdWins:
            return spec.multiValued ? tr("Highlighted: AD's values the cloud lacks, written to the cloud at the next "
                                         "sync.")
                                    : tr("AD's value, which the next sync writes to the cloud.");
        case WrittenBack:
            return change.writtenBack
                       ? tr("Cloud Sync writes this attribute back: the cloud value should already be in AD, and "
                            "is not (see the drift's cause).")
                       : tr("Cloud Sync never writes this attribute back: the cloud value exists only in Exchange "
                            "Online and is lost unless written to AD first.");
        default: return {};
        }
    }
    return {};
}

QVariant RollbackImpactModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Mailbox: return tr("Mailbox");
    case Attribute: return tr("Attribute");
    case CloudLost: return tr("Cloud value (lost)");
    case AdWins: return tr("AD value (wins)");
    case WrittenBack: return tr("Written back");
    default: return {};
    }
}

} // namespace sunset
