// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftEngine.h"
#include "HistoryStore.h"

#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

// provisionOnDemand runs in the history ("Ask Cloud Sync to write it back now"), recorded like a batch: who asked
// and when, which writeback job, per object Cloud Sync's answer and what AD's re-read showed afterwards. Tables
// on_demand_runs and on_demand_objects (HistoryStore's migrations); every record is also an event of the
// hash-chained audit log, written in the same transaction: "ondemand.started" before the first request goes out
// (so a run cut short by a crash is still on record), "ondemand.finished" with each object's result.

// One object asked for: its AD object, its Entra object (the subject), and the drift it should fix.
struct OnDemandSubject {
    QString dn;
    QString entraObjectId; // bare id, as Exchange Online's ExternalDirectoryObjectId
    QString label;         // UPN or DN, for messages
    std::vector<DriftItem> items;
};

// What became of one object. result: "success", "skipped" or "failure" (empty: never answered, e.g. the run
// stopped first); verified: "fixed" (AD now holds the cloud's values for every item), "drift" (not all),
// "unread" (the re-read failed), empty before the re-read.
struct OnDemandObjectRecord {
    OnDemandSubject subject;
    QString result;
    QString skipReason;
    QString errorCode;
    QString message;
    QByteArray modifiedJson = "[]"; // [{"name", "old", "new"}] as Cloud Sync reported them
    QString verified;
    QString verifyDetail;
};

struct OnDemandRunRecord {
    qint64 id = 0;
    qint64 scanId = 0;
    QDateTime started;
    QDateTime finished;
    QString osUser;
    QString bindIdentity;
    QString servicePrincipalId;
    QString jobId;
    QString ruleId;
    QString state = QStringLiteral("running"); // running | finished | stopped
    QString message;                           // why it stopped, or empty
    std::vector<OnDemandObjectRecord> objects;
};

class OnDemandStore final {
public:
    explicit OnDemandStore(HistoryStore& history) : m_history(history) {}

    // Records the run as started, by the store's actor, with its objects not yet answered. Returns its id.
    HistoryResult<qint64> begin(qint64 scanId, const QString& servicePrincipalId, const QString& jobId,
                                const QString& ruleId, const std::vector<OnDemandSubject>& subjects);
    // Records each object's result and re-read (objects in the order begin() had them) and ends the run:
    // finished, or stopped with the reason.
    HistoryResult<void> finish(qint64 runId, const QString& ruleId, const std::vector<OnDemandObjectRecord>& objects,
                               bool stopped, const QString& message);

    HistoryResult<OnDemandRunRecord> run(qint64 runId) const;
    HistoryResult<std::vector<qint64>> runIds() const; // oldest first

private:
    HistoryStore& m_history;
};

// The items as the history keeps them: [{"attribute", "ad", "cloud", "target"}].
QByteArray onDemandDriftJson(const std::vector<DriftItem>& items);
std::vector<DriftItem> onDemandDriftFromJson(const QByteArray& json);

} // namespace sunset
