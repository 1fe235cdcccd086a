#pragma once

#include "AttributeCatalog.h"
#include "Matcher.h"
#include "Snapshot.h"

#include <QStringList>

#include <optional>
#include <span>
#include <vector>

namespace sunset {

// Why an attribute differs, where it can be told. Drives the explanation and the remedy the GUI offers.
enum class DriftCause : quint8 {
    NotCloudManaged,     // IsExchangeCloudManaged is false: AD is still the source; Connect Sync will overwrite the cloud
    NotWrittenBack,      // Cloud Sync does not write this attribute back: a cloud edit stays cloud-only
    CloudManagedUnknown, // the cloud export does not say whether the mailbox is cloud-managed
    RecentChange,        // one side changed within the last sync cycle: writeback may not have run yet
    WritebackNotApplied, // cloud-managed, written back, not recent: Cloud Sync should have written it
    Count
};
QLatin1StringView driftCauseKey(DriftCause cause);   // stable identifier for reports ("notWrittenBack")
QString driftCauseExplanation(DriftCause cause);     // one sentence for admins

// One attribute of one matched mailbox whose values differ.
struct DriftItem {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    Severity severity = Severity::Normal;
    DriftCause cause = DriftCause::WritebackNotApplied;
    QStringList ad;          // AD values, as stored
    QStringList cloud;       // Exchange Online values, as the cloud states them (e.g. "UserMailbox")
    QStringList onlyInAd;    // values without an equivalent on the other side, under the attribute's rule
    QStringList onlyInCloud;
    // The AD values that bring AD in line with the cloud (the writeback direction); set only when the
    // catalog lets Sunset write the attribute. Empty with writable set means: clear the attribute.
    bool writable = false;
    QStringList adTarget;
};

// Compares one catalog attribute of one pair under its rule; nullopt when the values agree (or the rule cannot
// compare them, e.g. a cloud mailbox type with no remote equivalent). The cause is left to the caller.
std::optional<DriftItem> compareAttribute(const AttributeSpec& spec, const MailboxRecord& ad,
                                          const MailboxRecord& cloud);

struct DriftOptions {
    qint64 asOfMsecs = 0;                           // scan time; 0: newest change seen in either snapshot
    qint64 syncCycleMsecs = 20 * 60 * 1000;         // Entra Cloud Sync runs every 20 minutes
};

// Matching plus every drift item of every matched pair.
class DriftReport final {
public:
    MatchResult match;
    qint64 asOfMsecs = 0;

    std::span<const DriftItem> driftOf(size_t pairIndex) const;
    std::optional<Severity> worstSeverityOf(size_t pairIndex) const; // nullopt: no drift
    const std::vector<DriftItem>& allItems() const { return m_items; }

private:
    friend DriftReport computeDrift(const Snapshot&, const Snapshot&, MatchResult, const DriftOptions&);
    std::vector<DriftItem> m_items;        // grouped by pair, in pair order, then catalog order
    std::vector<quint32> m_firstItem;      // per pair, plus one past the end
};

DriftReport computeDrift(const Snapshot& ad, const Snapshot& cloud, MatchResult match, const DriftOptions& options = {});

} // namespace sunset
