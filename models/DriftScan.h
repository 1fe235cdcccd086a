// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftEngine.h"
#include "DriftSummary.h"
#include "Snapshot.h"

#include <QByteArrayView>
#include <QMetaType>
#include <QString>

#include <memory>
#include <span>
#include <vector>

namespace sunset {

// Where a mailbox stands after matching.
enum class MailboxStatus : quint8 { Matched, OnlyInAd, OnlyInCloud, Ambiguous };

// What the cloud export says about IsExchangeCloudManaged; NoCloudSide for mailboxes only AD holds.
enum class CloudManagedState : quint8 { No, Yes, Unknown, NoCloudSide };

// One line of the mailbox list. Compact (about 48 bytes) because a tenant has up to 600,000 of them, and
// precomputed on the loading thread so the GUI's model reset, sort and filter only read integers.
struct ScanRow {
    qint32 ad = -1;             // index into DriftScan::ad.records, -1 when AD has no side
    qint32 cloud = -1;          // index into DriftScan::cloud.records
    qint32 pair = -1;           // index into report.match.pairs (Matched only)
    qint32 ambiguousGroup = -1; // index into report.match.ambiguous (Ambiguous only)
    MailboxStatus status = MailboxStatus::Matched;
    MatchKey matchKey = MatchKey::Count; // how it was matched, or the key that was ambiguous
    qint8 worstSeverity = -1;            // a Severity, -1 without drift
    CloudManagedState cloudManaged = CloudManagedState::NoCloudSide;
    quint16 driftCount = 0;
    quint32 driftAttributes = 0; // bit (1 << AttributeId) per drifting attribute
    quint16 driftCauses = 0;     // bit (1 << DriftCause) per cause among its drift items
    // Ranks of the case-folded texts, so sorting by a text column compares two integers.
    quint32 nameRank = 0;
    quint32 upnRank = 0;
    quint32 dnRank = 0;
    // The lower-cased search text (name, UPN, DN, every address of both sides) in DriftScan's text blob.
    quint32 textBegin = 0;
    quint32 textLength = 0;
};
static_assert(kAttributeCount <= 32, "ScanRow::driftAttributes holds one bit per catalog attribute");
static_assert(int(DriftCause::Count) <= 16, "ScanRow::driftCauses holds one bit per cause");

// One finished comparison: both snapshots, the drift report, its summary and the mailbox list built from them.
// Immutable once made and shared as std::shared_ptr<const DriftScan>, so the loading thread can hand it to the
// GUI without copying 600,000 records and views can keep it alive while a new scan loads.
class DriftScan final {
public:
    // Matches, diffs and summarizes; meant for a worker thread (it is the expensive part after reading).
    static std::shared_ptr<const DriftScan> compute(Snapshot ad, Snapshot cloud, ReportSources sources,
                                                    const DriftOptions& options = {});
    // From an existing report (tests, or a report computed elsewhere).
    static std::shared_ptr<const DriftScan> fromReport(Snapshot ad, Snapshot cloud, DriftReport report,
                                                       ReportSources sources);

    Snapshot ad;
    Snapshot cloud;
    DriftReport report;
    DriftSummary summary;
    ReportSources sources;

    // Every matched pair, then unmatched AD records, unmatched cloud records, and the members of ambiguous groups.
    const std::vector<ScanRow>& rows() const { return m_rows; }
    const MailboxRecord* adRecord(const ScanRow& row) const;
    const MailboxRecord* cloudRecord(const ScanRow& row) const;
    std::span<const DriftItem> driftOf(const ScanRow& row) const;
    const DriftItem* driftItem(const ScanRow& row, AttributeId attribute) const;
    // Lower-cased UTF-8 text a search looks in; fields separated by '\x1f' so a needle cannot span two.
    QByteArrayView searchText(const ScanRow& row) const { return {m_text.data() + row.textBegin, row.textLength}; }

    // Display texts; the cloud's where both sides have one (it is the side that is right after the move).
    QByteArrayView displayName(const ScanRow& row) const;
    QByteArrayView userPrincipalName(const ScanRow& row) const;
    QByteArrayView distinguishedName(const ScanRow& row) const;

private:
    DriftScan() = default;
    void buildRows();

    std::vector<ScanRow> m_rows;
    QByteArray m_text;
};

QString matchKeyLabel(MatchKey key); // "Source anchor", "UPN (soft)", ...
QString mailboxStatusLabel(const ScanRow& row); // matched-by label, or "Only in AD", "Ambiguous", ...
QString severityLabel(int severity); // "Critical", "Warning", "Normal", "—" for -1

// Item roles shared by the models over a scan and the ui delegates that style them (models has no QtGui, so
// colours are chosen by the delegates from these values).
namespace ItemRole {
enum : int {
    Sort = 0x0100 + 1,    // Qt::UserRole + 1: a typed, cheap sort key (qint64)
    ScanRowIndex,         // int: index into DriftScan::rows()
    Severity,             // int: worst severity on this cell, -1 none (text colour and marker)
    RowTint,              // int: severity of the row's drift, -1 none (background tint)
    HighlightSpans,       // QList<HighlightSpan>: ranges of DisplayRole text to emphasise
    NewSinceLastScan,     // bool: the row (mailbox list) or attribute (comparison) drifts anew since the last scan
};
}

enum class HighlightKind : quint8 {
    OnlyThisSide, // a value the other side lacks
    Invisible,    // a made-visible space or tab
    Primary,      // the "(primary)" marker of the primary SMTP address
    Note,         // explanatory text that is not part of a value ("… 1,400 more")
};

struct HighlightSpan {
    int start = 0;
    int length = 0;
    HighlightKind kind = HighlightKind::OnlyThisSide;
    friend bool operator==(const HighlightSpan&, const HighlightSpan&) = default;
};

} // namespace sunset

Q_DECLARE_METATYPE(sunset::HighlightSpan)
