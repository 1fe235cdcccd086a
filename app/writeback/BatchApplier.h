// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"
#include "LdapModify.h"

#include <functional>
#include <variant>
#include <vector>

namespace sunset {

// What an apply did, per object (a modify covers all attributes of its object).
struct ApplyReport {
    qint64 objects = 0;
    qint64 applied = 0;
    qint64 conflicts = 0;              // changed since the scan: found by the re-read, or refused by the server
    qint64 conflictsBeforeSending = 0; // of which the re-read found (nothing sent for those)
    qint64 errors = 0;
    qint64 refused = 0;
    qint64 unknown = 0;
    qint64 notSent = 0;
    BatchState finalState = BatchState::Applying;
    QString message; // one line for an admin
};

// Applies an approved batch through the optimistic, pipelined modifies, journalling as it goes:
// 1. re-reads every object: an attribute whose values are not byte for byte those of the scan is a conflict
//    (recorded, nothing sent; this also catches changes of letter case the server's check cannot see), and
//    refuses an object that would get an address another object already holds;
// 2. marks the rest pending in one committed transaction, then sends them;
// 3. records each outcome with its LDAP code and message as it arrives. Conflicts are never retried.
// The batch ends applied (every object applied) or partial.
// apply() and settleInterrupted() hold the batch's BatchLock while they run: a batch another process (sunset,
// sunset-cli) is applying or settling is refused with the holder named, before anything is read or sent.
class BatchApplier final {
public:
    BatchApplier(HistoryStore& store, LdapConnection& connection, ModifyPipelineOptions options = {});

    // Applies an approved batch, or resumes a partial one: only objects never sent (planned, not-sent) go out.
    HistoryResult<ApplyReport> apply(qint64 batchId);

    // Crash recovery for a batch left in applying (Sunset killed mid-batch): re-reads every object whose rows
    // are pending or unknown and settles it: applied when AD holds the new values byte for byte, not-sent when
    // it still holds the values read at scan time (apply() resumes those), conflict otherwise. The batch ends
    // applied or partial. Nothing is sent.
    HistoryResult<ApplyReport> settleInterrupted(qint64 batchId);

    // A seam for tests: called after the re-read and the pending journal are committed, just before sending
    // (a test injects a change there that only the server's optimistic check can catch).
    void setBeforeSending(std::function<void()> hook) { m_beforeSending = std::move(hook); }

private:
    // Why an address the request adds (mail, or an smtp: proxy address) cannot be written because another object
    // holds it (an escaped subtree search from the default naming context), or an empty string.
    std::variant<QString, LdapError> addressHeldElsewhere(const ModifyRequest& request);

    std::function<void()> m_beforeSending;
    QByteArray m_searchBase; // the root DSE's defaultNamingContext, read once
    HistoryStore& m_store;
    LdapConnection& m_connection;
    ModifyPipelineOptions m_options;
};

} // namespace sunset
