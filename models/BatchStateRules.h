// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "WritebackBatch.h"

#include <QDateTime>
#include <QLatin1StringView>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>
#include <vector>

namespace sunset {

// The rules of a writeback batch's life, as pure functions over values: which state moves are allowed and what an
// undo reverses. The history store (app/history) applies them to its rows; they live here, beside WritebackBatch,
// so they can be read and tested without a database.

// BatchState's names as the history stores them ("planned", "approved", "applying", "applied", "partial",
// "cancelled").
QLatin1StringView batchStateName(BatchState state);
std::optional<BatchState> batchStateFromName(QStringView name);

// One change row: one attribute of one object. Rows of one object share objectSeq and are sent as one modify.
enum class ChangeState : quint8 { Planned, Pending, Applied, Conflict, Error, Refused, Unknown, NotSent };
QLatin1StringView changeStateName(ChangeState state);
std::optional<ChangeState> changeStateFromName(QStringView name);

struct StoredChange {
    qint64 id = 0;
    qint64 batchId = 0;
    qint64 objectSeq = 0; // 0-based, in batch order
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    QStringList before;
    QStringList after;
    bool cloudManaged = false; // the mailbox was cloud-managed when the batch was made (see BatchObjectChange)
    ChangeState state = ChangeState::Planned;
    int ldapCode = 0;
    QString ldapMessage;
    QDateTime sentAt;
    QDateTime settledAt;
};

// Which step of an apply a move to applying is: the first chunk journalled moves an approved batch (or a partial
// one, resumed) there; every later chunk of the same apply finds it applying already, so another apply still
// cannot join in.
enum class ApplyStep : quint8 { First, Continuing };

// The states a batch may be in to move to `to`:
//   approved   <- planned (the admin's approval)
//   applying   <- approved | partial (ApplyStep::First), applying (ApplyStep::Continuing)
//   applied, partial <- applying (an apply ends)
//   cancelled  <- planned | approved (not yet sent)
// Empty for planned: nothing moves a batch back there.
std::vector<BatchState> batchStatesBefore(BatchState to, ApplyStep step = ApplyStep::First);
bool batchMayMove(BatchState from, BatchState to, ApplyStep step = ApplyStep::First);

// The moves that need no more than the new state (ending an apply, cancelling): approving takes a reason and
// starting an apply journals rows, so they have moves of their own.
bool isPlainBatchMove(BatchState to);

// Only an applied (or partly applied) batch can be undone.
bool batchMayBeUndone(BatchState state);

// The reverse of a batch from its recorded changes: each applied change's after-values become the values to
// delete and its before-values the values to add, per object in batch order (a change AD never took is left
// out). The error, for an admin, when the batch is in no state to be undone or nothing of it was applied.
Expected<std::vector<BatchObjectChange>, QString> planUndo(qint64 batchId, BatchState state,
                                                           const std::vector<StoredChange>& changes);

} // namespace sunset
