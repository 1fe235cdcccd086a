// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudLiveScan.h"
#include "CloudSyncState.h"
#include "LdapConnection.h"
#include "OnDemandStore.h"
#include "ProvisionOnDemandClient.h"
#include "ScanRecording.h"

#include <QStringList>

#include <atomic>
#include <functional>

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

// Runs the plan: records the run as started, asks Cloud Sync for each subject (an event loop runs until done:
// call it from a command or a worker thread, never inside another loop), re-reads AD when a connection is given,
// records the results. progress hears one line per object. cancel, when set, stops between requests.
HistoryResult<OnDemandRunRecord> runOnDemand(HistoryStore& store, const OnDemandPlan& plan,
                                             const OnDemandRunSettings& settings, LdapConnection* ad,
                                             const std::function<void(const QString&)>& progress = {},
                                             const std::atomic_bool* cancel = nullptr);

// One object's outcome in words: "fixed: Cloud Sync wrote extensionAttribute1 (… → …); AD now matches".
QString describeOnDemandObject(const OnDemandObjectRecord& record);

} // namespace sunset
