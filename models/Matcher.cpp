// SPDX-License-Identifier: Apache-2.0
#include "Matcher.h"

#include "Identity.h"
#include "ProxyAddress.h"

#include <algorithm>
#include <array>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array<QLatin1StringView, int(MatchKey::Count)> kKeyNames{
    "sourceAnchor"_L1, "objectSid"_L1, "externalDirectoryObjectId"_L1, "userPrincipalName"_L1,
    "primarySmtpAddress"_L1};

bool keyIsCaseInsensitive(MatchKey key)
{
    return key != MatchKey::SourceAnchor; // anchors are raw bytes; SIDs, GUID text, UPNs and SMTP ignore case
}

// Source anchors are compared as the 16 raw GUID bytes: AD's ms-DS-ConsistencyGuid (else objectGUID) as stored,
// and the cloud's onPremisesImmutableId decoded from base64. Equal bytes are what equal base64 texts mean, and
// AD's side then needs no conversion at all. A cloud id that is not base64 of 16 bytes cannot be the base64 of
// an AD GUID, so it gets no anchor key.
using GuidBytes = std::array<char, 16>;

bool decodeAnchor(QByteArrayView text, GuidBytes& out)
{
    static const auto table = [] {
        std::array<qint8, 256> t{};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<unsigned char>(alphabet[i])] = qint8(i);
        return t;
    }();
    // 16 bytes are 22 significant characters plus "==".
    if (text.size() != 24 || text[22] != '=' || text[23] != '=')
        return false;
    quint32 bits = 0;
    int bitCount = 0, written = 0;
    for (int i = 0; i < 22; ++i) {
        const qint8 v = table[static_cast<unsigned char>(text[i])];
        if (v < 0)
            return false;
        bits = (bits << 6) | quint32(v);
        bitCount += 6;
        if (bitCount >= 8) {
            bitCount -= 8;
            out[size_t(written++)] = char((bits >> bitCount) & 0xff);
        }
    }
    return written == 16;
}

// A key as admins read it: anchors in the base64 form Entra shows.
QString keyText(MatchKey key, QByteArrayView value)
{
    return key == MatchKey::SourceAnchor ? QString::fromLatin1(sourceAnchorOf(value)) : QString::fromUtf8(value);
}

// An open-addressing table from key to the objects holding it on each side. Objects are chained through
// per-side "next" arrays, so building a level allocates three flat vectors and nothing per object.
class KeyTable final {
public:
    struct Slot {
        QByteArrayView key;
        qint32 cloudHead = -1, cloudTail = -1, cloudCount = 0;
        qint32 adHead = -1, adTail = -1, adCount = 0;
    };

    KeyTable(size_t expected, bool caseInsensitive, size_t adSize, size_t cloudSize)
        : m_caseInsensitive(caseInsensitive), m_cloudNext(cloudSize, -1), m_adNext(adSize, -1)
    {
        size_t capacity = 16;
        while (capacity < expected * 2)
            capacity *= 2;
        m_slots.resize(capacity);
        m_mask = capacity - 1;
    }

    void addCloud(QByteArrayView key, qint32 index)
    {
        Slot& s = m_slots[probe(key)];
        s.key = key;
        append(s.cloudHead, s.cloudTail, s.cloudCount, m_cloudNext, index);
    }

    // Returns the slot the AD object joined, or -1 when no cloud object holds its key.
    qint64 addAd(QByteArrayView key, qint32 index)
    {
        const size_t at = probe(key);
        Slot& s = m_slots[at];
        if (s.cloudHead < 0)
            return -1;
        append(s.adHead, s.adTail, s.adCount, m_adNext, index);
        return qint64(at);
    }

    const Slot& slot(qint64 at) const { return m_slots[size_t(at)]; }
    std::vector<qint32> adChain(const Slot& s) const { return chain(s.adHead, m_adNext); }
    std::vector<qint32> cloudChain(const Slot& s) const { return chain(s.cloudHead, m_cloudNext); }

private:
    size_t probe(QByteArrayView key) const
    {
        size_t at = (m_caseInsensitive ? hashCaseInsensitive(key) : qHash(key)) & m_mask;
        while (m_slots[at].cloudHead >= 0 && !equal(m_slots[at].key, key))
            at = (at + 1) & m_mask;
        return at;
    }
    bool equal(QByteArrayView a, QByteArrayView b) const
    {
        return m_caseInsensitive ? equalsCaseInsensitive(a, b) : a == b;
    }
    static void append(qint32& head, qint32& tail, qint32& count, std::vector<qint32>& next, qint32 index)
    {
        if (head < 0)
            head = index;
        else
            next[size_t(tail)] = index;
        tail = index;
        ++count;
    }
    static std::vector<qint32> chain(qint32 head, const std::vector<qint32>& next)
    {
        std::vector<qint32> list;
        for (qint32 i = head; i >= 0; i = next[size_t(i)])
            list.push_back(i);
        return list;
    }

    bool m_caseInsensitive;
    size_t m_mask = 0;
    std::vector<Slot> m_slots;
    std::vector<qint32> m_cloudNext;
    std::vector<qint32> m_adNext;
};

class Matching final {
public:
    Matching(const std::vector<MailboxRecord>& ad, const std::vector<MailboxRecord>& cloud)
        : m_ad(ad), m_cloud(cloud), m_adState(ad.size(), Open), m_cloudState(cloud.size(), Open)
    {
        for (auto& keys : m_adKeys)
            keys.resize(ad.size());
        for (auto& keys : m_cloudKeys)
            keys.resize(cloud.size());
        std::array<QByteArrayView, size_t(IdentityField::Count)> id;
        for (size_t i = 0; i < ad.size(); ++i) {
            ad[i].identities(id);
            const QByteArrayView consistency = id[size_t(IdentityField::ConsistencyGuid)];
            setKeys(m_adKeys, i, id, consistency.isEmpty() ? id[size_t(IdentityField::ObjectGuid)] : consistency);
        }
        m_cloudAnchors.resize(cloud.size());
        for (size_t i = 0; i < cloud.size(); ++i) {
            cloud[i].identities(id);
            const bool decoded = decodeAnchor(id[size_t(IdentityField::ImmutableId)], m_cloudAnchors[i]);
            setKeys(m_cloudKeys, i, id,
                    decoded ? QByteArrayView(m_cloudAnchors[i].data(), 16) : QByteArrayView());
        }
    }

    using Keys = std::array<std::vector<QByteArrayView>, int(MatchKey::Count)>;

    static void setKeys(Keys& keys, size_t i, const std::array<QByteArrayView, size_t(IdentityField::Count)>& id,
                        QByteArrayView anchor)
    {
        keys[size_t(MatchKey::SourceAnchor)][i] = anchor;
        keys[size_t(MatchKey::ObjectSid)][i] = id[size_t(IdentityField::ObjectSid)];
        keys[size_t(MatchKey::ExternalDirectoryObjectId)][i] = id[size_t(IdentityField::ExternalDirectoryObjectId)];
        keys[size_t(MatchKey::UserPrincipalName)][i] = id[size_t(IdentityField::UserPrincipalName)];
        keys[size_t(MatchKey::PrimarySmtpAddress)][i] = id[size_t(IdentityField::PrimarySmtpAddress)];
    }

    MatchResult run()
    {
        for (int k = 0; k < int(MatchKey::Count); ++k)
            matchOn(MatchKey(k));
        std::sort(m_result.pairs.begin(), m_result.pairs.end(),
                  [](const MatchedPair& a, const MatchedPair& b) { return a.ad < b.ad; });
        for (size_t i = 0; i < m_ad.size(); ++i)
            if (m_adState[i] == Open)
                m_result.unmatchedAd.push_back(qint32(i));
        for (size_t i = 0; i < m_cloud.size(); ++i)
            if (m_cloudState[i] == Open)
                m_result.unmatchedCloud.push_back(qint32(i));
        return std::move(m_result);
    }

private:
    enum State : quint8 { Open, Paired, Ambiguous };

    void matchOn(MatchKey key)
    {
        const auto& cloudKeys = m_cloudKeys[size_t(key)];
        const auto& adKeys = m_adKeys[size_t(key)];
        size_t candidates = 0;
        for (size_t i = 0; i < m_cloud.size(); ++i)
            candidates += (m_cloudState[i] == Open && !cloudKeys[i].isEmpty()) ? 1 : 0;
        if (candidates == 0)
            return;
        KeyTable table(candidates, keyIsCaseInsensitive(key), m_ad.size(), m_cloud.size());
        for (size_t i = 0; i < m_cloud.size(); ++i)
            if (m_cloudState[i] == Open && !cloudKeys[i].isEmpty())
                table.addCloud(cloudKeys[i], qint32(i));
        // Slots in the order AD objects first reach them, so pairs and groups come out deterministically.
        std::vector<qint64> order;
        for (size_t i = 0; i < m_ad.size(); ++i) {
            if (m_adState[i] != Open || adKeys[i].isEmpty())
                continue;
            const qint64 at = table.addAd(adKeys[i], qint32(i));
            if (at >= 0 && table.slot(at).adCount == 1)
                order.push_back(at);
        }
        for (qint64 at : order) {
            const KeyTable::Slot& s = table.slot(at);
            if (s.adCount == 1 && s.cloudCount == 1) {
                pairOrReject(key, s.key, s.adHead, s.cloudHead);
                continue;
            }
            markAmbiguous({key, keyText(key, s.key),
                           u"%1 AD objects and %2 cloud objects share this %3"_s.arg(s.adCount)
                               .arg(s.cloudCount).arg(matchKeyName(key)),
                           table.adChain(s), table.cloudChain(s)});
        }
    }

    // A weaker key must not join two objects that a stronger key, present on both, tells apart:
    // Entra would not soft-match them either.
    void pairOrReject(MatchKey key, QByteArrayView value, qint32 ad, qint32 cloud)
    {
        for (int stronger = 0; stronger < int(key); ++stronger) {
            const QByteArrayView a = m_adKeys[size_t(stronger)][size_t(ad)];
            const QByteArrayView c = m_cloudKeys[size_t(stronger)][size_t(cloud)];
            if (a.isEmpty() || c.isEmpty())
                continue;
            const bool same = keyIsCaseInsensitive(MatchKey(stronger)) ? equalsCaseInsensitive(a, c) : a == c;
            if (!same) {
                markAmbiguous({key, keyText(key, value),
                               u"same %1, but %2 differs (AD %3, cloud %4)"_s.arg(matchKeyName(key),
                                   matchKeyName(MatchKey(stronger)), keyText(MatchKey(stronger), a),
                                   keyText(MatchKey(stronger), c)),
                               {ad}, {cloud}});
                return;
            }
        }
        m_adState[size_t(ad)] = Paired;
        m_cloudState[size_t(cloud)] = Paired;
        m_result.pairs.push_back({ad, cloud, key});
    }

    void markAmbiguous(AmbiguousGroup group)
    {
        for (qint32 i : group.ad)
            m_adState[size_t(i)] = Ambiguous;
        for (qint32 i : group.cloud)
            m_cloudState[size_t(i)] = Ambiguous;
        m_result.ambiguous.push_back(std::move(group));
    }

    const std::vector<MailboxRecord>& m_ad;
    const std::vector<MailboxRecord>& m_cloud;
    std::vector<State> m_adState;
    std::vector<State> m_cloudState;
    std::vector<GuidBytes> m_cloudAnchors;
    Keys m_adKeys;
    Keys m_cloudKeys;
    MatchResult m_result;
};

} // namespace

QLatin1StringView matchKeyName(MatchKey key) { return kKeyNames[size_t(key)]; }

bool isSoftMatch(MatchKey key) { return key == MatchKey::UserPrincipalName || key == MatchKey::PrimarySmtpAddress; }

qint64 MatchResult::countBy(MatchKey key) const
{
    return std::count_if(pairs.begin(), pairs.end(), [key](const MatchedPair& p) { return p.matchedBy == key; });
}

MatchResult matchMailboxes(const std::vector<MailboxRecord>& ad, const std::vector<MailboxRecord>& cloud)
{
    return Matching(ad, cloud).run();
}

} // namespace sunset
