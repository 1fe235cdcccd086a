#include "AdSnapshotReader.h"

#include "AttributeCatalog.h"
#include "Identity.h"
#include "ProxyAddress.h"

#include <QDateTime>
#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <cstring>
#include <utility>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isValidUtf8(QByteArrayView text)
{
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        while (end - p >= 8) { // almost every value is ASCII: check eight bytes at a time
            quint64 word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ull)
                break;
            p += 8;
        }
        if (p == end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int continuation = 0;
        quint32 codePoint = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            continuation = 1;
            codePoint = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            continuation = 2;
            codePoint = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            continuation = 3;
            codePoint = c & 0x07;
        } else {
            return false; // stray continuation byte, overlong 2-byte lead, or beyond U+10FFFF
        }
        if (end - p <= continuation)
            return false;
        for (int k = 1; k <= continuation; ++k) {
            if ((p[k] & 0xc0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (p[k] & 0x3f);
        }
        if (continuation == 2 && (codePoint < 0x800 || (codePoint >= 0xd800 && codePoint <= 0xdfff)))
            return false;
        if (continuation == 3 && (codePoint < 0x10000 || codePoint > 0x10ffff))
            return false;
        p += continuation + 1;
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

// AD writes whenChanged as "YYYYMMDDHHMMSS.0Z". parseGeneralizedTime reads it through QDateTime::fromString
// in local time, which costs a time-zone look-up per call (most of the reader's time on a big export) and
// fails for times in a local daylight-saving gap. So that form is read here, directly as UTC; anything else
// goes to it.
std::optional<qint64> parseWhenChanged(QByteArrayView text)
{
    const auto digits = [&](qsizetype from, qsizetype count) {
        int n = 0;
        for (qsizetype i = from; i < from + count; ++i)
            n = n * 10 + (text[i] - '0');
        return n;
    };
    bool standard = text.size() >= 15 && text.endsWith('Z');
    for (qsizetype i = 0; standard && i < text.size() - 1; ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        standard = i == 14 ? text[i] == '.' : digit;
    }
    if (!standard)
        return parseGeneralizedTime(text);
    const QDate date(digits(0, 4), digits(4, 2), digits(6, 2));
    const int hour = digits(8, 2), minute = digits(10, 2), second = digits(12, 2);
    if (!date.isValid() || !QTime::isValid(hour, minute, second))
        return std::nullopt;
    return QDateTime(date, QTime(hour, minute, second), Qt::UTC).toMSecsSinceEpoch();
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

AdSnapshotReader::NameInfo AdSnapshotReader::classify(QByteArrayView name)
{
    const qsizetype semicolon = name.indexOf(';');
    const QByteArrayView base = semicolon < 0 ? name : name.first(semicolon);
    // Names repeat in every entry, so they are cached by spelling. Open addressing with FNV-1a instead of
    // QHash: Qt's seeded byte hash was a fifth of the reader's time on a large export.
    size_t hash = 14695981039346656037ull;
    for (char ch : base)
        hash = (hash ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    if (m_nameSlots.empty())
        m_nameSlots.resize(kNameSlots);
    size_t slot = hash & (kNameSlots - 1);
    for (; m_nameSlots[slot].used; slot = (slot + 1) & (kNameSlots - 1)) {
        const CachedName& c = m_nameSlots[slot];
        if (c.hash == hash && QByteArrayView(c.name) == base)
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

std::optional<ImportError> AdSnapshotReader::classifyAll(const LdifEntry& entry)
{
    m_classified.resize(entry.attributes.size());
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const LdifAttribute& attribute = entry.attributes[i];
        Classified& c = m_classified[i];
        c = Classified{classify(attribute.name), false, 0, 0};
        qsizetype at = attribute.name.indexOf(';');
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
    return std::nullopt;
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

std::optional<ImportError> AdSnapshotReader::addEntry(const LdifEntry& entry)
{
    if (!isValidUtf8(entry.dn))
        return error(entry.line, entry.dn, u"the DN is not valid UTF-8"_s);
    if (auto failure = classifyAll(entry))
        return failure;
    m_entryRangesBegin = qsizetype(m_ranges.size());

    // A later entry with the same DN is how ldapsearch users fetch the rest of a ranged attribute
    // (a second search asking for "proxyAddresses;range=1500-*"); anything else is the same object twice.
    const auto notRanged =
        std::find_if(m_classified.begin(), m_classified.end(), [](const Classified& c) { return !c.ranged; });
    const size_t key = hashCaseInsensitive(entry.dn);
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
        return earlierRecord ? addContinuation(entry, *earlierRecord) : std::nullopt;
    }

    bool hasObjectClass = false;
    bool isUser = false;
    bool isComputer = false;
    bool hasExchangeAttribute = false;
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const NameInfo info = m_classified[i].info;
        if (info.role == Role::ObjectClass) {
            hasObjectClass = true;
            isUser = isUser || equalsCaseInsensitive(entry.attributes[i].value, "user");
            isComputer = isComputer || equalsCaseInsensitive(entry.attributes[i].value, "computer");
        } else if (info.role == Role::HomeMdb) {
            hasExchangeAttribute = true;
        } else if (info.role == Role::Catalog) {
            hasExchangeAttribute = hasExchangeAttribute || info.id == AttributeId::MsExchRecipientTypeDetails
                                   || info.id == AttributeId::ProxyAddresses || info.id == AttributeId::MailNickname
                                   || info.id == AttributeId::TargetAddress;
        }
    }
    // Without objectClass (an export that did not ask for it) the Exchange attributes decide alone.
    const bool mailbox = (!hasObjectClass || (isUser && !isComputer)) && hasExchangeAttribute;
    if (!mailbox) {
        ++m_snapshot.skippedEntries;
        const bool anyRanged =
            std::any_of(m_classified.begin(), m_classified.end(), [](const Classified& c) { return c.ranged; });
        if (anyRanged) // e.g. a large group's member;range=0-1499: its continuation must not become a mailbox
            m_skippedRanged.insert(key, SkippedRanged{entry.dn.toByteArray(), entry.line});
        return std::nullopt;
    }
    const auto record = qsizetype(m_snapshot.records.size());
    if (auto failure = addMailbox(entry))
        return failure;
    m_recordsByDn.insert(key, record);
    return std::nullopt;
}

std::optional<ImportError> AdSnapshotReader::setGuid(const LdifEntry& entry, const LdifAttribute& attribute,
                                                     IdentityField field)
{
    if (attribute.value.isEmpty())
        return std::nullopt;
    if (attribute.value.size() == 16) {
        m_builder.setIdentity(field, attribute.value);
        return std::nullopt;
    }
    // Some tools export GUIDs as text ("{...}" or bare); take that, but nothing else.
    if (const auto bytes = guidFromText(attribute.value)) {
        m_builder.setIdentity(field, *bytes);
        return std::nullopt;
    }
    return error(attribute.line, entry.dn,
                 u"%1 has %2 bytes; a GUID has 16 bytes (or is text like 1b4e28ba-2fa1-11d2-883f-0016d3cca427)"_s
                     .arg(QString::fromUtf8(attribute.name))
                     .arg(attribute.value.size()));
}

std::optional<ImportError> AdSnapshotReader::addCatalogValue(const LdifEntry& entry, const LdifAttribute& attribute,
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
    return std::nullopt;
}

std::optional<ImportError> AdSnapshotReader::addMailbox(const LdifEntry& entry)
{
    const auto record = qsizetype(m_snapshot.records.size());
    m_builder.clear();
    m_builder.setSourceLine(entry.line);
    m_builder.setIdentity(IdentityField::DistinguishedName, entry.dn);
    QByteArrayView primarySmtp;
    QByteArrayView mail;
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
            if (auto failure = setGuid(entry, attribute,
                                       c.info.role == Role::ObjectGuid ? IdentityField::ObjectGuid
                                                                       : IdentityField::ConsistencyGuid))
                return failure;
            break;
        case Role::ObjectSid: {
            if (value.isEmpty())
                break;
            // Binary as AD stores it; some tools already write the "S-1-..." text.
            const bool text = startsWithIgnoringCase(value, "s-");
            const auto binary = text ? sidFromText(value) : std::optional<QByteArray>(value.toByteArray());
            const auto sid = binary ? sidToText(*binary) : std::nullopt;
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
            const auto msecs = parseWhenChanged(value);
            if (!msecs) {
                return error(attribute.line, entry.dn,
                             u"expected whenChanged as a generalized time like 20261124085422.0Z but found "_s
                                 + quotedForMessage(value));
            }
            m_builder.setIdentity(IdentityField::WhenChangedMsecs, QByteArray::number(*msecs));
            m_snapshot.newestChangeMsecs = std::max(m_snapshot.newestChangeMsecs, *msecs);
            break;
        }
        case Role::Catalog:
            if (auto failure = addCatalogValue(entry, attribute, c, record))
                return failure;
            if (c.info.id == AttributeId::ProxyAddresses && primarySmtp.isEmpty()) {
                const ProxyAddress address(value);
                if (address.isPrimarySmtp())
                    primarySmtp = address.address();
            } else if (c.info.id == AttributeId::Mail && mail.isEmpty()) {
                mail = value;
            }
            break;
        case Role::Other:
        case Role::ObjectClass:
        case Role::HomeMdb:
            break;
        }
    }
    m_builder.setIdentity(IdentityField::PrimarySmtpAddress, primarySmtp.isEmpty() ? mail : primarySmtp);
    m_snapshot.records.push_back(m_builder.build());
    return std::nullopt;
}

std::optional<ImportError> AdSnapshotReader::addContinuation(const LdifEntry& entry, qsizetype record)
{
    MailboxRecord& earlier = m_snapshot.records[size_t(record)];
    // The primary may sit in a later range; until one is seen, the earlier entry fell back to mail.
    bool hasPrimaryFromProxy = false;
    for (QByteArrayView value : earlier.adValues(AttributeId::ProxyAddresses))
        hasPrimaryFromProxy = hasPrimaryFromProxy || ProxyAddress(value).isPrimarySmtp();

    m_builder.loadFrom(earlier);
    for (size_t i = 0; i < entry.attributes.size(); ++i) {
        const Classified& c = m_classified[i];
        if (c.info.role != Role::Catalog)
            continue; // ranged attributes Sunset does not compare, e.g. memberOf
        const LdifAttribute& attribute = entry.attributes[i];
        if (auto failure = addCatalogValue(entry, attribute, c, record))
            return failure;
        if (c.info.id == AttributeId::ProxyAddresses && !hasPrimaryFromProxy) {
            const ProxyAddress address(attribute.value);
            if (address.isPrimarySmtp()) {
                m_builder.setIdentity(IdentityField::PrimarySmtpAddress, address.address());
                hasPrimaryFromProxy = true;
            }
        }
    }
    earlier = m_builder.build();
    return std::nullopt;
}

std::optional<ImportError> AdSnapshotReader::checkRanges() const
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
    return std::nullopt;
}

Result<Snapshot> AdSnapshotReader::finish()
{
    if (auto failure = checkRanges())
        return *failure;
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
    if (auto failure = reader.read([&](const LdifEntry& entry) { return snapshot.addEntry(entry); }, progress))
        return *failure;
    return snapshot.finish();
}

} // namespace sunset
