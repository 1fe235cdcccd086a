// SPDX-License-Identifier: Apache-2.0
#include "MailboxRecord.h"

#include <algorithm>
#include <cstring>

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
    const ValueList::Field* const begin = fields();
    const ValueList::Field* const end = begin + m_fieldCount;
    const auto lower =
        std::lower_bound(begin, end, key, [](const ValueList::Field& f, int k) { return f.key < k; });
    auto upper = lower;
    while (upper != end && upper->key == key)
        ++upper;
    return ValueList(text(), lower, upper);
}

QByteArrayView MailboxRecord::identity(IdentityField field) const
{
    const ValueList v = values(int(field));
    return v.isEmpty() ? QByteArrayView() : v.first();
}

void MailboxRecord::identities(std::array<QByteArrayView, size_t(IdentityField::Count)>& out) const
{
    out.fill(QByteArrayView());
    const ValueList::Field* f = fields();
    const ValueList::Field* const end = f + m_fieldCount;
    // Identity keys sort first; the first value of each is the identity.
    for (; f != end && f->key < kIdentityKeys; ++f)
        if (out[f->key].isNull())
            out[f->key] = QByteArrayView(text() + f->offset, f->length);
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
    const qint32 at = m_identityAt[size_t(key)];
    if (at < 0) {
        add(key, value);
        return;
    }
    if (!value.isEmpty()) { // replaced in place: a record holds one value per identity field
        m_fields[size_t(at)] = {quint8(key), quint32(m_textSize), quint32(value.size())};
        appendText(value);
        return;
    }
    // An empty value is an absent value: the field goes.
    m_fields.erase(m_fields.begin() + at);
    --m_keyCount[size_t(key)];
    m_identityAt[size_t(key)] = -1;
    for (qint32& other : m_identityAt)
        if (other > at)
            --other;
}

void MailboxRecordBuilder::growText(qsizetype needed)
{
    m_text.resize(std::max(size_t(needed), m_text.size() * 2 + 256));
}

void MailboxRecordBuilder::loadFrom(const MailboxRecord& record)
{
    clear();
    m_side = record.m_side;
    m_sourceLine = record.m_sourceLine;
    const ValueList::Field* fields = record.fields();
    for (quint32 i = 0; i < record.m_fieldCount; ++i) {
        const ValueList::Field& f = fields[i];
        add(f.key, QByteArrayView(record.text() + f.offset, f.length));
    }
}

MailboxRecord MailboxRecordBuilder::build()
{
    MailboxRecord r;
    r.m_side = m_side;
    r.m_sourceLine = m_sourceLine;
    const size_t count = m_fields.size();
    const size_t tableBytes = count * sizeof(ValueList::Field);
    r.m_fieldCount = quint32(count);
    r.m_data = QByteArray(qsizetype(tableBytes) + m_textSize, Qt::Uninitialized);
    char* data = r.m_data.data();
    Q_ASSERT(tableBytes == 0 || quintptr(data) % alignof(ValueList::Field) == 0); // QByteArray data is 16-aligned
    // A stable counting sort by key into the record's field table: keys are small, records have a few dozen
    // fields.
    std::array<quint32, kKeySpace> next;
    quint32 start = 0;
    for (int key = 0; key <= m_maxKey; ++key) {
        next[size_t(key)] = start;
        start += m_keyCount[size_t(key)];
    }
    for (const ValueList::Field& f : m_fields) {
        std::memcpy(data + next[f.key] * sizeof(ValueList::Field), &f, sizeof(ValueList::Field));
        ++next[f.key];
    }
    if (m_textSize > 0)
        std::memcpy(data + tableBytes, m_text.data(), size_t(m_textSize));
    clear();
    return r;
}

void MailboxRecordBuilder::clear()
{
    m_textSize = 0;
    m_fields.clear();
    if (m_maxKey >= 0)
        std::fill_n(m_keyCount.begin(), m_maxKey + 1, 0u);
    m_maxKey = -1;
    m_identityAt.fill(-1);
    m_sourceLine = 0;
}

} // namespace sunset
