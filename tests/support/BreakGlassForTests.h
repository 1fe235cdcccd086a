// SPDX-License-Identifier: Apache-2.0
#pragma once

// The break-glass reason tests approve batches with (HistoryStore::approveBatch requires one): tests of what
// happens after the approval, not of the reason itself (TestBreakGlass tests that).
#include "HistoryStore.h"

namespace sunset::test {

inline BreakGlassApproval breakGlass()
{
    return {QStringLiteral("Test: Cloud Sync's writeback job is quarantined (ticket TEST-1)"), "[]"};
}

} // namespace sunset::test
