// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

// What Entra Cloud Sync itself says about its Exchange attribute writeback, reduced to what explains drift.
// Field names follow Microsoft Graph v1.0 (microsoft-graph-docs-contrib, resources/synchronization-*.md and
// provisioningobjectsummary.md): [documented] unless a comment says [observed] (seen in real answers or
// community reports, not on Microsoft's pages) or [assumed] (Sunset's reading, not confirmed anywhere).

// The job template of the writeback to AD [documented: Learn, cloud-sync/exchange-hybrid].
inline constexpr QLatin1StringView kWritebackJobTemplateId{"Entra2ADExchangeOnlineAttributeWriteback"};

// synchronizationStatus.code [documented].
enum class SyncJobCode : quint8 { NotConfigured, NotRun, Active, Paused, Quarantine, Unknown };
QLatin1StringView syncJobCodeName(SyncJobCode code);
SyncJobCode syncJobCodeFromName(QStringView name); // case-insensitive; Unknown for anything else

// synchronizationQuarantine [documented]. Times in UTC milliseconds since the epoch, 0 when absent.
struct SyncQuarantine {
    QString reason; // e.g. EncounteredQuarantineException, TooManyDeletes
    qint64 currentBeganMsecs = 0;
    qint64 seriesBeganMsecs = 0;
    qint64 nextAttemptMsecs = 0;
};

// synchronizationTaskExecution, reduced [documented].
struct SyncExecution {
    qint64 timeBeganMsecs = 0;
    qint64 timeEndedMsecs = 0;
    QString state;     // Succeeded | Failed | EntryLevelErrors
    QString errorCode; // error.code, when it failed
    // When the run is known to have happened (its end, else its start); 0 when never. Graph writes
    // 0001-01-01T00:00:00Z for "never" [documented for steadyState*; observed for executions]: read as 0.
    qint64 whenMsecs() const { return timeEndedMsecs > 0 ? timeEndedMsecs : timeBeganMsecs; }
};

// One writeback job: one per AD domain [documented], told apart by its DomainFQDN setting [observed].
struct WritebackJob {
    QString id;                 // "<templateId>.<hex>.<hex>" [observed]
    // The Cloud Sync service principal the job belongs to (…/servicePrincipals/{id}/synchronization/jobs/{jobId});
    // known when read live, empty when the jobs came from a file (the job's answer does not name it [documented]).
    QString servicePrincipalId;
    QString domain;             // synchronizationJobSettings DomainFQDN, lower case; empty when absent
    QString statusCodeText;     // status.code as written, for reports
    SyncJobCode code = SyncJobCode::Unknown;
    std::optional<SyncQuarantine> quarantine;
    std::optional<SyncExecution> lastExecution;
    std::optional<SyncExecution> lastSuccessfulExecution;
    std::optional<SyncExecution> lastSuccessfulExecutionWithExports;
    qint64 countSuccessiveCompleteFailures = 0;
    qint64 scheduleIntervalMsecs = 0; // schedule.interval (ISO 8601 duration, "PT20M"); 0 when unknown
    QString scheduleState;            // Active | Disabled | Paused
    // status.synchronizedEntryCountByType [documented]: objects the job holds in scope, per type ("User to user"
    // [observed]), as the service counts them; empty when the answer had none.
    struct EntryCount {
        QString type;
        qint64 count = 0;
    };
    std::vector<EntryCount> synchronizedEntryCounts;
    // From the job's schema (--sync-schema, or read live): which catalog attributes have an attribute mapping.
    bool schemaRead = false;
    quint32 mappedAttributes = 0; // bit (1 << AttributeId)

    bool maps(AttributeId attribute) const { return mappedAttributes & (quint32(1) << int(attribute)); }
    // The written-back catalog attributes (of the 24) the schema read has no mapping for; empty when all are
    // mapped or the schema was not read (see schemaRead).
    std::vector<AttributeId> unmappedAttributes() const;
    // The sum of synchronizedEntryCounts; -1 when the job's answer reported none.
    qint64 objectsInScope() const;
    qint64 lastSuccessfulRunMsecs() const;
    // The last successful run plus one interval; a quarantined job's next attempt; 0 when unknown or paused.
    qint64 nextRunDueMsecs() const;
    // Why the job cannot be writing back now, in a few words ("quarantined (TooManyDeletes) since …"); empty when
    // it looks healthy. Paused, quarantined, disabled, never run, or failing whole runs in a row.
    QString unhealthyReason() const;
};

// One synchronizationSchema answer, reduced: the schema's id and the catalog attributes the first rule maps
// (Cloud Sync uses synchronizationRules[0] [documented: Entra cloud-sync docs]).
struct WritebackSchema {
    QString id;
    quint32 mappedAttributes = 0;
};

// provisioningStatusInfo.status [documented].
enum class ProvisioningStatus : quint8 { Success, Warning, Failure, Skipped, Unknown };
QLatin1StringView provisioningStatusName(ProvisioningStatus status);
ProvisioningStatus provisioningStatusFromName(QStringView name);

// One provisioning log entry (provisioningObjectSummary), reduced to what explains a drift item.
struct ProvisioningEntry {
    qint64 activityMsecs = 0;
    ProvisioningStatus status = ProvisioningStatus::Unknown;
    QString jobId;
    QString errorCode;         // errorInformation.errorCode (errorInfo on an older page of the docs)
    QString errorCategory;
    QString reason;
    QString recommendedAction;
    QString skipReason;        // a provisioning step's details "SkipReason", e.g. NotInScope [observed]
};

// The last value one writeback put into one AD attribute, and when.
struct AttributeWrite {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    qint64 activityMsecs = 0;
    QString newValue;
};

// Per Entra object: its latest entry, and per attribute the latest write that reached AD.
struct ObjectProvisioning {
    ProvisioningEntry latest;
    std::vector<AttributeWrite> writes;
    const AttributeWrite* lastWriteOf(AttributeId attribute) const;
};

// Per Entra object that failed or was skipped at least once in the log read: how often, from when to when, and
// the newest such entry, even when a later entry succeeded (the object's latest entry then says success). Kept
// only for such objects: most of a tenant's objects (600,000 of them) never fail and cost nothing extra.
struct ProvisioningTrouble {
    QByteArray entraObjectId; // the log's key (shared with ProvisioningLog::indexById)
    qint32 object = -1;       // index into ProvisioningLog::objects
    qint64 failedEntries = 0;
    qint64 skippedEntries = 0;
    qint64 firstMsecs = 0;    // the oldest failed or skipped entry's time
    ProvisioningEntry last;   // the newest failed or skipped entry: its time, error code, reason, recommended action
    // The newest entry that reached AD (succeeded, fully or with warnings); 0 when none did in the log read. When
    // the object's first trouble is folded in before an earlier success that only an entry of unknown status
    // followed, that success is seen only if it wrote an attribute [assumed rare: statuses are documented].
    qint64 lastWrittenBackMsecs = 0;
};

// Where an object with trouble stands after the log read: its latest entry failed, was skipped, or reached AD
// after the trouble (recovered). The latest entry decides, as it does for the drift causes.
enum class TroubleStanding : quint8 { FailingNow, SkippedNow, Recovered };

// How many objects of the log read stand where.
struct TroubleCounts {
    qint64 failingNow = 0;
    qint64 skippedNow = 0;
    qint64 recovered = 0;
    qint64 total() const { return failingNow + skippedNow + recovered; }
};

// The provisioning log, reduced per object. Keyed by sourceIdentity.id lower-cased: the Entra object id, which
// Exchange Online calls ExternalDirectoryObjectId [documented for sourceIdentity; the equality is assumed from
// the writeback's direction, Entra to AD]. The fold is order-independent: pages are not sorted, times are compared.
struct ProvisioningLog {
    std::vector<ObjectProvisioning> objects;
    QHash<QByteArray, qint32> indexById;
    std::vector<ProvisioningTrouble> troubles; // the objects that failed or were skipped, in the order first seen
    QHash<qint32, qint32> troubleByObject;     // object index -> index into troubles
    qint64 entriesRead = 0;
    qint64 oldestMsecs = 0; // the window the log covers, for "no entry in the log read (…)"
    qint64 newestMsecs = 0;

    const ObjectProvisioning* find(QByteArrayView entraObjectId) const;
    const ProvisioningTrouble* troubleOf(qint32 objectIndex) const; // nullptr: it never failed nor was skipped
    TroubleStanding standing(const ProvisioningTrouble& trouble) const;
    TroubleCounts troubleCounts() const;
    // Folds one entry in: newer entries replace the latest; successful ones record their attribute writes; failed
    // and skipped ones are counted in the object's trouble.
    void add(const QByteArray& entraObjectId, ProvisioningEntry entry, std::vector<AttributeWrite> writes);
};

// Everything Sunset read about Cloud Sync for one scan. Each part may be missing: the causes then say so.
struct CloudSyncState {
    bool jobsRead = false;             // the jobs list was read (even if it held no writeback job)
    QString jobsSource;                // file or "Graph", for reports
    QString jobsMissingReason;         // why it was not read (no file given, permission lacking), for unexplained
    std::vector<WritebackJob> jobs;    // writeback jobs only
    QString schemaSource;              // where the schemas came from; empty when none was read
    bool provisioningRead = false;
    QString provisioningSource;
    QString provisioningMissingReason;
    ProvisioningLog provisioning;

    // The job that writes back objects of this AD domain (lower case DNS name); the only job when there is one
    // and it names no domain [assumed]. -1 when none.
    qint32 jobIndexForDomain(QStringView domain) const;
    // Attaches schemas to jobs: by id (a schema's id equals its job's id [assumed]), or the only schema to the
    // only job. Returns the ids of schemas no job took.
    QStringList attachSchemas(const std::vector<WritebackSchema>& schemas);
};

// What was read of Cloud Sync, as the CLI prints it under the scan summary: each job's health and missing
// mappings, the provisioning log's window, or what was not read.
QString formatCloudSyncText(const CloudSyncState& state);

// "DC=contoso,DC=com" components of a DN, joined as "contoso.com", lower case; empty without DC= components.
QString domainOfDn(QStringView dn);

// ISO 8601 duration ("PT20M", "P1DT2H", "PT0.5S") to milliseconds; nullopt when not one. Years and months have
// no fixed length and are refused.
std::optional<qint64> parseIsoDuration(QStringView text);

} // namespace sunset
