// SPDX-License-Identifier: Apache-2.0
#include "BatchChangesModel.h"

#include "RecipientType.h"
#include "VisibleValues.h"

#include <QCoreApplication>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

BatchChangesModel::BatchChangesModel(QObject* parent) : QAbstractTableModel(parent) {}

BatchChangesModel::~BatchChangesModel() = default;

void BatchChangesModel::setBatch(const WritebackBatch& batch)
{
    beginResetModel();
    m_rows.clear();
    m_rowOfId.clear();
    for (const BatchObjectChange& object : batch.objects())
        for (const BatchAttributeChange& change : object.changes)
            m_rows.push_back({0, object.dn, object.label, change.attribute, change.before, change.after, {}, 0, {}});
    endResetModel();
}

BatchChangesModel::Row BatchChangesModel::rowFrom(const StoredChange& c)
{
    return {c.id, c.dn, {}, c.attribute, c.before, c.after, c.state, c.ldapCode, c.ldapMessage};
}

void BatchChangesModel::setChanges(const std::vector<StoredChange>& changes)
{
    beginResetModel();
    m_rows.clear();
    m_rowOfId.clear();
    m_rows.reserve(changes.size());
    for (const StoredChange& c : changes) {
        m_rowOfId.insert(c.id, int(m_rows.size()));
        m_rows.push_back(rowFrom(c));
    }
    endResetModel();
}

void BatchChangesModel::updateChanges(const std::vector<StoredChange>& changes)
{
    int first = -1;
    int last = -1;
    for (const StoredChange& c : changes) {
        const auto it = m_rowOfId.constFind(c.id);
        if (it == m_rowOfId.cend())
            continue;
        Row& row = m_rows[size_t(*it)];
        row.state = c.state;
        row.ldapCode = c.ldapCode;
        row.message = c.ldapMessage;
        first = first < 0 ? *it : std::min(first, *it);
        last = std::max(last, *it);
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, Result), index(last, Result));
}

std::optional<ChangeState> BatchChangesModel::stateAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].state : std::nullopt;
}

QString BatchChangesModel::dnAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].dn : QString();
}

namespace {

// Recipient type numbers get their name after them, as a note: the number is what is sent.
VisibleText withTypeNames(AttributeId attribute, const QStringList& values, VisibleText shown)
{
    QString (*name)(qint64) = nullptr;
    switch (attribute) {
    case AttributeId::MsExchRecipientTypeDetails: name = recipientTypeDetailsName; break;
    case AttributeId::MsExchRecipientDisplayType: name = recipientDisplayTypeName; break;
    case AttributeId::MsExchRemoteRecipientType: name = remoteRecipientTypeFlagsText; break;
    default: return shown;
    }
    if (values.size() != 1)
        return shown;
    const auto number = parseInteger(values.first().toUtf8());
    if (!number)
        return shown;
    const QString full = name(*number); // "2147483648 (RemoteUserMailbox)", or flags without the number
    const QString note = full.startsWith(values.first()) ? full.mid(values.first().size()) : u" ("_s + full + u')';
    shown.spans.append({int(shown.text.size()), int(note.size()), HighlightKind::Note});
    shown.text += note;
    return shown;
}

} // namespace

QString BatchChangesModel::stateText(ChangeState state)
{
    switch (state) {
    case ChangeState::Planned: return tr("Not sent yet");
    case ChangeState::Pending: return tr("Sending…");
    case ChangeState::Applied: return tr("Applied");
    case ChangeState::Conflict: return tr("Conflict: changed since the scan, not overwritten");
    case ChangeState::Error: return tr("Error");
    case ChangeState::Refused: return tr("Refused");
    case ChangeState::Unknown: return tr("Unknown: sent, no answer");
    case ChangeState::NotSent: return tr("Not sent (can be resumed)");
    }
    return {};
}

QString BatchChangesModel::resultText(const Row& row) const
{
    if (!row.state)
        return tr("To send");
    QString text = stateText(*row.state);
    if (row.ldapCode != 0)
        text += u" (LDAP %1)"_s.arg(row.ldapCode);
    if (!row.message.isEmpty())
        text += u"\n"_s + row.message;
    return text;
}

int BatchChangesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BatchChangesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant BatchChangesModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row& row = m_rows[size_t(index.row())];
    const auto values = [&](const QStringList& v, bool deleting) {
        return withTypeNames(row.attribute, v,
                             deleting ? visibleValues(v, tr("(nothing: the attribute is empty)"), row.after)
                                      : visibleValues(v, tr("(nothing: it is cleared)"), row.before));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Object: return row.label.isEmpty() ? row.dn : row.label + u'\n' + row.dn;
        case Attribute: return QString(AttributeCatalog::spec(row.attribute).ldapName);
        case Delete: return values(row.before, true).text;
        case Add: return values(row.after, false).text;
        case Result: return resultText(row);
        }
        break;
    case ItemRole::HighlightSpans:
        if (index.column() == Delete)
            return QVariant::fromValue(values(row.before, true).spans);
        if (index.column() == Add)
            return QVariant::fromValue(values(row.after, false).spans);
        break;
    case ItemRole::Severity:
        if (index.column() == Result && row.state) {
            switch (*row.state) {
            case ChangeState::Conflict:
            case ChangeState::Error:
            case ChangeState::Refused: return int(Severity::Critical);
            case ChangeState::Unknown:
            case ChangeState::NotSent: return int(Severity::Warning);
            default: return -1;
            }
        }
        return -1;
    case Qt::ToolTipRole:
        if (index.column() == Object)
            return row.dn;
        if (index.column() == Result)
            return resultText(row);
        break;
    default: break;
    }
    return {};
}

QVariant BatchChangesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Object: return tr("Object");
    case Attribute: return tr("Attribute");
    case Delete: return tr("Delete these values");
    case Add: return tr("Add these values");
    case Result: return tr("Result");
    }
    return {};
}

} // namespace sunset
