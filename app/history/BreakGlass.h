// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"
#include "ScanRecording.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <span>
#include <vector>

namespace sunset {

struct CloudSyncState;

// A writeback batch is a direct LDAP write of attributes Entra Cloud Sync owns for cloud-managed mailboxes: the
// break-glass path (issue 14). The supported way is to ask Cloud Sync (provisionOnDemand). Before the admin
// approves, the review says per AD domain what Cloud Sync can do for the batch's changes, from the evidence the
// scan read (the drift items' causes and their job); the approval records it with the break-glass reason.

// What Cloud Sync could do for one domain's changes when the scan was made.
enum class CloudSyncAbility : quint8 {
    Cannot,  // no job, quarantined/paused/failing/never run, attribute not mapped or not written back at all
    Can,     // the job is healthy and maps every attribute: Ask Cloud Sync is the supported way
    NotRead, // Cloud Sync's job state was not read for the scan (or the scan is not in the history)
};
QLatin1StringView cloudSyncAbilityKey(CloudSyncAbility ability); // "cannot", "can", "notRead"

// One change's Cloud Sync facts at scan time (from a live scan's drift item or a recorded scan's evidence).
struct WritebackFact {
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    DriftCause cause = DriftCause::Unexplained;
    bool jobStateRead = false; // the jobs were read: the domain's job (or its absence) is known
    bool noJob = false;        // read, and no writeback job writes back the domain
    QString jobId;
    QString jobUnhealthy;      // WritebackJob::unhealthyReason() at the scan; empty when healthy
};

// From a live scan's selections (the desktop app's unsaved batch) and the scan's Cloud Sync state.
std::vector<WritebackFact> writebackFacts(std::span<const WritebackSelection> selections, const CloudSyncState& sync);
// From a recorded scan's drift (sunset-cli, a stored batch): the cause and the evidence's job object.
std::vector<WritebackFact> writebackFacts(const std::vector<RecordedDrift>& drift);

struct BatchChangeKey {
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
};
std::vector<BatchChangeKey> batchChangeKeys(const WritebackBatch& batch);
std::vector<BatchChangeKey> batchChangeKeys(const std::vector<StoredChange>& changes);

struct DomainCloudSync {
    QString domain; // DNS name from the DNs' DC= components; "(no domain)" without them
    CloudSyncAbility ability = CloudSyncAbility::NotRead;
    QString jobId;  // the domain's writeback job, when known
    QString why;    // Cannot: what stops Cloud Sync; NotRead: what was not read; Can: empty
    QString label;  // the review's sentence
};

struct BreakGlassAssessment {
    std::vector<DomainCloudSync> domains; // in the order of the batch's first change of each domain
    QStringList labels() const;
    // A JSON array of {"domain", "cloudSync": cannot|can|notRead, "job", "why", "label"}: what approveBatch
    // records (BreakGlassApproval::cloudSyncJson), in the batch row and its batch.approved event.
    QByteArray cloudSyncJson() const;
};

// Per domain of the changes: Cannot when any change of the domain cannot be written back by Cloud Sync now,
// else NotRead when any change's job state is unknown (notReadWhy says why, e.g. "the scan is not in the
// history"), else Can.
BreakGlassAssessment assessBreakGlass(std::span<const BatchChangeKey> changes, std::span<const WritebackFact> facts,
                                      const QString& notReadWhy);

// A stored batch, against the drift of the scan it was planned from (an undo's: the original's scan).
HistoryResult<BreakGlassAssessment> assessStoredBatch(const HistoryStore& store, const StoredBatch& batch,
                                                      const std::vector<StoredChange>& changes);

// The labels of a recorded cloudSyncJson (StoredBatch::breakGlassCloudSync), for reports.
QStringList cloudSyncLabels(const QByteArray& json);

// The one line every review starts with.
QString breakGlassHeadline();

} // namespace sunset
