// SPDX-License-Identifier: Apache-2.0
#include "DriftScan.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <numeric>
#include <string_view>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char kFieldSeparator = '\x1f';

bool isAscii(QByteArrayView v)
{
    return std::all_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Appends the lower-cased value. Most directory text is ASCII: that path allocates nothing.
void appendLower(QByteArray& out, QByteArrayView v)
{
    if (isAscii(v)) {
        const qsizetype at = out.size();
        out.append(v.data(), v.size());
        for (char* p = out.data() + at, *end = out.data() + out.size(); p != end; ++p)
            if (*p >= 'A' && *p <= 'Z')
                *p = char(*p - 'A' + 'a');
        return;
    }
    out.append(QString::fromUtf8(v).toLower().toUtf8());
}

std::string_view sv(QByteArrayView v) { return {v.data(), size_t(v.size())}; }

// Ranks rows by a text field: equal texts share a rank, so a secondary sort key can still order them.
void assignRanks(std::vector<ScanRow>& rows, const std::vector<std::string_view>& keys, quint32 ScanRow::*rank)
{
    std::vector<quint32> order(rows.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](quint32 a, quint32 b) { return keys[a] < keys[b]; });
    quint32 current = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        if (i > 0 && keys[order[i]] != keys[order[i - 1]])
            ++current;
        rows[order[i]].*rank = current;
    }
}

CloudManagedState cloudManagedOf(const MailboxRecord* cloud)
{
    if (!cloud)
        return CloudManagedState::NoCloudSide;
    const QByteArrayView v = cloud->identity(IdentityField::CloudManaged);
    if (v == QByteArrayView("true"))
        return CloudManagedState::Yes;
    if (v == QByteArrayView("false"))
        return CloudManagedState::No;
    return CloudManagedState::Unknown;
}

} // namespace

std::shared_ptr<const DriftScan> DriftScan::compute(Snapshot ad, Snapshot cloud, ReportSources sources,
                                                    const DriftOptions& options)
{
    DriftReport report = computeDrift(ad, cloud, matchMailboxes(ad.records, cloud.records), options);
    return fromReport(std::move(ad), std::move(cloud), std::move(report), std::move(sources));
}

std::shared_ptr<const DriftScan> DriftScan::fromReport(Snapshot ad, Snapshot cloud, DriftReport report,
                                                       ReportSources sources)
{
    std::shared_ptr<DriftScan> scan(new DriftScan);
    scan->ad = std::move(ad);
    scan->cloud = std::move(cloud);
    scan->report = std::move(report);
    scan->summary = summarize(scan->report, scan->ad, scan->cloud);
    scan->sources = std::move(sources);
    scan->buildRows();
    return scan;
}

void DriftScan::buildRows()
{
    const MatchResult& match = report.match;
    size_t total = match.pairs.size() + match.unmatchedAd.size() + match.unmatchedCloud.size();
    for (const AmbiguousGroup& g : match.ambiguous)
        total += g.ad.size() + g.cloud.size();
    m_rows.reserve(total);

    for (size_t i = 0; i < match.pairs.size(); ++i) {
        const MatchedPair& p = match.pairs[i];
        ScanRow row;
        row.ad = p.ad;
        row.cloud = p.cloud;
        row.pair = qint32(i);
        row.matchKey = p.matchedBy;
        for (const DriftItem& item : report.driftOf(i)) {
            row.driftCount = quint16(std::min<int>(row.driftCount + 1, 0xffff));
            row.driftAttributes |= 1u << unsigned(item.attribute);
            row.driftCauses = quint16(row.driftCauses | (1u << unsigned(item.cause)));
            row.worstSeverity = std::max<qint8>(row.worstSeverity, qint8(item.severity));
        }
        m_rows.push_back(row);
    }
    for (qint32 ad : match.unmatchedAd) {
        ScanRow row;
        row.ad = ad;
        row.status = MailboxStatus::OnlyInAd;
        m_rows.push_back(row);
    }
    for (qint32 cloud : match.unmatchedCloud) {
        ScanRow row;
        row.cloud = cloud;
        row.status = MailboxStatus::OnlyInCloud;
        m_rows.push_back(row);
    }
    for (size_t g = 0; g < match.ambiguous.size(); ++g) {
        const AmbiguousGroup& group = match.ambiguous[g];
        auto add = [&](qint32 ad, qint32 cloud) {
            ScanRow row;
            row.ad = ad;
            row.cloud = cloud;
            row.ambiguousGroup = qint32(g);
            row.status = MailboxStatus::Ambiguous;
            row.matchKey = group.key;
            m_rows.push_back(row);
        };
        for (qint32 ad : group.ad)
            add(ad, -1);
        for (qint32 cloud : group.cloud)
            add(-1, cloud);
    }

    // Search text and the per-field extents the ranks are computed from.
    struct Extents { quint32 name, upn, dn; };
    std::vector<Extents> extents(m_rows.size());
    m_text.reserve(qsizetype(m_rows.size()) * 160);
    for (size_t i = 0; i < m_rows.size(); ++i) {
        ScanRow& row = m_rows[i];
        row.cloudManaged = cloudManagedOf(cloudRecord(row));
        row.textBegin = quint32(m_text.size());
        appendLower(m_text, displayName(row));
        extents[i].name = quint32(m_text.size()) - row.textBegin;
        m_text.append(kFieldSeparator);
        appendLower(m_text, userPrincipalName(row));
        extents[i].upn = quint32(m_text.size()) - row.textBegin;
        m_text.append(kFieldSeparator);
        appendLower(m_text, distinguishedName(row));
        extents[i].dn = quint32(m_text.size()) - row.textBegin;
        const MailboxRecord* adRec = adRecord(row);
        const MailboxRecord* cloudRec = cloudRecord(row);
        const ValueList cloudAddresses = cloudRec ? cloudRec->cloudValues(CloudProperty::EmailAddresses) : ValueList();
        for (QByteArrayView v : cloudAddresses) {
            m_text.append(kFieldSeparator);
            appendLower(m_text, v);
        }
        if (adRec) {
            // Mostly the same addresses as the cloud's: only the ones the cloud does not list verbatim.
            const ValueList adAddresses = adRec->adValues(AttributeId::ProxyAddresses);
            const bool compare = adAddresses.size() * cloudAddresses.size() <= 4096;
            for (QByteArrayView v : adAddresses) {
                if (compare && std::find(cloudAddresses.begin(), cloudAddresses.end(), v) != cloudAddresses.end())
                    continue;
                m_text.append(kFieldSeparator);
                appendLower(m_text, v);
            }
        }
        if (adRec && cloudRec && adRec->identity(IdentityField::UserPrincipalName) !=
                                     cloudRec->identity(IdentityField::UserPrincipalName)) {
            m_text.append(kFieldSeparator);
            appendLower(m_text, adRec->identity(IdentityField::UserPrincipalName));
        }
        row.textLength = quint32(m_text.size()) - row.textBegin;
    }
    m_text.squeeze();

    std::vector<std::string_view> keys(m_rows.size());
    auto field = [&](size_t i, quint32 from, quint32 to) {
        return sv(QByteArrayView(m_text.data() + m_rows[i].textBegin + from, qsizetype(to - from)));
    };
    for (size_t i = 0; i < m_rows.size(); ++i)
        keys[i] = field(i, 0, extents[i].name);
    assignRanks(m_rows, keys, &ScanRow::nameRank);
    for (size_t i = 0; i < m_rows.size(); ++i)
        keys[i] = field(i, extents[i].name + 1, extents[i].upn);
    assignRanks(m_rows, keys, &ScanRow::upnRank);
    for (size_t i = 0; i < m_rows.size(); ++i)
        keys[i] = field(i, extents[i].upn + 1, extents[i].dn);
    assignRanks(m_rows, keys, &ScanRow::dnRank);
}

const MailboxRecord* DriftScan::adRecord(const ScanRow& row) const
{
    return row.ad >= 0 ? &ad.records[size_t(row.ad)] : nullptr;
}

const MailboxRecord* DriftScan::cloudRecord(const ScanRow& row) const
{
    return row.cloud >= 0 ? &cloud.records[size_t(row.cloud)] : nullptr;
}

std::span<const DriftItem> DriftScan::driftOf(const ScanRow& row) const
{
    return row.pair >= 0 ? report.driftOf(size_t(row.pair)) : std::span<const DriftItem>();
}

const DriftItem* DriftScan::driftItem(const ScanRow& row, AttributeId attribute) const
{
    if (!(row.driftAttributes & (1u << unsigned(attribute))))
        return nullptr;
    for (const DriftItem& item : driftOf(row))
        if (item.attribute == attribute)
            return &item;
    return nullptr;
}

namespace {
QByteArrayView preferCloud(const MailboxRecord* cloud, const MailboxRecord* ad, IdentityField field)
{
    if (cloud && cloud->has(field))
        return cloud->identity(field);
    return ad ? ad->identity(field) : QByteArrayView();
}
} // namespace

QByteArrayView DriftScan::displayName(const ScanRow& row) const
{
    return preferCloud(cloudRecord(row), adRecord(row), IdentityField::DisplayName);
}

QByteArrayView DriftScan::userPrincipalName(const ScanRow& row) const
{
    return preferCloud(cloudRecord(row), adRecord(row), IdentityField::UserPrincipalName);
}

QByteArrayView DriftScan::distinguishedName(const ScanRow& row) const
{
    const MailboxRecord* ad = adRecord(row);
    return ad ? ad->identity(IdentityField::DistinguishedName) : QByteArrayView();
}

QString matchKeyLabel(MatchKey key)
{
    switch (key) {
    case MatchKey::SourceAnchor: return QCoreApplication::translate("sunset", "Source anchor");
    case MatchKey::ObjectSid: return QCoreApplication::translate("sunset", "objectSid");
    case MatchKey::ExternalDirectoryObjectId: return QCoreApplication::translate("sunset", "Entra object id");
    case MatchKey::UserPrincipalName: return QCoreApplication::translate("sunset", "UPN (soft)");
    case MatchKey::PrimarySmtpAddress: return QCoreApplication::translate("sunset", "Primary SMTP (soft)");
    case MatchKey::Count: break;
    }
    return {};
}

QString mailboxStatusLabel(const ScanRow& row)
{
    switch (row.status) {
    case MailboxStatus::Matched: return matchKeyLabel(row.matchKey);
    case MailboxStatus::OnlyInAd: return QCoreApplication::translate("sunset", "Only in AD");
    case MailboxStatus::OnlyInCloud: return QCoreApplication::translate("sunset", "Only in Exchange Online");
    case MailboxStatus::Ambiguous: return QCoreApplication::translate("sunset", "Ambiguous");
    }
    return {};
}

QString severityLabel(int severity)
{
    switch (severity) {
    case int(Severity::Critical): return QCoreApplication::translate("sunset", "Critical");
    case int(Severity::Warning): return QCoreApplication::translate("sunset", "Warning");
    case int(Severity::Normal): return QCoreApplication::translate("sunset", "Normal");
    default: return u"—"_s;
    }
}

} // namespace sunset
