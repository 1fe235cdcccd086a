// SPDX-License-Identifier: Apache-2.0
#include "ReplicationMetadata.h"

#include "AttributeCatalog.h"
#include "Identity.h"
#include "LdapEscape.h"

#include <QDateTime>
#include <QXmlStreamReader>

#include <array>
#include <cstring>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype kHeaderBytes = 16;
constexpr qsizetype kEntryBytes = 48;
// Seconds from 1601-01-01 (the FILETIME / NTTIME epoch) to 1970-01-01.
constexpr qint64 kSecondsFrom1601To1970 = 11'644'473'600;
// The largest FILETIME (signed 100-ns ticks since 1601) in seconds: keeps the conversion to milliseconds exact.
constexpr qint64 kMaxFiletimeSeconds = INT64_MAX / 10'000'000;

quint32 readU32(const char* p)
{
    quint32 v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

qint64 readI64(const char* p)
{
    quint64 v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return qint64(v);
}

void appendU32(QByteArray& out, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        out += char((v >> (8 * i)) & 0xff);
}

void appendI64(QByteArray& out, qint64 value)
{
    const auto v = quint64(value);
    for (int i = 0; i < 8; ++i)
        out += char((v >> (8 * i)) & 0xff);
}

// MS-DRSR 5.16.4 NewPrefixTable: the prefixes every DC knows without reading the schema's prefixMap, as BER
// bytes of the OID without its last arc [documented: MS-DRSR 5.16.4; the same table is Samba's
// dsdb_schema_pfm_new() and its torture test data].
struct StaticPrefix {
    quint16 index;
    std::array<unsigned char, 10> ber;
    quint8 length;
};
constexpr StaticPrefix kStaticPrefixes[] = {
    {0x00, {0x55, 0x04}, 2},                                           // 2.5.4
    {0x01, {0x55, 0x06}, 2},                                           // 2.5.6
    {0x02, {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x01, 0x02}, 8},       // 1.2.840.113556.1.2
    {0x03, {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x01, 0x03}, 8},       // 1.2.840.113556.1.3
    {0x04, {0x60, 0x86, 0x48, 0x01, 0x65, 0x02, 0x02, 0x01}, 8},       // 2.16.840.1.101.2.2.1
    {0x05, {0x60, 0x86, 0x48, 0x01, 0x65, 0x02, 0x02, 0x03}, 8},       // 2.16.840.1.101.2.2.3
    {0x06, {0x60, 0x86, 0x48, 0x01, 0x65, 0x02, 0x01, 0x05}, 8},       // 2.16.840.1.101.2.1.5
    {0x07, {0x60, 0x86, 0x48, 0x01, 0x65, 0x02, 0x01, 0x04}, 8},       // 2.16.840.1.101.2.1.4
    {0x08, {0x55, 0x05}, 2},                                           // 2.5.5
    {0x09, {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x01, 0x04}, 8},       // 1.2.840.113556.1.4
    {0x0A, {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x01, 0x05}, 8},       // 1.2.840.113556.1.5
    {0x13, {0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64}, 8},       // 0.9.2342.19200300.100
    {0x14, {0x60, 0x86, 0x48, 0x01, 0x86, 0xF8, 0x42, 0x03}, 8},       // 2.16.840.1.113730.3
    {0x15, {0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64, 0x01}, 9}, // 0.9.2342.19200300.100.1
    {0x16, {0x60, 0x86, 0x48, 0x01, 0x86, 0xF8, 0x42, 0x03, 0x01}, 9}, // 2.16.840.1.113730.3.1
    {0x17, {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x01, 0x05, 0xB6, 0x58}, 10}, // 1.2.840.113556.1.5.7000
    {0x18, {0x55, 0x15}, 2},                                           // 2.5.21
    {0x19, {0x55, 0x12}, 2},                                           // 2.5.18
    {0x1A, {0x55, 0x14}, 2},                                           // 2.5.20
};

// X.690 8.19: the first byte holds the first two arcs (40 * a + b), then base-128 arcs, high bit = more.
std::optional<QByteArray> oidTextFromBer(const QByteArray& ber)
{
    QByteArray text;
    quint64 arc = 0;
    bool first = true;
    for (qsizetype i = 0; i < ber.size(); ++i) {
        const auto byte = static_cast<unsigned char>(ber[i]);
        if (arc > (quint64(1) << 56))
            return std::nullopt;
        arc = (arc << 7) | (byte & 0x7f);
        if (byte & 0x80)
            continue;
        if (first) {
            const quint64 top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            text = QByteArray::number(top) + '.' + QByteArray::number(arc - 40 * top);
            first = false;
        } else {
            text += '.' + QByteArray::number(arc);
        }
        arc = 0;
    }
    if (first || (static_cast<unsigned char>(ber.back()) & 0x80))
        return std::nullopt; // empty, or an arc cut off
    return text;
}

qint64 msecsFrom1601Seconds(qint64 seconds) { return (seconds - kSecondsFrom1601To1970) * 1000; }

QString lowerDnKey(QByteArrayView dn)
{
    if (const auto parsed = parseDn(dn))
        return QString::fromUtf8(formatDn(*parsed)).toCaseFolded();
    return QString::fromUtf8(dn).toCaseFolded();
}

// The server object above an nTDSDSA ("CN=NTDS Settings,CN=DC1,CN=Servers,..." -> "CN=DC1,CN=Servers,...").
std::optional<Dn> parentDn(QByteArrayView dn)
{
    auto parsed = parseDn(dn);
    if (!parsed || parsed->size() < 2)
        return std::nullopt;
    parsed->erase(parsed->begin());
    return parsed;
}

QByteArrayView firstValue(const LdifEntry& entry, QByteArrayView name)
{
    for (const LdifAttribute& attribute : entry.attributes) {
        if (QByteArrayView(attribute.name).compare(name, Qt::CaseInsensitive) == 0)
            return attribute.value;
    }
    return {};
}

} // namespace

namespace {

// The entry count of a replPropertyMetaData value whose header and length agree, every entry's originating time
// checked; an error naming what is wrong (version, count against length, a time no FILETIME holds).
Expected<quint32, QString> checkedStampCount(QByteArrayView blob)
{
    if (blob.size() < kHeaderBytes) {
        return u"replPropertyMetaData has %1 bytes, fewer than its 16-byte header: the value is cut off"_s.arg(
            blob.size());
    }
    const quint32 version = readU32(blob.data());
    if (version != 1) {
        return u"replPropertyMetaData has version %1; Sunset reads version 1 (the only one Windows and Samba "
               "write)"_s.arg(version);
    }
    const quint32 count = readU32(blob.data() + 8);
    const qint64 expected = kHeaderBytes + qint64(count) * kEntryBytes;
    if (expected != blob.size()) {
        return u"replPropertyMetaData announces %1 entries (%2 bytes with its header) but has %3 bytes: the value "
               "is damaged or cut off"_s.arg(count)
            .arg(expected)
            .arg(blob.size());
    }
    for (quint32 i = 0; i < count; ++i) {
        const qint64 seconds = readI64(blob.data() + kHeaderBytes + qsizetype(i) * kEntryBytes + 8);
        if (seconds < 0 || seconds > kMaxFiletimeSeconds) {
            return u"replPropertyMetaData entry %1 has an originating time of %2 seconds since 1601, outside what a "
                   "FILETIME can hold: the value is damaged"_s.arg(i + 1)
                .arg(seconds);
        }
    }
    return count;
}

} // namespace

Expected<std::vector<PropertyStamp>, QString> decodeReplPropertyMetaData(QByteArrayView blob)
{
    const auto count = checkedStampCount(blob);
    if (!count)
        return count.error();
    std::vector<PropertyStamp> stamps;
    stamps.reserve(count.value());
    for (quint32 i = 0; i < count.value(); ++i) {
        const char* p = blob.data() + kHeaderBytes + qsizetype(i) * kEntryBytes;
        PropertyStamp s;
        s.attid = readU32(p);
        s.version = readU32(p + 4);
        s.originatingChangeMsecs = msecsFrom1601Seconds(readI64(p + 8));
        s.originatingInvocationId = QByteArray(p + 16, 16);
        s.originatingUsn = readI64(p + 32);
        s.localUsn = readI64(p + 40);
        stamps.push_back(std::move(s));
    }
    return stamps;
}

QByteArray encodeReplPropertyMetaData(const std::vector<PropertyStamp>& stamps)
{
    QByteArray out;
    appendU32(out, 1);
    appendU32(out, 0);
    appendU32(out, quint32(stamps.size()));
    appendU32(out, 0);
    for (const PropertyStamp& s : stamps) {
        appendU32(out, s.attid);
        appendU32(out, s.version);
        appendI64(out, s.originatingChangeMsecs / 1000 + kSecondsFrom1601To1970);
        out += s.originatingInvocationId.leftJustified(16, '\0', true);
        appendI64(out, s.originatingUsn);
        appendI64(out, s.localUsn);
    }
    return out;
}

std::optional<QByteArray> oidFromAttid(quint32 attid)
{
    if (attid >= 0x80000000u)
        return std::nullopt; // msDS-IntId, not a prefix-table id [documented: MS-ADTS 3.1.1.2.6]
    const auto upper = quint16(attid >> 16);
    quint32 lower = attid & 0xffff;
    const StaticPrefix* prefix = nullptr;
    for (const StaticPrefix& p : kStaticPrefixes) {
        if (p.index == upper)
            prefix = &p;
    }
    if (!prefix)
        return std::nullopt;
    // MS-DRSR 5.16.4 OidFromAttid: the low word is the last arc, one BER byte below 128, else two; 0x8000 marks a
    // prefix that already holds the arc's first byte (only dynamic prefixes do).
    QByteArray ber(reinterpret_cast<const char*>(prefix->ber.data()), prefix->length);
    if (lower < 128) {
        ber += char(lower);
    } else {
        if (lower >= 0x8000)
            lower -= 0x8000;
        ber += char(((lower / 128) % 128) + 128);
        ber += char(lower % 128);
    }
    return oidTextFromBer(ber);
}

Expected<AttributeStampXml, QString> parseReplAttributeMetaDataXml(QByteArrayView value)
{
    // A trailing NUL or line break is tolerated [assumed: tools that print these values show them]; neither is XML.
    while (!value.isEmpty() && (value.back() == '\0' || value.back() == '\n' || value.back() == '\r'))
        value.chop(1);
    QXmlStreamReader xml(value.toByteArray());
    AttributeStampXml stamp;
    bool inRoot = false;
    bool haveName = false, haveVersion = false, haveTime = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const QStringView name = xml.name();
        if (!inRoot) {
            if (name != u"DS_REPL_ATTR_META_DATA"_s)
                return u"msDS-ReplAttributeMetaData holds <%1>, not <DS_REPL_ATTR_META_DATA>"_s.arg(name);
            inRoot = true;
            continue;
        }
        const QString text = xml.readElementText().trimmed();
        if (name == u"pszAttributeName"_s) {
            stamp.attributeName = text;
            haveName = !text.isEmpty();
        } else if (name == u"dwVersion"_s) {
            bool ok = false;
            stamp.version = text.toUInt(&ok);
            haveVersion = ok;
        } else if (name == u"ftimeLastOriginatingChange"_s) {
            // "YYYY-MM-DDTHH:MM:SSZ", UTC [observed in published samples; MS-ADTS documents the element only]
            const QDateTime when = QDateTime::fromString(text, Qt::ISODate);
            haveTime = when.isValid();
            stamp.originatingChangeMsecs = when.toMSecsSinceEpoch();
        } else if (name == u"uuidLastOriginatingDsaInvocationID"_s) {
            QString id = text.toLower();
            if (id.startsWith(u'{') && id.endsWith(u'}'))
                id = id.mid(1, id.size() - 2);
            stamp.originatingInvocationId = id;
        } else if (name == u"pszLastOriginatingDsaDN"_s) {
            stamp.originatingDsaDn = text.toUtf8();
        }
    }
    if (xml.hasError())
        return u"msDS-ReplAttributeMetaData is not well-formed XML: %1"_s.arg(xml.errorString());
    if (!inRoot || !haveName || !haveVersion || !haveTime) {
        return u"msDS-ReplAttributeMetaData lacks pszAttributeName, dwVersion or ftimeLastOriginatingChange: found "
               "%1"_s.arg(QString::fromUtf8(value.first(qMin<qsizetype>(value.size(), 200))));
    }
    return stamp;
}

ReplicationMetadataDecoder::EntryKind ReplicationMetadataDecoder::kindOf(const LdifEntry& entry)
{
    for (const LdifAttribute& attribute : entry.attributes) {
        if (QByteArrayView(attribute.name).compare("objectClass", Qt::CaseInsensitive) != 0)
            continue;
        const QByteArrayView value = attribute.value;
        if (value.compare("attributeSchema", Qt::CaseInsensitive) == 0)
            return EntryKind::AttributeSchema;
        if (value.compare("nTDSDSA", Qt::CaseInsensitive) == 0)
            return EntryKind::DsaSettings;
        if (value.compare("server", Qt::CaseInsensitive) == 0)
            return EntryKind::Server;
    }
    return EntryKind::None;
}

Expected<void, QString> ReplicationMetadataDecoder::addDictionaryEntry(const LdifEntry& entry, EntryKind kind)
{
    const QString where = QString::fromUtf8(entry.dn) + u": "_s;
    switch (kind) {
    case EntryKind::AttributeSchema: {
        const auto id = AttributeCatalog::byLdapName(firstValue(entry, "lDAPDisplayName"));
        if (!id)
            return {}; // not a catalog attribute: its changes are not kept
        const QByteArrayView oid = firstValue(entry, "attributeID");
        if (oid.isEmpty())
            return QString(where + u"an attributeSchema entry without attributeID"_s);
        m_byOid.insert(oid.toByteArray(), *id);
        m_byAttid.clear();
        // Integer syntax (2.5.5.9) is a signed 32-bit value, so ids from 0x80000000 come back negative
        // [documented: MS-ADTS attribute syntaxes; the range 0x80000000-0xBFFFFFFF: MS-ADTS 3.1.1.2.6].
        const QByteArrayView intId = firstValue(entry, "msDS-IntId");
        if (!intId.isEmpty()) {
            bool ok = false;
            const qint64 n = intId.toByteArray().toLongLong(&ok);
            if (!ok || n < INT32_MIN || n > UINT32_MAX)
                return QString(where + u"msDS-IntId is not a 32-bit integer: "_s + QString::fromUtf8(intId));
            m_byIntId.insert(quint32(n), *id);
        }
        return {};
    }
    case EntryKind::DsaSettings: {
        const QByteArrayView bytes = firstValue(entry, "invocationId");
        if (bytes.isEmpty())
            return {}; // an export that did not ask for it: this DC stays unnamed
        const auto id = guidToText(bytes);
        const auto server = parentDn(entry.dn);
        if (!id || !server) {
            return QString(
                where + u"an nTDSDSA entry whose invocationId is not 16 bytes (%1) or without a server above it"_s.arg(
                            bytes.size()));
        }
        const QByteArray key = lowerDnKey(formatDn(*server)).toUtf8();
        if (!m_serverNameByDn.contains(key)) // the server entry, read before or after, names it better
            m_serverNameByDn.insert(key, QString::fromUtf8(server->front().front().value));
        m_serverDnByInvocationId.insert(QString::fromLatin1(*id), key);
        return {};
    }
    case EntryKind::Server: {
        const QByteArrayView host = firstValue(entry, "dNSHostName");
        const auto dn = parseDn(entry.dn);
        if (!dn || dn->empty())
            return QString(where + u"a server entry whose DN does not parse"_s);
        // The DC's DNS name, else its name in the Sites container [documented: MS-ADTS, a DC's server object
        // under CN=Sites holds its dNSHostName and, as its child, the nTDSDSA object].
        const QString name = host.isEmpty() ? QString::fromUtf8(dn->front().front().value) : QString::fromUtf8(host);
        m_serverNameByDn.insert(lowerDnKey(entry.dn).toUtf8(), name);
        return {};
    }
    case EntryKind::None:
        break;
    }
    return {};
}

std::optional<AttributeId> ReplicationMetadataDecoder::attributeFor(quint32 attid) const
{
    if (attid >= 0x80000000u) {
        const auto it = m_byIntId.constFind(attid);
        return it == m_byIntId.cend() ? std::nullopt : std::optional<AttributeId>(*it);
    }
    auto known = m_byAttid.constFind(attid);
    if (known == m_byAttid.cend()) {
        const auto oid = oidFromAttid(attid);
        const auto it = oid ? m_byOid.constFind(*oid) : m_byOid.cend();
        known = m_byAttid.insert(attid, it == m_byOid.cend() ? AttributeId::Count : *it);
    }
    return *known == AttributeId::Count ? std::nullopt : std::optional<AttributeId>(*known);
}

quint16 ReplicationMetadataDecoder::dcFromBytes(QByteArrayView guidBytes)
{
    const auto it = m_dcByBytes.constFind(QByteArray::fromRawData(guidBytes.data(), guidBytes.size()));
    if (it != m_dcByBytes.cend())
        return *it;
    const quint16 dc = dcFromText(guidToText(guidBytes).value_or(QByteArray()));
    m_dcByBytes.insert(guidBytes.toByteArray(), dc);
    return dc;
}

quint16 ReplicationMetadataDecoder::dcFromText(QByteArrayView lowerCaseText)
{
    const auto it = m_dcByText.constFind(QByteArray::fromRawData(lowerCaseText.data(), lowerCaseText.size()));
    if (it != m_dcByText.cend())
        return *it;
    // More distinct originating DCs than an index holds (a forest has far fewer) leave the rest unnamed.
    if (m_invocationIds.size() >= AttributeLastChange::kUnknownDc)
        return AttributeLastChange::kUnknownDc;
    const auto dc = quint16(m_invocationIds.size());
    m_invocationIds.push_back(QString::fromLatin1(lowerCaseText));
    m_dcByText.insert(lowerCaseText.toByteArray(), dc);
    return dc;
}

Expected<std::vector<AttributeLastChange>, QString> ReplicationMetadataDecoder::changesFromBlob(QByteArrayView blob)
{
    // Read in place, not through decodeReplPropertyMetaData: a mailbox's value has an entry for each of its
    // attributes (about a hundred), of which only the catalog's are kept, and a PropertyStamp each (its invocation
    // id a heap copy) made this most of an incremental rescan's merge of the kept entries (perf, 20,000 mailboxes).
    const auto count = checkedStampCount(blob);
    if (!count)
        return count.error();
    // Gathered on the stack, then one allocation of the exact size: kept per mailbox, 600,000 of them.
    std::array<AttributeLastChange, kAttributeCount> found;
    size_t kept = 0;
    std::vector<AttributeLastChange> overflow; // a damaged value naming an attribute twice
    for (quint32 i = 0; i < count.value(); ++i) {
        const char* p = blob.data() + kHeaderBytes + qsizetype(i) * kEntryBytes;
        const auto id = attributeFor(readU32(p));
        if (!id)
            continue; // an attribute outside the catalog (or one the schema read did not name)
        const AttributeLastChange change{msecsFrom1601Seconds(readI64(p + 8)), readU32(p + 4),
                                         dcFromBytes(QByteArrayView(p + 16, 16)), *id};
        if (kept < found.size())
            found[kept++] = change;
        else
            overflow.push_back(change);
    }
    std::vector<AttributeLastChange> changes;
    changes.reserve(kept + overflow.size());
    changes.insert(changes.end(), found.begin(), found.begin() + qsizetype(kept));
    changes.insert(changes.end(), overflow.begin(), overflow.end());
    return changes;
}

Expected<std::optional<AttributeLastChange>, QString> ReplicationMetadataDecoder::changeFromXml(QByteArrayView value)
{
    auto stamp = parseReplAttributeMetaDataXml(value);
    if (!stamp)
        return stamp.error();
    const auto id = AttributeCatalog::byLdapName(stamp->attributeName.toUtf8());
    if (!id)
        return std::optional<AttributeLastChange>();
    const QByteArray invocationId = stamp->originatingInvocationId.toLatin1();
    if (!stamp->originatingDsaDn.isEmpty() && !m_dcNameFromXml.contains(stamp->originatingInvocationId)) {
        if (const auto server = parentDn(stamp->originatingDsaDn))
            m_dcNameFromXml.insert(stamp->originatingInvocationId, QString::fromUtf8(server->front().front().value));
    }
    return std::optional<AttributeLastChange>(
        AttributeLastChange{stamp->originatingChangeMsecs, stamp->version, dcFromText(invocationId), *id});
}

void ReplicationMetadataDecoder::nameDomainControllers(AdChangeMetadata& metadata) const
{
    metadata.dcs.clear();
    metadata.dcs.reserve(m_invocationIds.size());
    for (const QString& invocationId : m_invocationIds) {
        QString name;
        const auto server = m_serverDnByInvocationId.constFind(invocationId);
        if (server != m_serverDnByInvocationId.cend())
            name = m_serverNameByDn.value(*server);
        if (name.isEmpty())
            name = m_dcNameFromXml.value(invocationId);
        metadata.dcs.push_back({invocationId, name});
    }
}

} // namespace sunset
