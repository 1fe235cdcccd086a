// SPDX-License-Identifier: Apache-2.0
#include "HistoryDatabase.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The history files this process has open, by canonical path, with their number of connections. On POSIX,
// closing any descriptor of a file drops every lock the process holds on it, SQLite's too: a second connection's
// header check (a QFile opened and closed) would take the locks of the first, and another process (sunset-cli)
// closing the history would then think itself its last user and delete the WAL the first connection still
// writes to. So the header is read only when no connection of this process has the file open; the first one's
// open checked it.
struct OpenHistories {
    QMutex mutex; // held through open(): no connection opens between the check and its registration
    QHash<QString, int> connections;
};

OpenHistories& openHistories()
{
    static OpenHistories histories;
    return histories;
}

void releaseHistory(const QString& key)
{
    if (key.isEmpty())
        return;
    OpenHistories& histories = openHistories();
    const QMutexLocker locker(&histories.mutex);
    if (--histories.connections[key] <= 0)
        histories.connections.remove(key);
}

constexpr int kBusyTimeoutMs = 10000; // how long a write waits for another process's

} // namespace

QString historyNowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime historyTimeFromText(const QVariant& v)
{
    if (v.isNull())
        return {};
    // Written by historyNowText; a time without milliseconds (or with an offset) is read too, as UTC.
    const QDateTime at = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return (at.isValid() ? at : QDateTime::fromString(v.toString(), Qt::ISODate)).toUTC();
}

HistoryActor HistoryActor::current(const QString& bindIdentity)
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME"); // Windows
#ifdef Q_OS_UNIX
    if (user.isEmpty()) { // a service or a container may run without USER; the account is still known
        if (const passwd* account = ::getpwuid(::geteuid()))
            user = QString::fromLocal8Bit(account->pw_name);
    }
#endif
    if (user.isEmpty())
        user = u"unknown"_s;
    return {user, bindIdentity};
}

HistoryDatabase::HistoryDatabase(QString path, QString connectionName, HistoryActor actor)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_actor(std::move(actor))
{
}

HistoryDatabase::~HistoryDatabase()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    releaseHistory(m_openKey);
}

HistoryResult<std::unique_ptr<HistoryDatabase>> HistoryDatabase::open(const QString& path, HistoryActor actor)
{
    const auto fail = [&path](const QString& what) {
        return HistoryError{u"History database %1: %2"_s.arg(QDir::toNativeSeparators(path), what)};
    };
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return fail(u"this is not a file."_s);
    OpenHistories& histories = openHistories();
    QMutexLocker locker(&histories.mutex);
    const bool openHere = info.exists() && histories.connections.value(info.canonicalFilePath()) > 0;
    if (!info.exists()) {
        const bool newFolder = !QFileInfo::exists(info.absolutePath());
        if (!QDir().mkpath(info.absolutePath()))
            return fail(u"cannot create the folder %1."_s.arg(info.absolutePath()));
        if (newFolder) // the profile's folder is private too (the WAL and lock files live beside the database)
            QFile::setPermissions(info.absolutePath(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile file(path);
        // Owner-only from the first byte: the file exists, empty, with 0600 before SQLite writes into it. Another
        // process creating it at the same moment is fine (it did the same).
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner) &&
            !QFileInfo(path).isFile())
            return fail(u"cannot create it: %1."_s.arg(file.errorString()));
    } else if (info.size() > 0 && !openHere) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"cannot read it: %1."_s.arg(file.errorString()));
        if (!file.read(16).startsWith(QByteArrayView("SQLite format 3\0", 16)))
            return fail(u"this is not a Sunset history (not an SQLite database); nothing was changed. Give another "
                        u"file with --db."_s);
    }

    const QString name = u"sunset-history-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<HistoryDatabase> database(new HistoryDatabase(path, name, std::move(actor)));
    database->m_openKey = QFileInfo(path).canonicalFilePath();
    if (!database->m_openKey.isEmpty())
        ++histories.connections[database->m_openKey];
    locker.unlock(); // registered: from here on, other opens skip the header check
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(path);
    // sunset and sunset-cli (or two scripted runs) may use one history at once: wait for the other's write.
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(kBusyTimeoutMs));
    if (!db.open())
        return fail(u"cannot open it: %1."_s.arg(db.lastError().text()));

    // Identify before writing anything: reading the header pragmas changes nothing. One statement, so one read
    // transaction: another process creating the file at this moment is seen either before its upgrade (empty) or
    // after it (Sunset's), never half-way (three separate reads once saw no application id yet, then its tables).
    QSqlQuery q(db);
    if (!q.exec(u"SELECT (SELECT application_id FROM pragma_application_id()), "
                u"(SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)"_s) ||
        !q.next())
        return fail(u"cannot read it (%1); nothing was changed."_s.arg(q.lastError().text()));
    const qint32 appId = q.value(0).toInt();
    const int version = q.value(1).toInt();
    const qint64 objects = q.value(2).toLongLong();
    q.finish();
    if (appId != kApplicationId && !(appId == 0 && version == 0 && objects == 0))
        return fail(u"this SQLite database is not a Sunset history (application id %1); nothing was changed. Give "
                    u"another file with --db."_s.arg(appId));
    if (version > kSchemaVersion)
        return fail(u"it was written by a newer Sunset (schema version %1; this one knows up to %2); nothing was "
                    u"changed. Update Sunset to open it."_s.arg(version)
                        .arg(kSchemaVersion));

    for (const QString& pragma :
         {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s, u"PRAGMA foreign_keys=ON"_s}) {
        if (!q.exec(pragma))
            return fail(u"cannot set %1: %2."_s.arg(pragma, q.lastError().text()));
        q.finish();
    }
    return database;
}

int HistoryDatabase::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    return q.exec(u"PRAGMA user_version"_s) && q.next() ? q.value(0).toInt() : -1;
}

HistoryError HistoryDatabase::sqlError(const QString& doing, const QSqlQuery& query) const
{
    return {
        u"History database %1: %2 failed: %3"_s.arg(QDir::toNativeSeparators(m_path), doing, query.lastError().text())};
}

HistoryResult<void> HistoryDatabase::beginWrite()
{
    // IMMEDIATE: the write lock is taken (waiting out another writer, up to the busy timeout) before the first
    // read. A deferred transaction that reads the audit log's head and then writes cannot wait: when another
    // process wrote meanwhile SQLite answers "database is locked" at once. And a BEGIN that failed must stop the
    // write: its statements would otherwise run one by one, outside any transaction.
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        return HistoryError{
            u"History database %1: cannot start writing: %2. Another Sunset may hold it for longer "
            u"than %3 seconds; try again when it is done."_s.arg(QDir::toNativeSeparators(m_path), q.lastError().text())
                .arg(kBusyTimeoutMs / 1000)};
    return {};
}

HistoryResult<void> HistoryDatabase::commitWrite()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.commit())
        return {};
    const QString why = db.lastError().text();
    db.rollback(); // a failed COMMIT leaves the transaction open: the next write would otherwise join it
    return HistoryError{u"History database %1: commit failed: %2; nothing of this change was recorded."_s.arg(
        QDir::toNativeSeparators(m_path), why)};
}

HistoryResult<void> HistoryDatabase::write(const HistoryRowWriter& rows)
{
    if (auto begun = beginWrite(); !begun)
        return begun;
    if (auto written = rows(); !written) {
        QSqlDatabase::database(m_connectionName).rollback();
        return written;
    }
    return commitWrite();
}

} // namespace sunset
