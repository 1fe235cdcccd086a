// SPDX-License-Identifier: Apache-2.0
#include "AdSnapshotReader.h"

#include "AttributeCatalog.h"
#include "ByteText.h"
#include "Identity.h"
#include "ProxyAddress.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>
#include <utility>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// equalsCaseInsensitive(value, lowerCaseAsciiWord) without a call for the ASCII values an export holds.
bool equalsAsciiWordIgnoringCase(QByteArrayView value, QByteArrayView lowerCaseWord)
{
    if (!isAscii(value.data(), value.size()))
        return equalsCaseInsensitive(value, lowerCaseWord); // Unicode folding may still make them equal
    if (value.size() != lowerCaseWord.size())
        return false;
    for (qsizetype i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (((c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c) != lowerCaseWord[i])
            return false;
    }
    return true;
}

bool startsWithIgnoringCase(QByteArrayView text, QByteArrayView lowerCasePrefix)
{
    return text.size() >= lowerCasePrefix.size()
           && equalsCaseInsensitive(text.first(lowerCasePrefix.size()), lowerCasePrefix);
}

// "1500" or "*" (-1); nullopt when neither.
std::optional<qint64> parseRangeBound(QByteArrayView text, bool allowStar)
{
    if (allowStar && text == QByteArrayView("*"))
        return -1;
    if (text.isEmpty() || text.size() > 12)
        return std::nullopt;
    qint64 n = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

// For the attribute-name cache: length, first and last eight bytes. Not seeded: the cache holds only what the
// file spells, and stops caching at half its slots.
size_t nameHash(QByteArrayView name)
{
    const auto n = size_t(name.size());
    quint64 head = 0, tail = 0;
    if (n >= 8) {
        std::memcpy(&head, name.data(), 8);
        std::memcpy(&tail, name.data() + n - 8, 8);
    } else {
        std::memcpy(&head, name.data(), n);
    }
    quint64 h = (n + 1) * 0x9e3779b97f4a7c15ull;
    h = (h ^ head) * 0xff51afd7ed558ccdull;
    h = (h ^ tail ^ (h >> 32)) * 0xc4ceb9fe1a85ec53ull;
    return size_t(h ^ (h >> 29));
}

// A case-insensitive DN hash without a QString round trip for non-ASCII DNs: FNV-1a over the UTF-8 of the
// case-folded text. QString::toCaseFolded() folds code point by code point, as QChar::toCaseFolded() does, so
// it is consistent with equalsCaseInsensitive. dn must be valid UTF-8.
size_t dnHash(QByteArrayView dn)
{
    size_t h = 14695981039346656037ull;
    const auto step = [&h](unsigned char byte) { h = (h ^ byte) * 1099511628211ull; };
    const auto* p = reinterpret_cast<const unsigned char*>(dn.data());
    const auto* const end = p + dn.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            step((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
            ++p;
            continue;
        }
        const int length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        char32_t cp = c & (0xff >> (length + 1));
        for (int k = 1; k < length; ++k)
            cp = (cp << 6) | (p[k] & 0x3f);
        p += length;
        cp = QChar::toCaseFolded(cp);
        if (cp < 0x80) { // the Kelvin sign and the long s fold to ASCII
            step((cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp);
        } else if (cp < 0x800) {
            step(0xc0 | (cp >> 6));
            step(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            step(0xe0 | (cp >> 12));
            step(0x80 | ((cp >> 6) & 0x3f));
            step(0x80 | (cp & 0x3f));
        } else {
            step(0xf0 | (cp >> 18));
            step(0x80 | ((cp >> 12) & 0x3f));
            step(0x80 | ((cp >> 6) & 0x3f));
            step(0x80 | (cp & 0x3f));
        }
    }
    return h;
}

QString rangeText(qint64 low, qint64 high)
{
    return QString::number(low) + u'-' + (high < 0 ? u"*"_s : QString::number(high));
}

QString withThousands(qint64 n)
{
    return QLocale(QLocale::English, QLocale::UnitedStates).toString(n);
}

} // namespace

AdSnapshotReader::AdSnapshotReader(QString source)
{
    m_snapshot.side = Side::ActiveDirectory;
    m_snapshot.source = std::move(source);
}

ImportError AdSnapshotReader::error(qint64 line, QByteArrayView dn, const QString& message) const
{
    return ImportError{m_snapshot.source, line, {}, QString::fromUtf8(dn) + u": "_s + message};
}

AdSnapshotReader::NameInfo AdSnapshotReader::classify(QByteArrayView base)
{
    // base: the attribute name without options. Names repeat in every entry, so they are cached by spelling,
    // open addressing with a cheap hash of length and first and last bytes (distinct spellings in an export are
    // a few dozen).
    const size_t hash = nameHash(base);
    if (m_nameSlots.empty())
        m_nameSlots.resize(kNameSlots);
    size_t slot = hash & (kNameSlots - 1);
    for (; m_nameSlots[slot].used; slot = (slot + 1) & (kNameSlots - 1)) {
        const CachedName& c = m_nameSlots[slot];
        if (c.hash == hash && sameBytes(c.name, base))
            return c.info;
    }

    static const std::pair<QByteArrayView, Role> kIdentityNames[] = {
        {"objectClass", Role::ObjectClass},
        {"homeMDB", Role::HomeMdb},
        {"userPrincipalName", Role::UserPrincipalName},
        {"displayName", Role::DisplayName},
        {"objectGUID", Role::ObjectGuid},
        {"mS-DS-ConsistencyGuid", Role::ConsistencyGuid},
        {"objectSid", Role::ObjectSid},
        {"msDS-ExternalDirectoryObjectId", Role::ExternalDirectoryObjectId},
        {"whenChanged", Role::WhenChanged},
        {"replPropertyMetaData", Role::ReplPropertyMetaData},
        {"msDS-ReplAttributeMetaData", Role::ReplAttributeMetaData},
    };
    NameInfo info;
    for (const auto& [known, role] : kIdentityNames) {
        if (equalsCaseInsensitive(base, known)) {
            info.role = role;
            break;
        }
    }
    if (info.role == Role::Other) {
        if (const auto id = AttributeCatalog::byLdapName(base)) {
            info.role = Role::Catalog;
            info.id = *id;
        }
    }
    if (m_cachedNames < kNameSlots / 2) { // else a file inventing names endlessly: classify them uncached
        m_nameSlots[slot] = CachedName{base.toByteArray(), hash, info, true};
        ++m_cachedNames;
    }
    return info;
}

Result<void> AdSnapshotReader::classifyAll(const LdifEntry& entry)
{
    m_classified.resize(entry.attributes.size());
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const LdifAttribute& attribute = entry.attributes[i];
        Classified& c = m_classified[i];
        if (i > 0 && sameBytes(attribute.name, entry.attributes[i - 1].name)) {
            c = m_classified[i - 1]; // values of one attribute come one line after the other
            continue;
        }
        const auto* semicolon =
            static_cast<const char*>(std::memchr(attribute.name.data(), ';', size_t(attribute.name.size())));
        qsizetype at = semicolon ? semicolon - attribute.name.data() : -1;
        c = Classified{classify(semicolon ? attribute.name.first(at) : attribute.name), false, 0, 0};
        while (at >= 0) { // options, e.g. ";binary;range=0-1499"
            const qsizetype next = attribute.name.indexOf(';', at + 1);
            const QByteArrayView option =
                attribute.name.sliced(at + 1, (next < 0 ? attribute.name.size() : next) - at - 1);
            at = next;
            if (!startsWithIgnoringCase(option, "range="))
                continue;
            const QByteArrayView bounds = option.sliced(6);
            const qsizetype dash = bounds.indexOf('-');
            const auto low = dash < 0 ? std::nullopt : parseRangeBound(bounds.first(dash), false);
            const auto high = dash < 0 ? std::nullopt : parseRangeBound(bounds.sliced(dash + 1), true);
            if (!low || !high || (*high >= 0 && *high < *low)) {
                return error(attribute.line, entry.dn,
                             u"expected a ranged attribute like proxyAddresses;range=0-1499 or ;range=1500-* but "
                             "found "_s
                                 + quotedForMessage(attribute.name));
            }
            c.ranged = true;
            c.low = *low;
            c.high = *high;
        }
    }
    return {};
}

std::optional<qsizetype> AdSnapshotReader::findRecord(QByteArrayView dn, size_t key) const
{
    for (auto it = m_recordsByDn.constFind(key); it != m_recordsByDn.cend() && it.key() == key; ++it) {
        if (equalsCaseInsensitive(m_snapshot.records[size_t(*it)].identity(IdentityField::DistinguishedName), dn))
            return *it;
    }
    return std::nullopt;
}

const AdSnapshotReader::SkippedRanged* AdSnapshotReader::findSkippedRanged(QByteArrayView dn, size_t key) const
{
    for (auto it = m_skippedRanged.constFind(key); it != m_skippedRanged.cend() && it.key() == key; ++it) {
        if (equalsCaseInsensitive(it->dn, dn))
            return &*it;
    }
    return nullptr;
}

Result<void> AdSnapshotReader::addEntry(const LdifEntry& entry)
{
    if (!isValidUtf8(entry.dn))
        return error(entry.line, entry.dn, u"the DN is not valid UTF-8"_s);
    if (auto classified = classifyAll(entry); !classified)
        return classified;
    m_entryRangesBegin = qsizetype(m_ranges.size());

    // A later entry with the same DN is how ldapsearch users fetch the rest of a ranged attribute
    // (a second search asking for "proxyAddresses;range=1500-*"); anything else is the same object twice.
    const auto notRanged =
        std::find_if(m_classified.begin(), m_classified.end(), [](const Classified& c) { return !c.ranged; });
    const size_t key = dnHash(entry.dn);
    const auto earlierRecord = findRecord(entry.dn, key);
    const SkippedRanged* earlierSkipped = earlierRecord ? nullptr : findSkippedRanged(entry.dn, key);
    if (earlierRecord || earlierSkipped) {
        if (notRanged != m_classified.end()) {
            const qint64 earlierLine =
                earlierRecord ? m_snapshot.records[size_t(*earlierRecord)].sourceLine() : earlierSkipped->line;
            const QByteArrayView name = entry.attributes[size_t(notRanged - m_classified.begin())].name;
            return error(
                entry.line, entry.dn,
                u"the entry at line %1 repeats the DN of the entry at line %2. A later entry for the same "
                "DN may only continue ranged attributes (name;range=L-H), but this one holds %3."_s.arg(entry.line)
                    .arg(earlierLine)
                    .arg(quotedForMessage(name)));
        }
        return earlierRecord ? addContinuation(entry, *earlierRecord) : Result<void>();
    }

    bool hasObjectClass = false;
    bool isUser = false;
    bool isComputer = false;
    bool hasExchangeAttribute = false;
    bool isDictionary = false; // schema or DC entries that decode the replication metadata
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const NameInfo info = m_classified[i].info;
        if (info.role == Role::ObjectClass) {
            const QByteArrayView value = entry.attributes[i].value;
            hasObjectClass = true;
            isUser = isUser || equalsAsciiWordIgnoringCase(value, "user");
            isComputer = isComputer || equalsAsciiWordIgnoringCase(value, "computer");
            isDictionary = isDictionary || equalsAsciiWordIgnoringCase(value, "attributeschema")
                           || equalsAsciiWordIgnoringCase(value, "ntdsdsa")
                           || equalsAsciiWordIgnoringCase(value, "server");
        } else if (info.role == Role::HomeMdb) {
            hasExchangeAttribute = true;
        } else if (info.role == Role::Catalog) {
            hasExchangeAttribute = hasExchangeAttribute || info.id == AttributeId::MsExchRecipientTypeDetails
                                   || info.id == AttributeId::ProxyAddresses || info.id == AttributeId::MailNickname
                                   || info.id == AttributeId::TargetAddress;
        }
    }
    if (isDictionary) {
        if (auto added = m_metadata.addDictionaryEntry(entry, ReplicationMetadataDecoder::kindOf(entry)); !added)
            return error(entry.line, entry.dn, added.error());
        return {};
    }
    // Without objectClass (an export that did not ask for it) the Exchange attributes decide alone.
    const bool mailbox = (!hasObjectClass || (isUser && !isComputer)) && hasExchangeAttribute;
    if (!mailbox) {
        ++m_snapshot.skippedEntries;
        const bool anyRanged =
            std::any_of(m_classified.begin(), m_classified.end(), [](const Classified& c) { return c.ranged; });
        if (anyRanged) // e.g. a large group's member;range=0-1499: its continuation must not become a mailbox
            m_skippedRanged.insert(key, SkippedRanged{entry.dn.toByteArray(), entry.line});
        return {};
    }
    const auto record = qsizetype(m_snapshot.records.size());
    if (auto added = addMailbox(entry); !added)
        return added;
    m_recordsByDn.insert(key, record);
    return {};
}

Result<void> AdSnapshotReader::setGuid(const LdifEntry& entry, const LdifAttribute& attribute, IdentityField field)
{
    if (attribute.value.isEmpty())
        return {};
    if (attribute.value.size() == 16) {
        m_builder.setIdentity(field, attribute.value);
        return {};
    }
    // Some tools export GUIDs as text ("{...}" or bare); take that, but nothing else.
    if (const auto bytes = guidFromText(attribute.value)) {
        m_builder.setIdentity(field, *bytes);
        return {};
    }
    return error(attribute.line, entry.dn,
                 u"%1 has %2 bytes; a GUID has 16 bytes (or is text like 1b4e28ba-2fa1-11d2-883f-0016d3cca427)"_s
                     .arg(QString::fromUtf8(attribute.name))
                     .arg(attribute.value.size()));
}

Result<void> AdSnapshotReader::addCatalogValue(const LdifEntry& entry, const LdifAttribute& attribute,
                                               const Classified& c, qsizetype record)
{
    if (!isValidUtf8(attribute.value)) {
        return error(attribute.line, entry.dn,
                     u"value of %1 is not valid UTF-8"_s.arg(QString::fromUtf8(attribute.name)));
    }
    m_builder.addAdValue(c.info.id, attribute.value);
    if (c.ranged) {
        // One line per value: each range is noted once per entry. The same range in a later entry overlaps.
        const RangePiece piece{record, c.info.id, c.low, c.high};
        const bool known = std::any_of(m_ranges.begin() + m_entryRangesBegin, m_ranges.end(), [&](const RangePiece& p) {
            return p.record == piece.record && p.id == piece.id && p.low == piece.low && p.high == piece.high;
        });
        if (!known)
            m_ranges.push_back(piece);
    }
    return {};
}

Result<void> AdSnapshotReader::addMailbox(const LdifEntry& entry)
{
    const auto record = qsizetype(m_snapshot.records.size());
    m_builder.clear();
    m_builder.setSourceLine(entry.line);
    m_builder.setIdentity(IdentityField::DistinguishedName, entry.dn);
    QByteArrayView primarySmtp;
    QByteArrayView mail;
    QByteArrayView replPropertyMetaData;
    m_xmlValues.clear();
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const LdifAttribute& attribute = entry.attributes[i];
        const Classified& c = m_classified[i];
        const QByteArrayView value = attribute.value;
        switch (c.info.role) {
        case Role::UserPrincipalName:
        case Role::DisplayName:
            if (!isValidUtf8(value)) {
                return error(attribute.line, entry.dn,
                             u"value of %1 is not valid UTF-8"_s.arg(QString::fromUtf8(attribute.name)));
            }
            m_builder.setIdentity(c.info.role == Role::DisplayName ? IdentityField::DisplayName
                                                                   : IdentityField::UserPrincipalName,
                                  value);
            break;
        case Role::ObjectGuid:
        case Role::ConsistencyGuid:
            if (auto set = setGuid(entry, attribute,
                                   c.info.role == Role::ObjectGuid ? IdentityField::ObjectGuid
                                                                   : IdentityField::ConsistencyGuid);
                !set)
                return set;
            break;
        case Role::ObjectSid: {
            if (value.isEmpty())
                break;
            // Binary as AD stores it; some tools already write the "S-1-..." text.
            const bool text = startsWithIgnoringCase(value, "s-");
            std::optional<QByteArray> sid;
            if (!text) {
                sid = sidToText(value);
            } else if (const auto binary = sidFromText(value)) {
                sid = sidToText(*binary);
            }
            if (!sid) {
                return error(attribute.line, entry.dn,
                             text ? u"objectSid is not a SID: found "_s + quotedForMessage(value)
                                  : u"objectSid is not a well-formed SID (%1 bytes)"_s.arg(value.size()));
            }
            m_builder.setIdentity(IdentityField::ObjectSid, *sid);
            break;
        }
        case Role::ExternalDirectoryObjectId: {
            if (value.isEmpty())
                break;
            const auto id = normalizeExternalDirectoryObjectId(value);
            if (!id) {
                return error(attribute.line, entry.dn,
                             u"expected msDS-ExternalDirectoryObjectId like User_<GUID> but found "_s
                                 + quotedForMessage(value));
            }
            m_builder.setIdentity(IdentityField::ExternalDirectoryObjectId, *id);
            break;
        }
        case Role::WhenChanged: {
            const auto msecs = parseGeneralizedTime(value); // AD's "YYYYMMDDHHMMSS.0Z", read directly as UTC
            if (!msecs) {
                return error(attribute.line, entry.dn,
                             u"expected whenChanged as a generalized time like 20261124085422.0Z but found "_s
                                 + quotedForMessage(value));
            }
            char digits[24];
            const char* end = std::to_chars(std::begin(digits), std::end(digits), *msecs).ptr;
            m_builder.setIdentity(IdentityField::WhenChangedMsecs, QByteArrayView(digits, end - digits));
            m_snapshot.newestChangeMsecs = std::max(m_snapshot.newestChangeMsecs, *msecs);
            break;
        }
        case Role::Catalog:
            if (auto added = addCatalogValue(entry, attribute, c, record); !added)
                return added;
            if (c.info.id == AttributeId::ProxyAddresses && primarySmtp.isEmpty()) {
                const ProxyAddress address(value);
                if (address.isPrimarySmtp())
                    primarySmtp = address.address();
            } else if (c.info.id == AttributeId::Mail && mail.isEmpty()) {
                mail = value;
            }
            break;
        case Role::ReplPropertyMetaData:
            replPropertyMetaData = value;
            break;
        case Role::ReplAttributeMetaData:
            m_xmlValues.push_back(&attribute);
            break;
        case Role::Other:
        case Role::ObjectClass:
        case Role::HomeMdb:
            break;
        }
    }
    m_builder.setIdentity(IdentityField::PrimarySmtpAddress, primarySmtp.isEmpty() ? mail : primarySmtp);
    m_snapshot.records.push_back(m_builder.build());
    return addChangeMetadata(entry, replPropertyMetaData, m_xmlValues);
}

Result<void> AdSnapshotReader::addChangeMetadata(const LdifEntry& entry, QByteArrayView blob,
                                                 std::span<const LdifAttribute* const> xmlValues)
{
    if (blob.isEmpty() && xmlValues.empty())
        return {};
    std::vector<AttributeLastChange>* changes = nullptr;
    const auto changesOfEntry = [&]() -> std::vector<AttributeLastChange>& {
        if (!changes)
            changes = &m_snapshot.changeMetadata.byDn[entry.dn.toByteArray()];
        return *changes;
    };
    if (!xmlValues.empty()) {
        // Windows' own rendering names the attributes itself: no schema needed, so it is preferred.
        for (const LdifAttribute* attribute : xmlValues) {
            auto change = m_metadata.changeFromXml(attribute->value);
            if (!change)
                return error(attribute->line, entry.dn, change.error());
            if (change->has_value())
                changesOfEntry().push_back(std::move(*change.value()));
        }
        changesOfEntry().shrink_to_fit();
        return {};
    }
    if (!m_metadata.knowsSchema()) {
        m_pendingBlobs.push_back(PendingBlob{entry.dn.toByteArray(), entry.line, blob.toByteArray()});
        return {};
    }
    auto decoded = m_metadata.changesFromBlob(blob);
    if (!decoded)
        return error(entry.line, entry.dn, decoded.error());
    changesOfEntry() = std::move(decoded.value());
    return {};
}

Result<void> AdSnapshotReader::decodePendingBlobs()
{
    // Without any schema entry the attids cannot be named: those mailboxes keep no metadata (absent, not empty).
    if (!m_metadata.knowsSchema()) {
        m_pendingBlobs.clear();
        return {};
    }
    for (const PendingBlob& pending : m_pendingBlobs) {
        auto decoded = m_metadata.changesFromBlob(pending.blob);
        if (!decoded)
            return error(pending.line, pending.dn, decoded.error());
        m_snapshot.changeMetadata.byDn[pending.dn] = std::move(decoded.value());
    }
    m_pendingBlobs.clear();
    return {};
}

Result<void> AdSnapshotReader::addContinuation(const LdifEntry& entry, qsizetype record)
{
    MailboxRecord& earlier = m_snapshot.records[size_t(record)];
    // The primary may sit in a later range; until one is seen, the earlier entry fell back to mail.
    bool hasPrimaryFromProxy = false;
    for (QByteArrayView value : earlier.adValues(AttributeId::ProxyAddresses))
        hasPrimaryFromProxy = hasPrimaryFromProxy || ProxyAddress(value).isPrimarySmtp();

    m_builder.loadFrom(earlier);
    m_xmlValues.clear();
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const Classified& c = m_classified[i];
        if (c.info.role == Role::ReplAttributeMetaData) // Windows ranges it like any multi-valued attribute
            m_xmlValues.push_back(&entry.attributes[i]);
        if (c.info.role != Role::Catalog)
            continue; // ranged attributes Sunset does not compare, e.g. memberOf
        const LdifAttribute& attribute = entry.attributes[i];
        if (auto added = addCatalogValue(entry, attribute, c, record); !added)
            return added;
        if (c.info.id == AttributeId::ProxyAddresses && !hasPrimaryFromProxy) {
            const ProxyAddress address(attribute.value);
            if (address.isPrimarySmtp()) {
                m_builder.setIdentity(IdentityField::PrimarySmtpAddress, address.address());
                hasPrimaryFromProxy = true;
            }
        }
    }
    earlier = m_builder.build();
    return addChangeMetadata(entry, {}, m_xmlValues);
}

Result<void> AdSnapshotReader::checkRanges() const
{
    std::vector<RangePiece> pieces = m_ranges;
    std::sort(pieces.begin(), pieces.end(), [](const RangePiece& a, const RangePiece& b) {
        if (a.record != b.record)
            return a.record < b.record;
        if (a.id != b.id)
            return a.id < b.id;
        // "*" ends the attribute: order it after any numbered upper bound with the same start
        return a.low != b.low ? a.low < b.low : quint64(a.high) < quint64(b.high);
    });
    for (auto group = pieces.begin(); group != pieces.end();) {
        const auto groupEnd = std::find_if(
            group, pieces.end(), [&](const RangePiece& p) { return p.record != group->record || p.id != group->id; });
        const MailboxRecord& record = m_snapshot.records[size_t(group->record)];
        const QByteArrayView dn = record.identity(IdentityField::DistinguishedName);
        const QLatin1StringView name = AttributeCatalog::spec(group->id).ldapName;

        // What the export holds, merged: "0-1499", or "0-1499 and 3000-*".
        QStringList covered;
        qint64 coveredLow = group->low;
        qint64 coveredHigh = group->high;
        for (auto p = std::next(group); p != groupEnd; ++p) {
            if (coveredHigh >= 0 && p->low <= coveredHigh + 1) {
                coveredHigh = (p->high < 0 || coveredHigh < 0) ? -1 : std::max(coveredHigh, p->high);
            } else if (coveredHigh >= 0) {
                covered << rangeText(coveredLow, coveredHigh);
                coveredLow = p->low;
                coveredHigh = p->high;
            }
        }
        covered << rangeText(coveredLow, coveredHigh);
        const QString holds = covered.join(u" and "_s);
        const auto reexport = [&](qint64 from) {
            return u"Re-export with ranged retrieval (ldifde does it; with ldapsearch also ask for "
                   u"%1;range=%2-*) "
                   "or read AD live."_s.arg(name)
                       .arg(from);
        };

        qint64 expected = 0;
        bool complete = false;
        for (auto p = group; p != groupEnd; ++p) {
            if (complete || p->low < expected) {
                return error(record.sourceLine(), dn,
                             u"%1 holds values %2 more than once: the same range was exported twice. "
                             "Keep each range once."_s.arg(name, rangeText(p->low, p->high)));
            }
            if (p->low > expected) {
                return error(record.sourceLine(), dn,
                             u"%1 holds values %2 but not %3: part of the ranged export is missing. "_s.arg(
                                 name, holds, rangeText(expected, p->low - 1))
                                 + reexport(expected));
            }
            if (p->high < 0)
                complete = true;
            else
                expected = p->high + 1;
        }
        if (!complete) {
            const qint64 limit = group->high - group->low + 1;
            return error(record.sourceLine(), dn,
                         u"%1 holds values %2 only: the export stopped at AD's %3-value limit. "_s.arg(
                             name, holds, withThousands(limit))
                             + reexport(expected));
        }
        group = groupEnd;
    }
    return {};
}

Result<Snapshot> AdSnapshotReader::finish()
{
    if (auto rangesComplete = checkRanges(); !rangesComplete)
        return rangesComplete.error();
    if (auto decoded = decodePendingBlobs(); !decoded)
        return decoded.error();
    m_metadata.nameDomainControllers(m_snapshot.changeMetadata);
    if (m_snapshot.skippedEntries > 0) {
        m_snapshot.skippedReason = u"entries that are not mail-enabled users (OUs, groups, contacts, computers, "
                                   "users without Exchange attributes)"_s;
    }
    return Result<Snapshot>(std::move(m_snapshot));
}

Result<Snapshot> readAdSnapshotFromLdif(QByteArrayView data, const QString& fileName, const ReadProgress& progress)
{
    LdifReader reader(data, fileName);
    AdSnapshotReader snapshot(fileName);
    if (auto read = reader.read([&](const LdifEntry& entry) { return snapshot.addEntry(entry); }, progress); !read)
        return read.error();
    return snapshot.finish();
}

} // namespace sunset
