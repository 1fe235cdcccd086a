// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QDateTime>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QSqlQuery;
class QVariant;

namespace sunset {

// What went wrong with the history database, for an admin: which file, what, and what to do.
struct HistoryError {
    QString message;
};

template <typename T> using HistoryResult = Expected<T, HistoryError>;

// Who acts: the OS user running Sunset and the identity it binds to AD with (never a password).
struct HistoryActor {
    QString osUser;
    QString bindIdentity;
    static HistoryActor current(const QString& bindIdentity = {}); // osUser from the environment
};

// Writes rows inside a write transaction; an error rolls the whole transaction back.
using HistoryRowWriter = std::function<HistoryResult<void>()>;

// Times as the history stores them: UTC, ISO 8601 with milliseconds.
QString historyNowText();
QDateTime historyTimeFromText(const QVariant& text); // invalid for NULL

// The history's SQLite file and its one connection: created owner-only (0600) before anything is written,
// identified before anything is changed (a file that is not a Sunset history, or one of a newer schema, is
// refused with nothing touched), WAL journal, synchronous=FULL, foreign keys on, and the write transactions every
// store of a record family runs in. The schema itself is HistoryMigrations' job. One connection, one thread.
class HistoryDatabase final {
public:
    static constexpr int kSchemaVersion = 5;
    static constexpr qint32 kApplicationId = 0x53554E53; // "SUNS", in the SQLite header

    static HistoryResult<std::unique_ptr<HistoryDatabase>> open(const QString& path, HistoryActor actor);
    ~HistoryDatabase();
    HistoryDatabase(const HistoryDatabase&) = delete;
    HistoryDatabase& operator=(const HistoryDatabase&) = delete;

    const QString& path() const { return m_path; }
    const HistoryActor& actor() const { return m_actor; }
    void setActor(HistoryActor actor) { m_actor = std::move(actor); }
    const QString& connectionName() const { return m_connectionName; }
    int schemaVersion() const; // PRAGMA user_version; -1 when it cannot be read

    // "History database PATH: DOING failed: SQLITE'S TEXT".
    HistoryError sqlError(const QString& doing, const QSqlQuery& query) const;
    // Every write: BEGIN IMMEDIATE (checked), then COMMIT, rolled back when the commit fails.
    HistoryResult<void> beginWrite();
    HistoryResult<void> commitWrite();
    // Runs rows between beginWrite() and commitWrite(); when rows fails, the transaction is rolled back and its
    // error returned.
    HistoryResult<void> write(const HistoryRowWriter& rows);

private:
    HistoryDatabase(QString path, QString connectionName, HistoryActor actor);

    QString m_path;
    QString m_connectionName;
    HistoryActor m_actor;
    QString m_openKey; // the canonical path, in the process's count of open histories
};

} // namespace sunset
