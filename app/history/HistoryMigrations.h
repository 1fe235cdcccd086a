// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AuditLog.h"
#include "HistoryDatabase.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace sunset {

// The history's schema, as the steps that build it: version N is reached by running historyMigrations()[N-1] on
// version N-1. Never edit a released step: add one (and raise HistoryDatabase::kSchemaVersion).
const std::vector<QStringList>& historyMigrations();

// Brings the database to the newest schema version: every missing step in one write transaction with one
// "schema.upgraded" audit event, so an upgrade is whole or not at all. Nothing is written when it is current.
HistoryResult<void> migrateHistory(HistoryDatabase& database, AuditLog& audit);

} // namespace sunset
