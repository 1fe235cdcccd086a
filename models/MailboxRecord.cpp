#include "MailboxRecord.h"

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QLatin1StringView sideName(Side side)
{
    return side == Side::ActiveDirectory ? "Active Directory"_L1 : "Exchange Online"_L1;
}

QStringList ValueList::toStringList() const
{
    QStringList list;
    list.reserve(size());
    for (QByteArrayView v : *this)
        list << QString::fromUtf8(v);
    return list;
}

ValueList MailboxRecord::values(int key) const
{
    const auto lower = std::lower_bound(m_fields.begin(), m_fields.end(), key,
                                        [](const ValueList::Field& f, int k) { return f.key < k; });
    auto upper = lower;
    while (upper != m_fields.end() && upper->key == key)
        ++upper;
    return ValueList(m_blob.constData(), m_fields.data() + (lower - m_fields.begin()),
                     m_fields.data() + (upper - m_fields.begin()));
}

QByteArrayView MailboxRecord::identity(IdentityField field) const
{
    const ValueList v = values(int(field));
    return v.isEmpty() ? QByteArrayView() : v.first();
}

qint64 MailboxRecord::whenChangedMsecs() const
{
    bool ok = false;
    const qint64 ms = identity(IdentityField::WhenChangedMsecs).toByteArray().toLongLong(&ok);
    return ok ? ms : 0;
}

QString MailboxRecord::label() const
{
    if (m_side == Side::ActiveDirectory)
        return identityText(IdentityField::DistinguishedName);
    for (IdentityField f : {IdentityField::UserPrincipalName, IdentityField::PrimarySmtpAddress,
                            IdentityField::ExternalDirectoryObjectId, IdentityField::DisplayName})
        if (has(f))
            return identityText(f);
    return u"(cloud item %1)"_s.arg(m_sourceLine);
}

void MailboxRecordBuilder::setIdentity(IdentityField field, QByteArrayView value)
{
    const int key = int(field);
    std::erase_if(m_fields, [key](const ValueList::Field& f) { return f.key == key; });
    add(key, value);
}

bool MailboxRecordBuilder::hasIdentity(IdentityField field) const { return hasKey(int(field)); }

bool MailboxRecordBuilder::hasKey(int key) const
{
    return std::any_of(m_fields.begin(), m_fields.end(), [key](const ValueList::Field& f) { return f.key == key; });
}

void MailboxRecordBuilder::add(int key, QByteArrayView value)
{
    if (value.isEmpty())
        return; // an empty value is an absent value on both sides
    m_fields.push_back({quint8(key), quint32(m_blob.size()), quint32(value.size())});
    m_blob.append(value.data(), value.size());
}

void MailboxRecordBuilder::loadFrom(const MailboxRecord& record)
{
    clear();
    m_side = record.m_side;
    m_sourceLine = record.m_sourceLine;
    m_blob = record.m_blob;
    m_blob.detach();
    m_fields = record.m_fields;
}

MailboxRecord MailboxRecordBuilder::build()
{
    MailboxRecord r;
    r.m_side = m_side;
    r.m_sourceLine = m_sourceLine;
    r.m_blob = QByteArray(m_blob.constData(), m_blob.size()); // exact-size copy; m_blob keeps its capacity
    std::stable_sort(m_fields.begin(), m_fields.end(),
                     [](const ValueList::Field& a, const ValueList::Field& b) { return a.key < b.key; });
    r.m_fields.assign(m_fields.begin(), m_fields.end());
    clear();
    return r;
}

void MailboxRecordBuilder::clear()
{
    m_blob.resize(0);
    m_fields.clear();
    m_sourceLine = 0;
}

} // namespace sunset
