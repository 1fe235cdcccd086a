// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudLiveScan.h"
#include "CloudSyncState.h"
#include "LdapConnection.h"
#include "OnDemandStore.h"
#include "ProvisionOnDemandClient.h"
#include "ScanRecording.h"

#include <QFuture>
#include <QStringList>

#include <functional>
#include <memory>

namespace sunset {

// "Ask Cloud Sync to write it back now", the supported fix for drift on the attributes Cloud Sync writes back:
// provisionOnDemand per object on the domain's writeback job, recorded in the history (OnDemandStore), then AD
// re-read to see whether the drift is gone. Shared by sunset-cli provision-on-demand and the desktop app.

// Which drift of a recorded scan goes to Cloud Sync: written-back attributes (the 24) of cloud-managed mailboxes
// whose Entra object id the scan recorded, grouped per object. What cannot go is listed with the reason.
struct OnDemandPlan {
    qint64 scanId = 0;
    std::vector<OnDemandSubject> subjects;
    QStringList leftOut; // "<label> <attribute>: <why>"
};
HistoryResult<OnDemandPlan> planOnDemand(const HistoryStore& store, qint64 scanId, const PlanFilter& filter);
// The same from selections at hand (the desktop app's ticked drift items).
OnDemandPlan planOnDemand(const std::vector<WritebackSelection>& selections, qint64 scanId = 0);

// The writeback job that serves the plan's mailboxes, from what was read of Cloud Sync: the job of their AD domain
// (CloudSyncState::jobIndexForDomain), which must be known with its service principal (read live). Every subject
// must belong to the same job; otherwise, or when the job is unknown, why not, with what to do.
Expected<OnDemandJob, QString> onDemandJobFor(const CloudSyncState& state, const OnDemandPlan& plan);

// Reads the subject's attributes back from AD (base-scope read of its DN) and tells whether each item now holds
// the cloud's values (the item's AD target, compared as sets of exact values). verified: fixed | drift | unread.
void verifyInAd(LdapConnection& connection, OnDemandObjectRecord& record);

struct OnDemandRunSettings {
    CloudScanSettings cloud; // the tenant's connection and secret, token limits, retry policy
    OnDemandJob job;
};

// A run of the plan, in three parts so that only the history and AD block (on a thread that may wait) and Cloud
// Sync is asked on an event loop:
// 1. beginOnDemandRun records the run as started (so that a run cut short is on record);
// 2. askCloudSync asks Cloud Sync for each subject, its answers written into answers as they come;
// 3. finishOnDemandRun re-reads AD when a connection is given and records the results.
// sunset-cli runs them in turn (waiting for 2 at its edge); the desktop app runs 1 and 3 on worker threads.
HistoryResult<qint64> beginOnDemandRun(HistoryStore& store, const OnDemandPlan& plan,
                                       const OnDemandRunSettings& settings);

// What Cloud Sync answered so far: each subject's record, in the plan's order (empty result: not asked yet).
struct OnDemandAnswers {
    std::vector<OnDemandObjectRecord> objects;
    QString ruleId;  // the job's rule, read from its schema
    QString stopped; // why the run stopped before the last object (empty: it did not)
};
OnDemandAnswers unanswered(const OnDemandPlan& plan);

// Asks on this thread's event loop (clientFuture; owner bounds it); progress hears one line per object. The
// future carries why the run stopped early (empty: every object was asked). Cancelling it stops the requests;
// answers keeps what Cloud Sync answered before (finishOnDemandRun then records the run as stopped).
QFuture<QString> askCloudSync(const OnDemandPlan& plan, const OnDemandRunSettings& settings,
                              std::shared_ptr<OnDemandAnswers> answers,
                              std::function<void(const QString&)> progress = {}, QObject* owner = nullptr);
// What a cancelled run's record says.
QString onDemandCancelled();

HistoryResult<OnDemandRunRecord> finishOnDemandRun(HistoryStore& store, qint64 runId, OnDemandAnswers answers,
                                                   LdapConnection* ad);

// One object's outcome in words: "fixed: Cloud Sync wrote extensionAttribute1 (… → …); AD now matches".
QString describeOnDemandObject(const OnDemandObjectRecord& record);

} // namespace sunset
