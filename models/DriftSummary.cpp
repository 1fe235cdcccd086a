// SPDX-License-Identifier: Apache-2.0
#include "DriftSummary.h"

#include <QTextStream>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

qint64 DriftSummary::softMatched() const
{
    return matchedBy[size_t(MatchKey::UserPrincipalName)] + matchedBy[size_t(MatchKey::PrimarySmtpAddress)];
}

DriftSummary summarize(const DriftReport& report, const Snapshot& ad, const Snapshot& cloud)
{
    DriftSummary s;
    s.adMailboxes = qint64(ad.records.size());
    s.adEntriesSkipped = ad.skippedEntries;
    s.adSkippedReason = ad.skippedReason;
    s.cloudMailboxes = qint64(cloud.records.size());
    s.matched = qint64(report.match.pairs.size());
    for (const MatchedPair& p : report.match.pairs)
        ++s.matchedBy[size_t(p.matchedBy)];
    s.adOnly = qint64(report.match.unmatchedAd.size());
    s.cloudOnly = qint64(report.match.unmatchedCloud.size());
    s.ambiguousGroups = qint64(report.match.ambiguous.size());
    for (size_t i = 0; i < report.match.pairs.size(); ++i)
        if (const auto worst = report.worstSeverityOf(i)) {
            ++s.mailboxesWithDrift;
            ++s.mailboxesByWorstSeverity[size_t(*worst)];
        }
    for (const DriftItem& item : report.allItems()) {
        ++s.driftItems;
        ++s.itemsBySeverity[size_t(item.severity)];
        ++s.itemsByAttribute[size_t(item.attribute)];
        ++s.itemsByCause[size_t(item.cause)];
    }
    return s;
}

QString formatSummaryText(const DriftSummary& s, const ReportSources& sources)
{
    QString text;
    QTextStream out(&text);
    out << "Active Directory:  " << s.adMailboxes << " mailboxes from " << sources.ad;
    if (s.adEntriesSkipped > 0)
        out << " (" << s.adEntriesSkipped << " other entries skipped: " << s.adSkippedReason << ')';
    out << "\nExchange Online:   " << s.cloudMailboxes << " mailboxes from " << sources.exo;
    if (!sources.graph.isEmpty())
        out << " (anchors from " << sources.graph << ')';
    out << "\n\nMatched:           " << s.matched;
    QStringList by;
    for (int k = 0; k < int(MatchKey::Count); ++k)
        if (s.matchedBy[size_t(k)] > 0)
            by << u"%1 %2%3"_s.arg(matchKeyName(MatchKey(k))).arg(s.matchedBy[size_t(k)])
                      .arg(isSoftMatch(MatchKey(k)) ? u" (soft)"_s : QString());
    if (!by.isEmpty())
        out << "  by " << by.join(", "_L1);
    out << "\nOnly in AD:        " << s.adOnly;
    out << "\nOnly in the cloud: " << s.cloudOnly;
    out << "\nAmbiguous:         " << s.ambiguousGroups << (s.ambiguousGroups == 1 ? " group" : " groups");
    out << "\nWith drift:        " << s.mailboxesWithDrift << " mailboxes (worst: critical "
        << s.mailboxesByWorstSeverity[size_t(Severity::Critical)] << ", warning "
        << s.mailboxesByWorstSeverity[size_t(Severity::Warning)] << ", normal "
        << s.mailboxesByWorstSeverity[size_t(Severity::Normal)] << "), " << s.driftItems << " drifting attributes\n";
    if (s.driftItems > 0) {
        out << "\nDrift by attribute:\n";
        for (const AttributeSpec& spec : AttributeCatalog::all()) {
            const qint64 n = s.itemsByAttribute[size_t(spec.id)];
            if (n > 0)
                out << "  " << QString(spec.ldapName).leftJustified(34) << QString::number(n).rightJustified(8)
                    << (spec.writtenBackByCloudSync ? "" : "  (not written back by Cloud Sync)") << '\n';
        }
        out << "\nDrift by cause:\n";
        for (int c = 0; c < int(DriftCause::Count); ++c) {
            const qint64 n = s.itemsByCause[size_t(c)];
            if (n > 0)
                out << "  " << QString(driftCauseKey(DriftCause(c))).leftJustified(34)
                    << QString::number(n).rightJustified(8) << '\n';
        }
    }
    out.flush();
    return text;
}

} // namespace sunset
