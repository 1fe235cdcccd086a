// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryDatabase.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

// One row of the audit log, as stored.
struct StoredEvent {
    qint64 id = 0;
    QDateTime at;
    QString osUser;
    QString bindIdentity;
    QString kind;
    QString subject;
    QByteArray detailJson;
    QByteArray prevHash; // hex SHA-256
    QByteArray hash;     // hex SHA-256
};

// An external anchor for the audit log: the head hash (and optionally the event count) an admin noted, or an
// export (JSON, PDF) carried, at some earlier time. The hash chain alone cannot tell that the newest events were
// deleted; a chain that no longer reaches a noted head can.
struct HistoryAnchor {
    QByteArray headHash; // hex SHA-256, lower case
    std::optional<qint64> events;
    // "HASH" or "HASH:COUNT"; nullopt when malformed
    static std::optional<HistoryAnchor> parse(QStringView text);
    QString toString() const; // "HASH:COUNT" (or "HASH")
};

struct HistoryVerification {
    qint64 events = 0;
    QByteArray headHash;                 // the hash of the newest event (of the intact prefix); 64 '0' for an empty log
    std::optional<qint64> firstBrokenId; // nullopt: the chain is intact
    QString message;                     // for an admin
    bool intact() const { return !firstBrokenId.has_value(); }
};

// The append-only audit log (table events, guarded by triggers): each row's hash covers the previous row's hash
// and the row's own content, length-prefixed, so an edited, removed or reordered row breaks the chain.
class AuditLog final {
public:
    explicit AuditLog(HistoryDatabase& database)
        : m_database(database)
    {
    }

    // Appends one event (kind like "batch.approved", subject like "batch 3", detail JSON object) as the actor, in
    // a write transaction of its own, after rows (when given) in the same transaction: the rows and their event
    // land together or not at all.
    HistoryResult<qint64> append(const QString& kind, const QString& subject, const QByteArray& detailJson,
                                 const HistoryRowWriter& rows = {});
    // The same inside a write transaction the caller holds (HistoryDatabase::write).
    HistoryResult<void> appendInTransaction(const QString& kind, const QString& subject, const QByteArray& detailJson,
                                            qint64* id = nullptr);
    // Checks the hash chain; with an anchor, also that the chain still reaches that head (the event COUNT, when
    // given, has exactly that hash): deleting the newest events behind Sunset's back is then caught.
    HistoryVerification verify(const std::optional<HistoryAnchor>& expected = std::nullopt) const;
    // Oldest first.
    HistoryResult<std::vector<StoredEvent>> events() const;

private:
    HistoryDatabase& m_database;
};

} // namespace sunset
