// SPDX-License-Identifier: Apache-2.0
#include "RollbackImpactModel.h"

#include "RollbackImpactWriter.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QStringList readable(AttributeId attribute, const QStringList& values)
{
    QStringList out;
    for (const QString& v : values)
        out << rollbackValueText(attribute, v);
    return out;
}

// One line in the cell; "(none)" rather than an empty cell, which would read as "not known".
QString oneLine(const QStringList& values)
{
    return values.isEmpty() ? u"(none)"_s : values.join(u", "_s);
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
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Mailbox: return QString(mailbox.displayName + u" <"_s + mailbox.userPrincipalName + u'>');
        case Attribute: return QString(QString(spec.ldapName) + u" ("_s + spec.exoName + u')');
        // A multi-valued attribute keeps the values both sides share: only the differences are news.
        case CloudLost:
            return spec.multiValued ? tr("lost: %1").arg(oneLine(change.lost)) : oneLine(change.cloud);
        case AdWins:
            return spec.multiValued ? tr("gained: %1").arg(oneLine(readable(change.attribute, change.gained)))
                                    : oneLine(readable(change.attribute, change.ad));
        case WrittenBack: return change.writtenBack ? tr("Yes") : tr("No: cloud only");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Mailbox: return mailbox.distinguishedName;
        case CloudLost: return tr("The cloud's values now:\n%1").arg(change.cloud.join(u'\n'));
        case AdWins:
            return tr("AD's values, which the sync writes:\n%1").arg(readable(change.attribute, change.ad).join(u'\n'));
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
