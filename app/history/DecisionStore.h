// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"
#include "AuditLog.h"
#include "HistoryDatabase.h"

#include <QDateTime>
#include <QLatin1StringView>
#include <QString>

#include <vector>

namespace sunset {

enum class DecisionKind : quint8 { Approve, Ignore };
QLatin1StringView decisionKindName(DecisionKind kind); // "approve", "ignore"
struct DecisionRecord {
    qint64 scanId = 0;
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    DecisionKind decision = DecisionKind::Approve;
    QString reason;
};

struct StoredDecision {
    qint64 id = 0;
    DecisionRecord record;
    QString osUser;
    QString bindIdentity;
    QDateTime decidedAt;
};

// The decisions table: an admin's approve or ignore of one drift item of a scan, with who, when and why, each with
// its "decision.recorded" audit event.
class DecisionStore final {
public:
    DecisionStore(HistoryDatabase& database, AuditLog& audit)
        : m_database(database)
        , m_audit(audit)
    {
    }

    HistoryResult<qint64> record(const DecisionRecord& decision);
    // The decisions on one scan's items, oldest first (scanId 0: all decisions of all scans).
    HistoryResult<std::vector<StoredDecision>> decisions(qint64 scanId = 0) const;

private:
    HistoryDatabase& m_database;
    AuditLog& m_audit;
};

} // namespace sunset
