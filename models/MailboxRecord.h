// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <vector>

namespace sunset {

enum class Side : quint8 { ActiveDirectory, Cloud };
QLatin1StringView sideName(Side side);

// Identity of a mailbox on either side. Binary values are kept as the raw bytes AD stores.
enum class IdentityField : quint8 {
    DistinguishedName,         // AD DN (UTF-8, as in the directory)
    UserPrincipalName,
    PrimarySmtpAddress,        // address only, without "SMTP:"
    DisplayName,
    ObjectGuid,                // 16 raw bytes (AD)
    ConsistencyGuid,           // 16 raw bytes (AD ms-DS-ConsistencyGuid)
    ImmutableId,               // cloud onPremisesImmutableId (base64 text)
    ObjectSid,                 // "S-1-5-21-..." text on both sides
    ExternalDirectoryObjectId, // Entra object id, lower-case GUID text without "User_"
    WhenChangedMsecs,          // decimal milliseconds since the epoch, UTC
    CloudManaged,              // "true"/"false"; absent when the source did not say
    DirSynced,                 // "true"/"false"; absent when the source did not say
    Count
};

// The values of one attribute (AD) or cloud property, as UTF-8 views into the record.
class ValueList final {
public:
    struct Field {
        quint8 key;
        quint32 offset;
        quint32 length;
    };
    ValueList() = default;
    ValueList(const char* blob, const Field* begin, const Field* end)
        : m_blob(blob), m_begin(begin), m_end(end) {}

    qsizetype size() const { return m_end - m_begin; }
    bool isEmpty() const { return m_begin == m_end; }
    QByteArrayView operator[](qsizetype i) const { return {m_blob + m_begin[i].offset, m_begin[i].length}; }
    QByteArrayView first() const { return (*this)[0]; }
    QStringList toStringList() const;

    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = QByteArrayView;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = QByteArrayView;
        Iterator() = default;
        Iterator(const char* blob, const Field* f) : m_blob(blob), m_f(f) {}
        QByteArrayView operator*() const { return {m_blob + m_f->offset, m_f->length}; }
        Iterator& operator++() { ++m_f; return *this; }
        Iterator operator++(int) { Iterator old = *this; ++m_f; return old; }
        bool operator==(const Iterator& o) const { return m_f == o.m_f; }
    private:
        const char* m_blob = nullptr;
        const Field* m_f = nullptr;
    };
    Iterator begin() const { return {m_blob, m_begin}; }
    Iterator end() const { return {m_blob, m_end}; }

private:
    const char* m_blob = nullptr;
    const Field* m_begin = nullptr;
    const Field* m_end = nullptr;
};

// One mailbox as one source sees it: identity plus attribute values. Compact on purpose (one text blob and one
// field table per record) because a tenant holds up to 600,000 of them on each side.
// AD records key values by AttributeId; cloud records by CloudProperty (several attributes derive from one).
class MailboxRecord final {
public:
    MailboxRecord() = default;

    Side side() const { return m_side; }
    qint64 sourceLine() const { return m_sourceLine; } // LDIF line of the dn, or 1-based item number in JSON/CSV

    QByteArrayView identity(IdentityField field) const;
    QString identityText(IdentityField field) const { return QString::fromUtf8(identity(field)); }
    bool has(IdentityField field) const { return !identity(field).isEmpty(); }
    // Every identity field at once (empty views for absent ones), in one pass over the field table.
    void identities(std::array<QByteArrayView, size_t(IdentityField::Count)>& out) const;
    qint64 whenChangedMsecs() const; // 0 when unknown

    ValueList adValues(AttributeId id) const { return values(kIdentityKeys + int(id)); }
    ValueList cloudValues(CloudProperty p) const { return values(kIdentityKeys + int(p)); }

    // Every key's values at once, in one pass over the field table: cheaper than one values() look-up per
    // attribute when all attributes are compared. AD records index `adLists` by AttributeId, cloud records
    // `cloudLists` by CloudProperty.
    template <size_t N>
    void attributeValueLists(std::array<ValueList, N>& out) const
    {
        out.fill(ValueList());
        const ValueList::Field* fields = this->fields();
        const char* text = this->text();
        size_t i = 0;
        while (i < m_fieldCount) {
            size_t end = i + 1;
            while (end < m_fieldCount && fields[end].key == fields[i].key)
                ++end;
            const int slot = int(fields[i].key) - kIdentityKeys;
            if (slot >= 0 && size_t(slot) < N)
                out[size_t(slot)] = ValueList(text, fields + i, fields + end);
            i = end;
        }
    }

    // A short label for lists and messages: DN on the AD side, UPN (else primary SMTP, else id) in the cloud.
    QString label() const;

private:
    friend class MailboxRecordBuilder;
    static constexpr int kIdentityKeys = int(IdentityField::Count);
    ValueList values(int key) const;
    const ValueList::Field* fields() const { return reinterpret_cast<const ValueList::Field*>(m_data.constData()); }
    const char* text() const { return m_data.constData() + m_fieldCount * sizeof(ValueList::Field); }

    // One allocation per record: the field table (sorted by key; values of one key keep their source order),
    // then the text the fields point into. Shared on copy.
    QByteArray m_data;
    quint32 m_fieldCount = 0;
    Side m_side = Side::ActiveDirectory;
    qint64 m_sourceLine = 0;
};

// Builds MailboxRecords; reusable (clear() keeps capacity), so readers allocate little per record.
class MailboxRecordBuilder final {
public:
    explicit MailboxRecordBuilder(Side side) : m_side(side) { m_identityAt.fill(-1); }

    void setSourceLine(qint64 line) { m_sourceLine = line; }
    void setIdentity(IdentityField field, QByteArrayView value); // replaces an earlier value
    void addAdValue(AttributeId id, QByteArrayView value) { add(MailboxRecord::kIdentityKeys + int(id), value); }
    void addCloudValue(CloudProperty p, QByteArrayView value) { add(MailboxRecord::kIdentityKeys + int(p), value); }
    bool hasIdentity(IdentityField field) const { return hasKey(int(field)); }
    bool hasAdValues(AttributeId id) const { return hasKey(MailboxRecord::kIdentityKeys + int(id)); }
    bool hasCloudValues(CloudProperty p) const { return hasKey(MailboxRecord::kIdentityKeys + int(p)); }

    // Starts from an existing record's identity and values, e.g. to merge a continuation entry into it.
    void loadFrom(const MailboxRecord& record);
    MailboxRecord build(); // and clear
    void clear();

private:
    static constexpr int kKeySpace = 256; // Field::key is a quint8
    void add(int key, QByteArrayView value)
    {
        if (value.isEmpty())
            return; // an empty value is an absent value on both sides
        const auto k = quint8(key);
        if (k < MailboxRecord::kIdentityKeys)
            m_identityAt[k] = qint32(m_fields.size());
        m_fields.push_back({k, quint32(m_textSize), quint32(value.size())});
        ++m_keyCount[k];
        m_maxKey = std::max(m_maxKey, int(k));
        appendText(value);
    }
    void appendText(QByteArrayView value)
    {
        if (size_t(m_textSize + value.size()) > m_text.size())
            growText(m_textSize + value.size());
        std::memcpy(m_text.data() + m_textSize, value.data(), size_t(value.size()));
        m_textSize += value.size();
    }
    void growText(qsizetype needed);
    bool hasKey(int key) const { return m_keyCount[size_t(key)] != 0; }

    Side m_side;
    qint64 m_sourceLine = 0;
    std::vector<char> m_text;               // grows, never shrinks: its size is the capacity
    qsizetype m_textSize = 0;
    std::vector<ValueList::Field> m_fields; // in the order added
    std::array<quint32, kKeySpace> m_keyCount{}; // fields per key, for hasKey() and build()'s counting sort
    int m_maxKey = -1;                           // highest key with a count, to clear and sort only that far
    std::array<qint32, MailboxRecord::kIdentityKeys> m_identityAt; // index in m_fields, -1 when not set
};

} // namespace sunset
