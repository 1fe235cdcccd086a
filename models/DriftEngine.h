// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"
#include "CloudSyncState.h"
#include "Matcher.h"
#include "Snapshot.h"

#include <QStringList>

#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace sunset {

// Why an attribute differs, as measured from what Sunset read: the catalog and the cloud export's
// IsExchangeCloudManaged, Cloud Sync's writeback job and provisioning log, and AD's replication metadata. A cause
// is never inferred from timing alone: where the evidence is missing, the cause is Unexplained and says what was
// missing. Keys are stable (reports, history).
enum class DriftCause : quint8 {
    NotCloudManaged,           // IsExchangeCloudManaged is false: AD is still the source; Connect Sync overwrites the cloud
    NotWrittenBack,            // Cloud Sync does not write this attribute back: a cloud edit stays cloud-only
    JobUnhealthy,              // the domain's writeback job is missing, quarantined, paused, failing or never ran
    NotMapped,                 // the job's schema has no mapping for the attribute
    WritebackFailed,           // the object's latest provisioning entry failed
    WritebackSkipped,          // the object's latest provisioning entry was skipped (e.g. NotInScope)
    WritebackPending,          // the cloud mailbox changed after the job's last successful run
    ChangedInAdAfterWriteback, // AD's metadata shows a write after the writeback's last one: a second writer
    Unexplained,               // no evidence could be read; DriftEvidence::missing says what was missing
    Count
};
QLatin1StringView driftCauseKey(DriftCause cause);   // stable identifier for reports ("notWrittenBack")
std::optional<DriftCause> driftCauseFromKey(QStringView key);
QString driftCauseExplanation(DriftCause cause);     // one sentence for admins, without the evidence

// What could not be read for an item, so that an Unexplained cause says what to provide.
namespace EvidenceMissing {
enum : quint8 {
    CloudManagedFlag = 1 << 0,  // the cloud export does not say whether the mailbox is cloud-managed
    JobState = 1 << 1,          // no Cloud Sync job state read
    ProvisioningLog = 1 << 2,   // no provisioning log read
    ProvisioningEntry = 1 << 3, // the log read holds no entry for this object
    AdMetadata = 1 << 4,        // no AD replication metadata for this attribute
    Schema = 1 << 5,            // the job's schema was not read (mappings unknown)
};
}

// AD's last originating change of an item's attribute, its DC resolved from the snapshot's table (evidence is
// kept per drift item, far fewer than the changes kept per attribute of every mailbox).
struct AdChangeEvidence {
    quint32 version = 0;
    qint64 originatingChangeMsecs = 0;
    QString originatingInvocationId; // GUID text, lower case; empty when unknown
    QString originatingDc;           // the DC's name where the snapshot named it, else empty
};

// What proved an item's cause, or what was missing. Job and provisioning evidence are indices into the report's
// CloudSyncState, so 600,000 items share one copy of each job's and each object's texts.
struct DriftEvidence {
    qint32 job = -1;              // index into CloudSyncState::jobs; -1 none (see noJobForDomain)
    qint32 provisioning = -1;     // index into CloudSyncState::provisioning.objects
    bool noJobForDomain = false;  // jobs were read but none writes back the mailbox's domain
    quint8 missing = 0;           // EvidenceMissing flags
    qint64 lastWriteMsecs = 0;    // the writeback's last write of this attribute (provisioning log), 0 unknown
    qint64 cloudChangedMsecs = 0; // the cloud mailbox's WhenChanged, for WritebackPending
    std::optional<AdChangeEvidence> ad; // AD's last originating change of the attribute
};

// One attribute of one matched mailbox whose values differ.
struct DriftItem {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    Severity severity = Severity::Normal;
    DriftCause cause = DriftCause::Unexplained;
    DriftEvidence evidence;
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
    qint64 asOfMsecs = 0; // scan time; 0: newest change seen in either snapshot
    // What was read of Cloud Sync (jobs, schemas, provisioning log); null when nothing was.
    std::shared_ptr<const CloudSyncState> cloudSync;
};

// Matching plus every drift item of every matched pair.
class DriftReport final {
public:
    MatchResult match;
    qint64 asOfMsecs = 0;
    std::shared_ptr<const CloudSyncState> cloudSync; // what the evidence indices point into; never null

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
