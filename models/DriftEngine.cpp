// SPDX-License-Identifier: Apache-2.0
#include "DriftEngine.h"

#include "DriftCauseFinder.h"
#include "ProxyAddress.h"
#include "RecipientType.h"

#include <QSet>

#include <algorithm>
#include <array>
#include <unordered_set>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array<QLatin1StringView, int(DriftCause::Count)> kCauseKeys{
    "notCloudManaged"_L1,  "notWrittenBack"_L1,   "jobUnhealthy"_L1,
    "notMapped"_L1,        "writebackFailed"_L1,  "writebackSkipped"_L1,
    "writebackPending"_L1, "changedInAdAfterWriteback"_L1, "unexplained"_L1};

QStringList toStrings(const ValueList& values) { return values.toStringList(); }

// Values of `from` without an equivalent in `in`. Small lists are compared pairwise (no allocation);
// big ones (a 1,600-address mailbox) through a hash set.
template <typename Equal, typename Hash>
QStringList missingFrom(const ValueList& from, const ValueList& in, Equal equal, Hash hash)
{
    QStringList missing;
    if (from.size() * in.size() <= 1024) {
        // Identical bytes are the common case and the cheapest test; the rule's equivalence only runs for
        // values that have no byte-identical twin.
        for (QByteArrayView v : from)
            if (std::none_of(in.begin(), in.end(), [&](QByteArrayView w) { return v == w; }) &&
                std::none_of(in.begin(), in.end(), [&](QByteArrayView w) { return equal(v, w); }))
                missing << QString::fromUtf8(v);
        return missing;
    }
    std::unordered_set<QByteArrayView, Hash, Equal> set(in.begin(), in.end(), size_t(in.size()), hash, equal);
    for (QByteArrayView v : from)
        if (!set.contains(v))
            missing << QString::fromUtf8(v);
    return missing;
}

struct ExactEqual {
    bool operator()(QByteArrayView a, QByteArrayView b) const { return a == b; }
};
struct ExactHash {
    size_t operator()(QByteArrayView v) const { return qHash(v); }
};
struct ProxyEqual {
    bool operator()(QByteArrayView a, QByteArrayView b) const { return ProxyAddress::equivalent(a, b); }
};
struct ProxyHash {
    size_t operator()(QByteArrayView v) const { return ProxyAddress::hash(v); }
};

std::optional<bool> parseBoolean(QByteArrayView v)
{
    if (equalsCaseInsensitive(v, "true"))
        return true;
    if (equalsCaseInsensitive(v, "false"))
        return false;
    return std::nullopt;
}

bool booleanValue(const ValueList& values, bool* wellFormed)
{
    *wellFormed = true;
    if (values.isEmpty())
        return false; // an absent boolean is false
    const auto b = parseBoolean(values.first());
    *wellFormed = b.has_value() && values.size() == 1;
    return b.value_or(false);
}

bool isRoutingAddress(const ProxyAddress& p)
{
    static constexpr QByteArrayView suffix(".mail.onmicrosoft.com");
    const QByteArrayView a = p.address();
    return p.isSmtp() && a.size() > suffix.size() && equalsCaseInsensitive(a.last(suffix.size()), suffix);
}

DriftItem differing(const AttributeSpec& spec, const ValueList& ad, QStringList cloud, QStringList onlyInAd,
                    QStringList onlyInCloud)
{
    DriftItem item;
    item.attribute = spec.id;
    item.severity = spec.severity;
    item.ad = toStrings(ad);
    item.cloud = std::move(cloud);
    item.onlyInAd = std::move(onlyInAd);
    item.onlyInCloud = std::move(onlyInCloud);
    item.writable = spec.writableBySunset;
    return item;
}

// Single-valued comparisons across representations: when they differ, each side's values are its own.
DriftItem differingWhole(const AttributeSpec& spec, const ValueList& ad, const QStringList& cloud)
{
    return differing(spec, ad, cloud, toStrings(ad), cloud);
}

std::optional<DriftItem> compareSet(const AttributeSpec& spec, const ValueList& ad, const ValueList& cloud)
{
    QStringList onlyInAd, onlyInCloud;
    if (spec.rule == ComparisonRule::ProxyAddressSet) {
        onlyInAd = missingFrom(ad, cloud, ProxyEqual{}, ProxyHash{});
        onlyInCloud = missingFrom(cloud, ad, ProxyEqual{}, ProxyHash{});
    } else {
        onlyInAd = missingFrom(ad, cloud, ExactEqual{}, ExactHash{});
        onlyInCloud = missingFrom(cloud, ad, ExactEqual{}, ExactHash{});
    }
    if (onlyInAd.isEmpty() && onlyInCloud.isEmpty())
        return std::nullopt;
    DriftItem item = differing(spec, ad, toStrings(cloud), std::move(onlyInAd), std::move(onlyInCloud));
    // An address mail is delivered to in the cloud but unknown to AD (a new primary included) breaks routing
    // and look-ups; an address only AD still holds is stale but harmless until reused.
    if (spec.rule == ComparisonRule::ProxyAddressSet)
        item.severity = item.onlyInCloud.isEmpty() ? Severity::Warning : Severity::Critical;
    item.adTarget = item.cloud;
    return item;
}

std::optional<DriftItem> compareTypeRule(const AttributeSpec& spec, const ValueList& ad, const ValueList& cloud)
{
    if (cloud.isEmpty())
        return std::nullopt; // the export did not carry RecipientTypeDetails: nothing to compare against
    const auto type = cloudMailboxTypeFromName(cloud.first());
    if (!type)
        return std::nullopt; // no remote equivalent (e.g. a scheduling mailbox): not comparable
    const std::optional<qint64> parsed = ad.size() == 1 ? parseInteger(ad.first()) : std::nullopt;
    const bool adKnown = parsed.has_value();
    const qint64 adNumber = parsed.value_or(0);
    switch (spec.rule) {
    case ComparisonRule::RecipientTypeDetails: {
        const qint64 expected = remoteRecipientTypeFor(*type);
        if (adKnown && adNumber == expected)
            return std::nullopt;
        DriftItem item = differingWhole(spec, ad, toStrings(cloud));
        item.adTarget = {QString::number(expected)};
        return item;
    }
    case ComparisonRule::RecipientDisplayType: {
        const QList<qint64> accepted = acceptedDisplayTypesFor(*type);
        if (adKnown && accepted.contains(adNumber))
            return std::nullopt;
        DriftItem item = differingWhole(spec, ad, toStrings(cloud));
        item.adTarget = {QString::number(accepted.front())};
        return item;
    }
    case ComparisonRule::RemoteRecipientType:
        // Only the type bits (room / equipment / shared) follow from the cloud; provisioning and archive
        // bits record history Sunset cannot see, so they are not compared.
        if (adKnown && (adNumber & RemoteRecipientFlag::TypeMask) == remoteRecipientTypeBitsFor(*type))
            return std::nullopt;
        return differingWhole(spec, ad, toStrings(cloud));
    default: return std::nullopt;
    }
}

std::optional<DriftItem> compareTargetAddress(const AttributeSpec& spec, const ValueList& ad, const ValueList& emailAddresses)
{
    if (emailAddresses.isEmpty())
        return std::nullopt; // the export carried no addresses: nothing to check the routing address against
    const std::optional<ProxyAddress> adTarget =
        ad.size() == 1 ? std::optional<ProxyAddress>(ProxyAddress(ad.first())) : std::nullopt;
    if (adTarget && adTarget->isSmtp()) {
        for (QByteArrayView v : emailAddresses) {
            const ProxyAddress p(v);
            if (isRoutingAddress(p) && equalsCaseInsensitive(adTarget->address(), p.address()))
                return std::nullopt;
        }
    }
    QStringList routing; // only built for a drift: this runs for every pair
    for (QByteArrayView v : emailAddresses) {
        const ProxyAddress p(v);
        if (isRoutingAddress(p))
            routing << u"SMTP:"_s + QString::fromUtf8(p.address());
    }
    return differingWhole(spec, ad, routing);
}

} // namespace

QLatin1StringView driftCauseKey(DriftCause cause) { return kCauseKeys[size_t(cause)]; }

std::optional<DriftCause> driftCauseFromKey(QStringView key)
{
    for (size_t c = 0; c < kCauseKeys.size(); ++c)
        if (key == kCauseKeys[c])
            return DriftCause(c);
    return std::nullopt;
}

QString driftCauseExplanation(DriftCause cause)
{
    switch (cause) {
    case DriftCause::NotCloudManaged:
        return u"The mailbox is not cloud-managed: AD is still the source of its Exchange attributes, so the next "
               "sync will overwrite the cloud value."_s;
    case DriftCause::NotWrittenBack:
        return u"Entra Cloud Sync does not write this attribute back: an edit in Exchange Online stays cloud-only."_s;
    case DriftCause::JobUnhealthy:
        return u"Cloud Sync's writeback job for this domain is not writing back (missing, quarantined, paused, "
               "failing or never run)."_s;
    case DriftCause::NotMapped:
        return u"Cloud Sync's writeback job has no mapping for this attribute: restore its default mappings (this "
               "restarts the job)."_s;
    case DriftCause::WritebackFailed:
        return u"Cloud Sync's latest attempt to write this mailbox back to AD failed."_s;
    case DriftCause::WritebackSkipped:
        return u"Cloud Sync skipped this mailbox in its latest cycle."_s;
    case DriftCause::WritebackPending:
        return u"The mailbox changed in Exchange Online after Cloud Sync's last successful run: its next run "
               "should write it back."_s;
    case DriftCause::ChangedInAdAfterWriteback:
        return u"AD changed this attribute after Cloud Sync last wrote it: a second writer is fighting Cloud Sync."_s;
    case DriftCause::Unexplained:
        return u"No evidence read explains this difference."_s;
    case DriftCause::Count: break;
    }
    return {};
}

namespace {

std::optional<DriftItem> compareValues(const AttributeSpec& spec, const ValueList& ad, const ValueList& cloud)
{
    switch (spec.rule) {
    case ComparisonRule::ExactString: {
        const bool same = ad.size() == cloud.size() &&
                          std::equal(ad.begin(), ad.end(), cloud.begin(), ExactEqual{});
        if (same)
            return std::nullopt;
        DriftItem item = differingWhole(spec, ad, toStrings(cloud));
        item.adTarget = item.cloud;
        return item;
    }
    case ComparisonRule::SmtpAddress: {
        const bool same = ad.size() == cloud.size() &&
                          std::equal(ad.begin(), ad.end(), cloud.begin(), &equalsCaseInsensitive);
        if (same)
            return std::nullopt;
        DriftItem item = differingWhole(spec, ad, toStrings(cloud));
        item.adTarget = item.cloud;
        return item;
    }
    case ComparisonRule::ExactStringSet:
    case ComparisonRule::ProxyAddressSet: return compareSet(spec, ad, cloud);
    case ComparisonRule::Boolean: {
        bool adOk = true, cloudOk = true;
        const bool a = booleanValue(ad, &adOk), c = booleanValue(cloud, &cloudOk);
        if (adOk && cloudOk && a == c)
            return std::nullopt;
        DriftItem item = differingWhole(spec, ad, toStrings(cloud));
        if (item.writable)
            item.adTarget = {c ? u"TRUE"_s : u"FALSE"_s};
        return item;
    }
    case ComparisonRule::RecipientTypeDetails:
    case ComparisonRule::RecipientDisplayType:
    case ComparisonRule::RemoteRecipientType: return compareTypeRule(spec, ad, cloud);
    case ComparisonRule::TargetAddress: return compareTargetAddress(spec, ad, cloud);
    }
    return std::nullopt;
}

} // namespace

std::optional<DriftItem> compareAttribute(const AttributeSpec& spec, const MailboxRecord& adRecord,
                                          const MailboxRecord& cloudRecord)
{
    return compareValues(spec, adRecord.adValues(spec.id), cloudRecord.cloudValues(spec.cloudProperty));
}

std::span<const DriftItem> DriftReport::driftOf(size_t pairIndex) const
{
    if (pairIndex + 1 >= m_firstItem.size())
        return {};
    return std::span<const DriftItem>(m_items).subspan(m_firstItem[pairIndex],
                                                       m_firstItem[pairIndex + 1] - m_firstItem[pairIndex]);
}

std::optional<Severity> DriftReport::worstSeverityOf(size_t pairIndex) const
{
    std::optional<Severity> worst;
    for (const DriftItem& item : driftOf(pairIndex))
        if (!worst || item.severity > *worst)
            worst = item.severity;
    return worst;
}

DriftReport computeDrift(const Snapshot& ad, const Snapshot& cloud, MatchResult match, const DriftOptions& options)
{
    DriftReport report;
    report.match = std::move(match);
    DriftOptions effective = options;
    if (effective.asOfMsecs == 0)
        effective.asOfMsecs = std::max(ad.newestChangeMsecs, cloud.newestChangeMsecs);
    report.asOfMsecs = effective.asOfMsecs;
    report.cloudSync = options.cloudSync ? options.cloudSync : std::make_shared<const CloudSyncState>();
    DriftCauseFinder causes(*report.cloudSync);
    report.m_firstItem.reserve(report.match.pairs.size() + 1);
    std::array<ValueList, kAttributeCount> adLists;
    std::array<ValueList, size_t(CloudProperty::Count)> cloudLists;
    for (const MatchedPair& pair : report.match.pairs) {
        report.m_firstItem.push_back(quint32(report.m_items.size()));
        const MailboxRecord& a = ad.records[size_t(pair.ad)];
        const MailboxRecord& c = cloud.records[size_t(pair.cloud)];
        a.attributeValueLists(adLists);
        c.attributeValueLists(cloudLists);
        bool begun = false; // most pairs agree: their evidence is never looked up
        for (const AttributeSpec& spec : AttributeCatalog::all()) {
            if (std::optional<DriftItem> item =
                    compareValues(spec, adLists[size_t(spec.id)], cloudLists[size_t(spec.cloudProperty)])) {
                if (!begun)
                    causes.begin(a, c, ad.changeMetadata);
                begun = true;
                causes.explain(*item);
                report.m_items.push_back(std::move(*item));
            }
        }
    }
    report.m_firstItem.push_back(quint32(report.m_items.size()));
    return report;
}

} // namespace sunset
