// SPDX-License-Identifier: Apache-2.0
#include "BatchStateRules.h"

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QLatin1StringView batchStateName(BatchState state)
{
    switch (state) {
    case BatchState::Planned:
        return "planned"_L1;
    case BatchState::Approved:
        return "approved"_L1;
    case BatchState::Applying:
        return "applying"_L1;
    case BatchState::Applied:
        return "applied"_L1;
    case BatchState::Partial:
        return "partial"_L1;
    case BatchState::Cancelled:
        return "cancelled"_L1;
    }
    return "planned"_L1;
}

std::optional<BatchState> batchStateFromName(QStringView name)
{
    for (int i = 0; i <= int(BatchState::Cancelled); ++i)
        if (name == batchStateName(BatchState(i)))
            return BatchState(i);
    return std::nullopt;
}

QLatin1StringView changeStateName(ChangeState state)
{
    switch (state) {
    case ChangeState::Planned:
        return "planned"_L1;
    case ChangeState::Pending:
        return "pending"_L1;
    case ChangeState::Applied:
        return "applied"_L1;
    case ChangeState::Conflict:
        return "conflict"_L1;
    case ChangeState::Error:
        return "error"_L1;
    case ChangeState::Refused:
        return "refused"_L1;
    case ChangeState::Unknown:
        return "unknown"_L1;
    case ChangeState::NotSent:
        return "not-sent"_L1;
    }
    return "planned"_L1;
}

std::optional<ChangeState> changeStateFromName(QStringView name)
{
    for (int i = 0; i <= int(ChangeState::NotSent); ++i)
        if (name == changeStateName(ChangeState(i)))
            return ChangeState(i);
    return std::nullopt;
}

std::vector<BatchState> batchStatesBefore(BatchState to, ApplyStep step)
{
    switch (to) {
    case BatchState::Planned:
        return {};
    case BatchState::Approved:
        return {BatchState::Planned};
    case BatchState::Applying:
        if (step == ApplyStep::Continuing)
            return {BatchState::Applying};
        return {BatchState::Approved, BatchState::Partial};
    case BatchState::Applied:
    case BatchState::Partial:
        return {BatchState::Applying};
    case BatchState::Cancelled:
        return {BatchState::Planned, BatchState::Approved};
    }
    return {};
}

bool batchMayMove(BatchState from, BatchState to, ApplyStep step)
{
    const std::vector<BatchState> allowed = batchStatesBefore(to, step);
    return std::find(allowed.begin(), allowed.end(), from) != allowed.end();
}

bool isPlainBatchMove(BatchState to)
{
    return to == BatchState::Applied || to == BatchState::Partial || to == BatchState::Cancelled;
}

bool batchMayBeUndone(BatchState state)
{
    return state == BatchState::Applied || state == BatchState::Partial;
}

Expected<std::vector<BatchObjectChange>, QString> planUndo(qint64 batchId, BatchState state,
                                                           const std::vector<StoredChange>& changes)
{
    if (!batchMayBeUndone(state))
        return u"Batch %1 is %2: only an applied (or partly applied) batch can be undone."_s.arg(batchId).arg(
            batchStateName(state));
    std::vector<BatchObjectChange> objects;
    qint64 seq = -1;
    for (const StoredChange& c : changes) {
        if (c.state != ChangeState::Applied)
            continue; // nothing to reverse: AD never took it
        if (c.objectSeq != seq) {
            seq = c.objectSeq;
            objects.push_back({c.dn, {}, {}, c.cloudManaged}); // the undo writes the same mailbox
        }
        objects.back().changes.push_back({c.attribute, c.after, c.before});
    }
    if (objects.empty())
        return u"Batch %1 has no applied change to undo."_s.arg(batchId);
    return objects;
}

} // namespace sunset
