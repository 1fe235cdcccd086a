#include "Matcher.h"

#include "Identity.h"
#include "ProxyAddress.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array<QLatin1StringView, int(MatchKey::Count)> kKeyNames{
    "sourceAnchor"_L1, "objectSid"_L1, "externalDirectoryObjectId"_L1, "userPrincipalName"_L1,
    "primarySmtpAddress"_L1};

bool keyIsCaseInsensitive(MatchKey key)
{
    return key != MatchKey::SourceAnchor; // base64 is case-sensitive; SIDs, GUID text, UPNs and SMTP are not
}

// The AD side's source anchor is computed: base64 of ms-DS-ConsistencyGuid, else of objectGUID.
QByteArray adSourceAnchor(const MailboxRecord& r)
{
    if (r.has(IdentityField::ConsistencyGuid))
        return sourceAnchorOf(r.identity(IdentityField::ConsistencyGuid));
    if (r.has(IdentityField::ObjectGuid))
        return sourceAnchorOf(r.identity(IdentityField::ObjectGuid));
    return {};
}

// The key value of a record as a view into the record (or, for the AD anchor, into adAnchor).
QByteArrayView keyOf(const MailboxRecord& r, MatchKey key, const QByteArray& adAnchor)
{
    switch (key) {
    case MatchKey::SourceAnchor:
        return r.side() == Side::Cloud ? r.identity(IdentityField::ImmutableId) : QByteArrayView(adAnchor);
    case MatchKey::ObjectSid: return r.identity(IdentityField::ObjectSid);
    case MatchKey::ExternalDirectoryObjectId: return r.identity(IdentityField::ExternalDirectoryObjectId);
    case MatchKey::UserPrincipalName: return r.identity(IdentityField::UserPrincipalName);
    case MatchKey::PrimarySmtpAddress: return r.identity(IdentityField::PrimarySmtpAddress);
    case MatchKey::Count: break;
    }
    return {};
}

struct KeyHash {
    bool caseInsensitive;
    size_t operator()(QByteArrayView v) const
    {
        return caseInsensitive ? hashCaseInsensitive(v) : qHash(v);
    }
};
struct KeyEqual {
    bool caseInsensitive;
    bool operator()(QByteArrayView a, QByteArrayView b) const
    {
        return caseInsensitive ? equalsCaseInsensitive(a, b) : a == b;
    }
};

struct Bucket {
    std::vector<qint32> ad;
    std::vector<qint32> cloud;
};

class Matching final {
public:
    Matching(const std::vector<MailboxRecord>& ad, const std::vector<MailboxRecord>& cloud)
        : m_ad(ad), m_cloud(cloud), m_adState(ad.size(), Open), m_cloudState(cloud.size(), Open)
    {
        m_adAnchors.reserve(ad.size());
        for (const MailboxRecord& r : ad)
            m_adAnchors.push_back(adSourceAnchor(r));
        const QByteArray none;
        for (int k = 0; k < int(MatchKey::Count); ++k) {
            m_adKeys[size_t(k)].resize(ad.size());
            m_cloudKeys[size_t(k)].resize(cloud.size());
            for (size_t i = 0; i < ad.size(); ++i)
                m_adKeys[size_t(k)][i] = keyOf(ad[i], MatchKey(k), m_adAnchors[i]);
            for (size_t i = 0; i < cloud.size(); ++i)
                m_cloudKeys[size_t(k)][i] = keyOf(cloud[i], MatchKey(k), none);
        }
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
        const bool ci = keyIsCaseInsensitive(key);
        const auto& cloudKeys = m_cloudKeys[size_t(key)];
        const auto& adKeys = m_adKeys[size_t(key)];
        size_t candidates = 0;
        for (size_t i = 0; i < m_cloud.size(); ++i)
            candidates += (m_cloudState[i] == Open && !cloudKeys[i].isEmpty()) ? 1 : 0;
        if (candidates == 0)
            return;
        std::unordered_map<QByteArrayView, Bucket, KeyHash, KeyEqual> buckets(candidates, KeyHash{ci}, KeyEqual{ci});
        for (size_t i = 0; i < m_cloud.size(); ++i)
            if (m_cloudState[i] == Open && !cloudKeys[i].isEmpty())
                buckets[cloudKeys[i]].cloud.push_back(qint32(i));
        // AD objects in input order, so that pairs and groups come out in a deterministic order.
        std::vector<QByteArrayView> order;
        for (size_t i = 0; i < m_ad.size(); ++i) {
            if (m_adState[i] != Open || adKeys[i].isEmpty())
                continue;
            const auto it = buckets.find(adKeys[i]);
            if (it == buckets.end())
                continue; // no cloud object has it: a weaker key may still match
            if (it->second.ad.empty())
                order.push_back(it->first);
            it->second.ad.push_back(qint32(i));
        }
        for (QByteArrayView value : order) {
            Bucket& b = buckets.find(value)->second;
            if (b.ad.size() == 1 && b.cloud.size() == 1) {
                pairOrReject(key, value, b.ad.front(), b.cloud.front());
                continue;
            }
            AmbiguousGroup group{key, QString::fromUtf8(value),
                                 u"%1 AD objects and %2 cloud objects share this %3"_s.arg(b.ad.size())
                                     .arg(b.cloud.size()).arg(matchKeyName(key)),
                                 b.ad, b.cloud};
            markAmbiguous(std::move(group));
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
                markAmbiguous({key, QString::fromUtf8(value),
                               u"same %1, but %2 differs (AD %3, cloud %4)"_s.arg(matchKeyName(key),
                                   matchKeyName(MatchKey(stronger)), QString::fromUtf8(a), QString::fromUtf8(c)),
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
    std::vector<QByteArray> m_adAnchors;
    std::array<std::vector<QByteArrayView>, int(MatchKey::Count)> m_adKeys;
    std::array<std::vector<QByteArrayView>, int(MatchKey::Count)> m_cloudKeys;
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
