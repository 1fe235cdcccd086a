// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "BatchApplier.h"
#include "HistoryStore.h"

#include <functional>
#include <vector>

namespace sunset {

// What the worker thread gives a target while it applies: a way to report settled changes as they arrive and to
// learn that the admin pressed Cancel (honoured between objects; what is sent stays recorded).
struct ApplyControl {
    std::function<bool()> cancelled;
    std::function<void(const std::vector<StoredChange>& settled, qint64 doneObjects, qint64 totalObjects)> progress;
};

// Where an approved batch is written: a directory (LdapBatchTarget) or, in demo mode, an LDIF file
// (LdifFileBatchTarget). Made on the GUI thread, used on one worker thread at a time with that thread's own
// HistoryStore connection; a target opens whatever else it needs (an LDAP connection) on that thread.
class BatchTarget {
public:
    virtual ~BatchTarget() = default;
    // For the review ("Apply writes to …") and messages.
    virtual QString description() const = 0;
    // The identity the history records as the approver's bind identity; empty when nothing is bound.
    virtual QString bindIdentity() const { return {}; }
    // Applies an approved batch, or resumes a partial one (only objects never sent go out).
    virtual HistoryResult<ApplyReport> apply(HistoryStore& store, qint64 batchId, const ApplyControl& control) = 0;
    // For a batch left in `applying` by a crash: finds out what was written and settles every pending row.
    virtual HistoryResult<ApplyReport> settleInterrupted(HistoryStore& store, qint64 batchId) = 0;
};

} // namespace sunset
