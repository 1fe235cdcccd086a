// SPDX-License-Identifier: Apache-2.0
#include "HistoryStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QSet>
#include <QVariant>

#include <map>

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

const QByteArray kGenesisHash(64, '0');
constexpr int kBusyTimeoutMs = 10000; // how long a write waits for another process's

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime fromText(const QVariant& v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

// Schema version N is reached by running migrations()[N-1] on version N-1. Never edit a released step: add one.
const std::vector<QStringList>& migrations()
{
    static const std::vector<QStringList> steps = {
        {
            uR"(CREATE TABLE scans (
                id INTEGER PRIMARY KEY,
                started_utc TEXT, finished_utc TEXT,
                ad_source TEXT NOT NULL, exo_source TEXT NOT NULL, graph_source TEXT NOT NULL,
                ad_mailboxes INTEGER NOT NULL, cloud_mailboxes INTEGER NOT NULL,
                matched INTEGER NOT NULL, drift_items INTEGER NOT NULL,
                summary_json TEXT NOT NULL, drift_json TEXT NOT NULL,
                recorded_utc TEXT NOT NULL, os_user TEXT NOT NULL))"_s,
            uR"(CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER NOT NULL REFERENCES scans(id),
                dn TEXT NOT NULL, attribute TEXT NOT NULL,
                decision TEXT NOT NULL CHECK (decision IN ('approve', 'ignore')),
                reason TEXT NOT NULL,
                os_user TEXT NOT NULL, bind_identity TEXT NOT NULL, decided_utc TEXT NOT NULL))"_s,
            uR"(CREATE TABLE batches (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER REFERENCES scans(id),
                state TEXT NOT NULL CHECK (state IN
                    ('planned', 'approved', 'applying', 'applied', 'partial', 'cancelled')),
                created_utc TEXT NOT NULL, created_by TEXT NOT NULL,
                approved_utc TEXT, approved_by TEXT, approved_bind TEXT,
                object_count INTEGER NOT NULL, value_count INTEGER NOT NULL,
                second_confirmation INTEGER NOT NULL, warnings_json TEXT NOT NULL,
                undo_of INTEGER REFERENCES batches(id)))"_s,
            uR"(CREATE TABLE changes (
                id INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batches(id),
                object_seq INTEGER NOT NULL,
                dn TEXT NOT NULL, attribute TEXT NOT NULL,
                before_json TEXT NOT NULL, after_json TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN
                    ('planned', 'pending', 'applied', 'conflict', 'error', 'refused', 'unknown', 'not-sent')),
                ldap_code INTEGER NOT NULL DEFAULT 0, ldap_message TEXT NOT NULL DEFAULT '',
                sent_utc TEXT, settled_utc TEXT,
                UNIQUE (batch_id, object_seq, attribute)))"_s,
            u"CREATE INDEX changes_by_dn ON changes(dn)"_s,
            uR"(CREATE TRIGGER changes_values_fixed BEFORE UPDATE OF batch_id, object_seq, dn, attribute,
                before_json, after_json ON changes
                BEGIN SELECT RAISE(ABORT, 'the values of a recorded change are never edited'); END)"_s,
            uR"(CREATE TABLE checklist_steps (
                id INTEGER PRIMARY KEY,
                step TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                updated_utc TEXT, updated_by TEXT))"_s,
            uR"(CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                at_utc TEXT NOT NULL, os_user TEXT NOT NULL, bind_identity TEXT NOT NULL,
                kind TEXT NOT NULL, subject TEXT NOT NULL, detail_json TEXT NOT NULL,
                prev_hash TEXT NOT NULL, hash TEXT NOT NULL))"_s,
            uR"(CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)"_s,
            uR"(CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)"_s,
        },
        {
            // Whether the mailbox was cloud-managed, per change row: the LDAP layer's write guard (ApprovedModify)
            // refuses an object whose rows do not say so. Version 1 could only record changes that passed
            // WritebackBatch::build()'s cloud-managed check (or their undo), so its rows are marked 1.
            uR"(ALTER TABLE changes ADD COLUMN cloud_managed INTEGER NOT NULL DEFAULT 0
                CHECK (cloud_managed IN (0, 1)))"_s,
            u"UPDATE changes SET cloud_managed = 1"_s,
            // The fact is part of the recorded change: never edited afterwards, like the values.
            u"DROP TRIGGER changes_values_fixed"_s,
            uR"(CREATE TRIGGER changes_values_fixed BEFORE UPDATE OF batch_id, object_seq, dn, attribute,
                before_json, after_json, cloud_managed ON changes
                BEGIN SELECT RAISE(ABORT, 'the values of a recorded change are never edited'); END)"_s,
        },
        {
            // Every mailbox a scan saw (ScanMailboxList: "key<TAB>label" lines, zlib-compressed), so the next scan
            // can say which mailboxes were added and removed since (issue 15). NULL for scans recorded before.
            u"ALTER TABLE scans ADD COLUMN mailboxes_z BLOB"_s,
        },
        {
            // provisionOnDemand runs ("Ask Cloud Sync to write it back now", OnDemandStore.h): who asked, when,
            // which job, and per object Cloud Sync's answer and whether AD's re-read showed the drift gone.
            uR"(CREATE TABLE on_demand_runs (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER REFERENCES scans(id),
                started_utc TEXT NOT NULL, finished_utc TEXT,
                os_user TEXT NOT NULL, bind_identity TEXT NOT NULL,
                service_principal TEXT NOT NULL, job_id TEXT NOT NULL, rule_id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'stopped')),
                message TEXT NOT NULL DEFAULT ''))"_s,
            uR"(CREATE TABLE on_demand_objects (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES on_demand_runs(id),
                seq INTEGER NOT NULL,
                dn TEXT NOT NULL, entra_id TEXT NOT NULL, label TEXT NOT NULL,
                drift_json TEXT NOT NULL,
                result TEXT CHECK (result IN ('success', 'skipped', 'failure')),
                skip_reason TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '',
                message TEXT NOT NULL DEFAULT '', modified_json TEXT NOT NULL DEFAULT '[]',
                verified TEXT CHECK (verified IN ('fixed', 'drift', 'unread')),
                verify_detail TEXT NOT NULL DEFAULT '',
                UNIQUE (run_id, seq)))"_s,
        },
        {
            // The break-glass reason given when a batch (a direct LDAP write, Cloud Sync's break-glass path) is
            // approved, and the Cloud Sync state it was given against (JSON array). NULL for batches approved before
            // this version ("no reason recorded") and for batches not approved yet. Never edited once given.
            u"ALTER TABLE batches ADD COLUMN break_glass_reason TEXT"_s,
            u"ALTER TABLE batches ADD COLUMN break_glass_cloud_sync TEXT"_s,
            uR"(CREATE TRIGGER batches_break_glass_fixed BEFORE UPDATE OF break_glass_reason, break_glass_cloud_sync
                ON batches WHEN OLD.break_glass_reason IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a recorded break-glass reason is never edited'); END)"_s,
        },
    };
    return steps;
}

// The hashed content of an event row: every field length-prefixed, so no two rows share a byte string.
QByteArray canonicalEvent(qint64 id, const QString& at, const QString& osUser, const QString& bind, const QString& kind,
                          const QString& subject, const QByteArray& detail)
{
    QByteArray out;
    const auto field = [&out](const QByteArray& bytes) {
        out += QByteArray::number(bytes.size()) + ':' + bytes + '\n';
    };
    field(QByteArray::number(id));
    field(at.toUtf8());
    field(osUser.toUtf8());
    field(bind.toUtf8());
    field(kind.toUtf8());
    field(subject.toUtf8());
    field(detail);
    return out;
}

QByteArray chainHash(const QByteArray& previous, const QByteArray& canonical)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(previous);
    hash.addData(canonical);
    return hash.result().toHex();
}

} // namespace

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

QString breakGlassReasonText(const StoredBatch& batch)
{
    if (batch.breakGlassReason)
        return *batch.breakGlassReason;
    // From version 5 on the reason is written with the approval itself: an approved batch without one is older.
    return batch.approvedAt.isValid() ? u"no reason recorded (before break-glass reasons)"_s : u"not approved yet"_s;
}

QLatin1StringView decisionKindName(DecisionKind kind)
{
    return kind == DecisionKind::Ignore ? "ignore"_L1 : "approve"_L1;
}

std::optional<HistoryAnchor> HistoryAnchor::parse(QStringView text)
{
    const qsizetype colon = text.indexOf(u':');
    const QStringView hash = colon < 0 ? text : text.left(colon);
    if (hash.size() != 64)
        return std::nullopt;
    for (const QChar c : hash)
        if (!((c >= u'0' && c <= u'9') || (c.toLower() >= u'a' && c.toLower() <= u'f')))
            return std::nullopt;
    HistoryAnchor anchor{hash.toString().toLower().toLatin1(), std::nullopt};
    if (colon >= 0) {
        bool ok = false;
        const qint64 count = text.mid(colon + 1).toLongLong(&ok);
        if (!ok || count < 0)
            return std::nullopt;
        anchor.events = count;
    }
    return anchor;
}

QString HistoryAnchor::toString() const
{
    return events ? QString::fromLatin1(headHash) + u':' + QString::number(*events) : QString::fromLatin1(headHash);
}

QByteArray valuesToJson(const QStringList& values)
{
    return QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact);
}

QStringList valuesFromJson(const QByteArray& json)
{
    QStringList values;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).array())
        values << v.toString();
    return values;
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

QString HistoryStore::defaultPath(const QString& profile)
{
    // GenericDataLocation, not AppDataLocation: sunset and sunset-cli have different application names but must
    // share one history per profile (Linux: ~/.local/share/sunset/profiles/default/history.sqlite).
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/sunset/profiles/"_s + profile +
           u"/history.sqlite"_s;
}

HistoryStore::HistoryStore(QString path, QString connectionName, HistoryActor actor)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_actor(std::move(actor))
{
}

HistoryStore::~HistoryStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    releaseHistory(m_openKey);
}

HistoryResult<std::unique_ptr<HistoryStore>> HistoryStore::open(const QString& path, HistoryActor actor)
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
    std::unique_ptr<HistoryStore> store(new HistoryStore(path, name, std::move(actor)));
    store->m_openKey = QFileInfo(path).canonicalFilePath();
    if (!store->m_openKey.isEmpty())
        ++histories.connections[store->m_openKey];
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
    if (const auto error = store->migrate())
        return *error;
    return store;
}

int HistoryStore::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    return q.exec(u"PRAGMA user_version"_s) && q.next() ? q.value(0).toInt() : -1;
}

HistoryError HistoryStore::sqlError(const QString& doing, const QSqlQuery& query) const
{
    return {
        u"History database %1: %2 failed: %3"_s.arg(QDir::toNativeSeparators(m_path), doing, query.lastError().text())};
}

std::optional<HistoryError> HistoryStore::beginWrite()
{
    // IMMEDIATE: the write lock is taken (waiting out another writer, up to the busy timeout) before the first
    // read. A deferred transaction that reads the audit log's head and then writes cannot wait: when another
    // process wrote meanwhile SQLite answers "database is locked" at once. And a BEGIN that failed must stop the
    // write: its statements would otherwise run one by one, outside any transaction.
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        return HistoryError{u"History database %1: cannot start writing: %2. Another Sunset may hold it for longer "
                            u"than %3 seconds; try again when it is done."_s.arg(QDir::toNativeSeparators(m_path),
                                                                                q.lastError().text())
                                .arg(kBusyTimeoutMs / 1000)};
    return std::nullopt;
}

std::optional<HistoryError> HistoryStore::commitWrite()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (db.commit())
        return std::nullopt;
    const QString why = db.lastError().text();
    db.rollback(); // a failed COMMIT leaves the transaction open: the next write would otherwise join it
    return HistoryError{u"History database %1: commit failed: %2; nothing of this change was recorded."_s.arg(
        QDir::toNativeSeparators(m_path), why)};
}

HistoryError HistoryStore::stateRefusal(qint64 batchId, const QString& rule) const
{
    const auto current = batch(batchId);
    if (!current)
        return current.error();
    return HistoryError{u"Batch %1 is %2: %3."_s.arg(batchId).arg(batchStateName(current->state), rule)};
}

std::optional<HistoryError> HistoryStore::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    const auto& steps = migrations();
    const int latest = int(steps.size());
    if (schemaVersion() >= latest)
        return std::nullopt;
    // Every step in one transaction, with one audit event: an upgrade is whole or not at all, and a new file's log
    // starts with a single "schema.upgraded" whatever the number of steps. IMMEDIATE: the write lock is taken
    // before the version is read, so two processes opening a new file at once upgrade it once (the second waits,
    // then finds it done).
    if (auto error = beginWrite())
        return error;
    const int from = schemaVersion();
    if (from >= latest)
        return commitWrite();
    QSqlQuery q(db);
    for (int version = from; version < latest; ++version) {
        for (const QString& statement : steps[size_t(version)]) {
            if (!q.exec(statement)) {
                const HistoryError error = sqlError(u"upgrading to schema version %1"_s.arg(version + 1), q);
                db.rollback();
                return error;
            }
        }
    }
    const bool ok = q.exec(u"PRAGMA application_id=%1"_s.arg(kApplicationId)) &&
                    q.exec(u"PRAGMA user_version=%1"_s.arg(latest));
    if (!ok) {
        const HistoryError error = sqlError(u"recording schema version %1"_s.arg(latest), q);
        db.rollback();
        return error;
    }
    if (const auto error = appendEventInTransaction(
            u"schema.upgraded"_s, u"schema %1"_s.arg(latest),
            QJsonDocument(QJsonObject{{u"from"_s, from}, {u"to"_s, latest}}).toJson(QJsonDocument::Compact))) {
        db.rollback();
        return error;
    }
    return commitWrite();
}

std::optional<HistoryError> HistoryStore::appendEventInTransaction(const QString& kind, const QString& subject,
                                                                   const QByteArray& detailJson, qint64* id)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(u"SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"_s))
        return sqlError(u"reading the audit log"_s, q);
    qint64 next = 1;
    QByteArray previous = kGenesisHash;
    if (q.next()) {
        next = q.value(0).toLongLong() + 1;
        previous = q.value(1).toString().toLatin1();
    }
    q.finish();
    const QString at = nowText();
    const QByteArray hash =
        chainHash(previous, canonicalEvent(next, at, m_actor.osUser, m_actor.bindIdentity, kind, subject, detailJson));
    q.prepare(u"INSERT INTO events (id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash) "
              u"VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), ?, COALESCE(?, ''), ?, ?, ?)"_s);
    for (const QVariant& v : {QVariant(next), QVariant(at), QVariant(m_actor.osUser), QVariant(m_actor.bindIdentity),
                              QVariant(kind), QVariant(subject), QVariant(QString::fromUtf8(detailJson)),
                              QVariant(QString::fromLatin1(previous)), QVariant(QString::fromLatin1(hash))})
        q.addBindValue(v);
    if (!q.exec())
        return sqlError(u"appending to the audit log"_s, q);
    if (id)
        *id = next;
    return std::nullopt;
}

HistoryResult<qint64> HistoryStore::appendEvent(const QString& kind, const QString& subject,
                                                const QByteArray& detailJson)
{
    return appendEventWith(kind, subject, detailJson, {});
}

HistoryResult<qint64> HistoryStore::appendEventWith(const QString& kind, const QString& subject,
                                                    const QByteArray& detailJson, const RowWriter& rows)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    if (rows) {
        if (auto error = rows()) {
            db.rollback();
            return *error;
        }
    }
    qint64 id = 0;
    if (auto error = appendEventInTransaction(kind, subject, detailJson, &id)) {
        db.rollback();
        return *error;
    }
    if (auto error = commitWrite())
        return *error;
    return id;
}

HistoryVerification HistoryStore::verify(const std::optional<HistoryAnchor>& expected) const
{
    HistoryVerification result;
    result.headHash = kGenesisHash;
    // Only the anchor's own position is kept when it names one; otherwise every hash, to find it anywhere.
    std::map<qint64, QByteArray> anchorHashes;
    QSet<QByteArray> seenHashes;
    if (expected && !expected->events)
        seenHashes.insert(kGenesisHash);
    if (expected && expected->events == 0)
        anchorHashes[0] = kGenesisHash;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash "
                u"FROM events ORDER BY id"_s)) {
        result.firstBrokenId = 0;
        result.message = sqlError(u"reading the audit log"_s, q).message;
        return result;
    }
    QByteArray previous = kGenesisHash;
    qint64 expectedId = 1;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        ++result.events;
        const QByteArray storedPrevious = q.value(7).toString().toLatin1();
        const QByteArray stored = q.value(8).toString().toLatin1();
        const QByteArray computed = chainHash(
            previous, canonicalEvent(id, q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                                     q.value(4).toString(), q.value(5).toString(), q.value(6).toString().toUtf8()));
        QString why;
        if (id != expectedId)
            why = u"event %1 is missing (the log jumps from %2 to %3)"_s.arg(expectedId).arg(expectedId - 1).arg(id);
        else if (storedPrevious != previous)
            why = u"event %1 does not follow event %2 (its link to the previous event is wrong)"_s.arg(id).arg(id - 1);
        else if (stored != computed)
            why = u"event %1 (%2, %3) was changed after it was written (its hash does not match its content)"_s.arg(id)
                      .arg(q.value(4).toString(), q.value(1).toString());
        if (!why.isEmpty()) {
            result.firstBrokenId = id;
            result.headHash = previous;
            result.message = u"The audit log of %1 is broken: %2."_s.arg(QDir::toNativeSeparators(m_path), why);
            return result;
        }
        previous = stored;
        expectedId = id + 1;
        if (expected) {
            if (!expected->events)
                seenHashes.insert(stored);
            else if (*expected->events == id)
                anchorHashes[id] = stored;
        }
    }
    result.headHash = previous;
    if (expected) {
        // The anchor must still be in the chain: at position COUNT when given, anywhere otherwise. Events
        // appended since are fine; events deleted from the end take the anchor with them.
        const bool countOk = !expected->events || *expected->events <= result.events;
        const auto it = anchorHashes.find(expected->events.value_or(-1));
        const bool found = expected->events ? (countOk && it != anchorHashes.end() && it->second == expected->headHash)
                                            : seenHashes.contains(expected->headHash);
        if (!found) {
            result.firstBrokenId = result.events + 1;
            result.message =
                u"The audit log of %1 no longer reaches the expected head %2: it now has %3 events and ends at %4. "
                u"Events were deleted (or the log was replaced) since that head was noted."_s
                    .arg(QDir::toNativeSeparators(m_path), expected->toString())
                    .arg(result.events)
                    .arg(QString::fromLatin1(result.headHash));
            return result;
        }
    }
    result.message = u"The audit log of %1 is intact: %2 events, each chained to the one before; head %3"_s
                         .arg(QDir::toNativeSeparators(m_path))
                         .arg(result.events)
                         .arg(QString::fromLatin1(result.headHash));
    if (expected)
        result.message += u"; it still reaches the expected head %1"_s.arg(expected->toString());
    result.message += u'.';
    return result;
}

HistoryResult<qint64> HistoryStore::recordScan(const ScanRecord& scan)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    q.prepare(
        u"INSERT INTO scans (started_utc, finished_utc, ad_source, exo_source, graph_source, ad_mailboxes, "
        u"cloud_mailboxes, matched, drift_items, summary_json, drift_json, recorded_utc, os_user, mailboxes_z) "
        u"VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''), ?)"_s);
    q.addBindValue(scan.started.isValid() ? QVariant(scan.started.toUTC().toString(Qt::ISODateWithMs)) : QVariant());
    q.addBindValue(scan.finished.isValid() ? QVariant(scan.finished.toUTC().toString(Qt::ISODateWithMs)) : QVariant());
    q.addBindValue(scan.adSource);
    q.addBindValue(scan.exoSource);
    q.addBindValue(scan.graphSource);
    q.addBindValue(scan.adMailboxes);
    q.addBindValue(scan.cloudMailboxes);
    q.addBindValue(scan.matched);
    q.addBindValue(scan.driftItems);
    q.addBindValue(QString::fromUtf8(scan.summaryJson.isEmpty() ? QByteArray("{}") : scan.summaryJson));
    q.addBindValue(QString::fromUtf8(scan.driftJson.isEmpty() ? QByteArray("[]") : scan.driftJson));
    q.addBindValue(nowText());
    q.addBindValue(m_actor.osUser);
    // Level 1: 600,000 mailboxes' lines shrink about as much as at the default level in a fraction of the time.
    q.addBindValue(scan.mailboxes ? QVariant(qCompress(*scan.mailboxes, 1)) : QVariant(QMetaType(QMetaType::QByteArray)));
    if (!q.exec()) {
        const HistoryError error = sqlError(u"recording the scan"_s, q);
        db.rollback();
        return error;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    // Retention: the freed pages are reused by the next scans' lists, so the file stops growing (no VACUUM).
    QSqlQuery prune(db);
    prune.prepare(u"UPDATE scans SET mailboxes_z = NULL WHERE mailboxes_z IS NOT NULL AND id NOT IN "
                  u"(SELECT id FROM scans ORDER BY id DESC LIMIT ?)"_s);
    prune.addBindValue(kScansKeepingMailboxes);
    if (!prune.exec()) {
        const HistoryError error = sqlError(u"dropping older scans' mailbox lists"_s, prune);
        db.rollback();
        return error;
    }
    const QByteArray detail =
        QJsonDocument(
            QJsonObject{{u"ad"_s, scan.adSource}, {u"exo"_s, scan.exoSource}, {u"driftItems"_s, scan.driftItems}})
            .toJson(QJsonDocument::Compact);
    if (auto error = appendEventInTransaction(u"scan.recorded"_s, u"scan %1"_s.arg(id), detail)) {
        db.rollback();
        return *error;
    }
    if (auto error = commitWrite())
        return *error;
    return id;
}

HistoryResult<qint64> HistoryStore::recordDecision(const DecisionRecord& decision)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    q.prepare(
        u"INSERT INTO decisions (scan_id, dn, attribute, decision, reason, os_user, bind_identity, "
        u"decided_utc) VALUES (?, COALESCE(?, ''), ?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), ?)"_s);
    const QString kind = decision.decision == DecisionKind::Approve ? u"approve"_s : u"ignore"_s;
    const QString attribute = AttributeCatalog::spec(decision.attribute).ldapName;
    for (const QVariant& v :
         {QVariant(decision.scanId), QVariant(decision.dn), QVariant(attribute), QVariant(kind),
          QVariant(decision.reason), QVariant(m_actor.osUser), QVariant(m_actor.bindIdentity), QVariant(nowText())})
        q.addBindValue(v);
    if (!q.exec()) {
        const HistoryError error = sqlError(u"recording the decision"_s, q);
        db.rollback();
        return error;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    const QByteArray detail = QJsonDocument(QJsonObject{{u"scan"_s, decision.scanId},
                                                        {u"dn"_s, decision.dn},
                                                        {u"attribute"_s, attribute},
                                                        {u"decision"_s, kind},
                                                        {u"reason"_s, decision.reason}})
                                  .toJson(QJsonDocument::Compact);
    if (auto error = appendEventInTransaction(u"decision.recorded"_s, u"decision %1"_s.arg(id), detail)) {
        db.rollback();
        return *error;
    }
    if (auto error = commitWrite())
        return *error;
    return id;
}

HistoryResult<qint64> HistoryStore::createBatch(const WritebackBatch& batch, qint64 scanId, qint64 undoOf)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    QStringList warnings;
    for (const BatchIssue& w : batch.warnings())
        warnings << w.message;
    q.prepare(
        u"INSERT INTO batches (scan_id, state, created_utc, created_by, object_count, value_count, "
        u"second_confirmation, warnings_json, undo_of) VALUES (?, 'planned', ?, COALESCE(?, ''), ?, ?, ?, ?, ?)"_s);
    q.addBindValue(scanId > 0 ? QVariant(scanId) : QVariant(QMetaType(QMetaType::LongLong)));
    q.addBindValue(nowText());
    q.addBindValue(m_actor.osUser);
    q.addBindValue(batch.objectCount());
    q.addBindValue(batch.valuesDeleted() + batch.valuesAdded());
    q.addBindValue(batch.needsSecondConfirmation() ? 1 : 0);
    q.addBindValue(QString::fromUtf8(valuesToJson(warnings)));
    q.addBindValue(undoOf > 0 ? QVariant(undoOf) : QVariant(QMetaType(QMetaType::LongLong)));
    if (!q.exec()) {
        const HistoryError error = sqlError(u"recording the batch"_s, q);
        db.rollback();
        return error;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    q.prepare(u"INSERT INTO changes (batch_id, object_seq, dn, attribute, before_json, after_json, cloud_managed, "
              u"state) VALUES (?, ?, COALESCE(?, ''), ?, ?, ?, ?, 'planned')"_s);
    qint64 seq = 0;
    for (const BatchObjectChange& object : batch.objects()) {
        for (const BatchAttributeChange& change : object.changes) {
            q.addBindValue(id);
            q.addBindValue(seq);
            q.addBindValue(object.dn);
            q.addBindValue(QString(AttributeCatalog::spec(change.attribute).ldapName));
            q.addBindValue(QString::fromUtf8(valuesToJson(change.before)));
            q.addBindValue(QString::fromUtf8(valuesToJson(change.after)));
            q.addBindValue(object.cloudManaged ? 1 : 0);
            if (!q.exec()) {
                const HistoryError error = sqlError(u"recording the changes of the batch"_s, q);
                db.rollback();
                return error;
            }
        }
        ++seq;
    }
    const QByteArray detail = QJsonDocument(QJsonObject{{u"scan"_s, scanId},
                                                        {u"undoOf"_s, undoOf},
                                                        {u"objects"_s, batch.objectCount()},
                                                        {u"attributes"_s, batch.attributeCount()}})
                                  .toJson(QJsonDocument::Compact);
    if (auto error = appendEventInTransaction(u"batch.created"_s, u"batch %1"_s.arg(id), detail)) {
        db.rollback();
        return *error;
    }
    if (auto error = commitWrite())
        return *error;
    return id;
}

namespace {

StoredBatch batchFromQuery(const QSqlQuery& q)
{
    StoredBatch b;
    b.id = q.value(0).toLongLong();
    b.scanId = q.value(1).toLongLong();
    b.state = batchStateFromName(q.value(2).toString()).value_or(BatchState::Planned);
    b.createdAt = fromText(q.value(3));
    b.createdBy = q.value(4).toString();
    b.approvedAt = fromText(q.value(5));
    b.approvedBy = q.value(6).toString();
    b.approvedBind = q.value(7).toString();
    b.objectCount = q.value(8).toLongLong();
    b.valueCount = q.value(9).toLongLong();
    b.secondConfirmation = q.value(10).toInt() != 0;
    b.warnings = valuesFromJson(q.value(11).toString().toUtf8());
    b.undoOf = q.value(12).toLongLong();
    if (!q.value(13).isNull())
        b.breakGlassReason = q.value(13).toString();
    b.breakGlassCloudSync = q.value(14).isNull() ? QByteArray("[]") : q.value(14).toString().toUtf8();
    return b;
}

const auto kBatchColumns = u"SELECT id, scan_id, state, created_utc, created_by, approved_utc, approved_by, "
                           u"approved_bind, object_count, value_count, second_confirmation, warnings_json, undo_of, "
                           u"break_glass_reason, break_glass_cloud_sync FROM batches "_s;

} // namespace

HistoryResult<StoredBatch> HistoryStore::batch(qint64 batchId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.prepare(kBatchColumns + u"WHERE id = ?"_s);
    q.addBindValue(batchId);
    if (!q.exec())
        return sqlError(u"reading batch %1"_s.arg(batchId), q);
    if (!q.next())
        return HistoryError{
            u"History database %1 has no batch %2."_s.arg(QDir::toNativeSeparators(m_path)).arg(batchId)};
    return batchFromQuery(q);
}

HistoryResult<std::vector<StoredBatch>> HistoryStore::batches() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(kBatchColumns + u"ORDER BY id"_s))
        return sqlError(u"reading the batches"_s, q);
    std::vector<StoredBatch> out;
    while (q.next())
        out.push_back(batchFromQuery(q));
    return out;
}

HistoryResult<std::vector<StoredChange>> HistoryStore::changes(qint64 batchId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, batch_id, object_seq, dn, attribute, before_json, after_json, state, ldap_code, "
              u"ldap_message, sent_utc, settled_utc, cloud_managed FROM changes WHERE batch_id = ? "
              u"ORDER BY object_seq, id"_s);
    q.addBindValue(batchId);
    if (!q.exec())
        return sqlError(u"reading the changes of batch %1"_s.arg(batchId), q);
    std::vector<StoredChange> out;
    while (q.next()) {
        StoredChange c;
        c.id = q.value(0).toLongLong();
        c.batchId = q.value(1).toLongLong();
        c.objectSeq = q.value(2).toLongLong();
        c.dn = q.value(3).toString();
        const auto attribute = AttributeCatalog::byLdapName(q.value(4).toString());
        if (!attribute)
            return HistoryError{
                u"History database %1: change %2 names %3, which is not a catalog attribute."_s.arg(m_path)
                    .arg(c.id)
                    .arg(q.value(4).toString())};
        c.attribute = *attribute;
        c.before = valuesFromJson(q.value(5).toString().toUtf8());
        c.after = valuesFromJson(q.value(6).toString().toUtf8());
        c.state = changeStateFromName(q.value(7).toString()).value_or(ChangeState::Unknown);
        c.ldapCode = q.value(8).toInt();
        c.ldapMessage = q.value(9).toString();
        c.sentAt = fromText(q.value(10));
        c.settledAt = fromText(q.value(11));
        c.cloudManaged = q.value(12).toInt() == 1;
        out.push_back(std::move(c));
    }
    return out;
}

HistoryResult<qint64> HistoryStore::createUndoBatch(qint64 batchId)
{
    const auto original = batch(batchId);
    if (!original)
        return original.error();
    if (original->state != BatchState::Applied && original->state != BatchState::Partial)
        return HistoryError{
            u"Batch %1 is %2: only an applied (or partly applied) batch can be undone."_s.arg(batchId).arg(
                batchStateName(original->state))};
    const auto recorded = changes(batchId);
    if (!recorded)
        return recorded.error();
    std::vector<BatchObjectChange> objects;
    qint64 seq = -1;
    for (const StoredChange& c : recorded.value()) {
        if (c.state != ChangeState::Applied)
            continue; // nothing to reverse: AD never took it
        if (c.objectSeq != seq) {
            seq = c.objectSeq;
            objects.push_back({c.dn, {}, {}, c.cloudManaged}); // the undo writes the same mailbox
        }
        objects.back().changes.push_back({c.attribute, c.after, c.before});
    }
    if (objects.empty())
        return HistoryError{u"Batch %1 has no applied change to undo."_s.arg(batchId)};
    return createBatch(WritebackBatch::fromObjects(std::move(objects)), original->scanId, batchId);
}

std::optional<HistoryError> HistoryStore::approveBatch(qint64 batchId, const BreakGlassApproval& approval,
                                                      bool secondConfirmation)
{
    if (const auto problem = breakGlassReasonProblem(approval.reason))
        return HistoryError{u"Batch %1 was not approved. %2"_s.arg(batchId).arg(*problem)};
    const QJsonDocument cloudSync = QJsonDocument::fromJson(approval.cloudSyncJson);
    if (!cloudSync.isArray()) // an internal error: BreakGlass.h writes an array
        return HistoryError{u"Batch %1 was not approved: the Cloud Sync state to record is not a JSON array."_s.arg(
            batchId)};
    const QString reason = approval.reason.trimmed();
    const auto current = batch(batchId);
    if (!current)
        return current.error();
    if (current->state != BatchState::Planned)
        return HistoryError{u"Batch %1 is %2; only a planned batch can be approved."_s.arg(batchId).arg(
            batchStateName(current->state))};
    if (current->secondConfirmation && !secondConfirmation)
        return HistoryError{
            u"Batch %1 changes %2 objects: approving it needs a second confirmation."_s.arg(batchId).arg(
                current->objectCount)};
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    q.prepare(u"UPDATE batches SET state = 'approved', approved_utc = ?, approved_by = COALESCE(?, ''), "
              u"approved_bind = COALESCE(?, ''), break_glass_reason = ?, break_glass_cloud_sync = ? "
              u"WHERE id = ? AND state = 'planned'"_s);
    q.addBindValue(nowText());
    q.addBindValue(m_actor.osUser);
    q.addBindValue(m_actor.bindIdentity);
    q.addBindValue(reason);
    q.addBindValue(QString::fromUtf8(cloudSync.toJson(QJsonDocument::Compact)));
    q.addBindValue(batchId);
    if (!q.exec()) {
        const HistoryError error = sqlError(u"approving batch %1"_s.arg(batchId), q);
        db.rollback();
        return error;
    }
    if (q.numRowsAffected() != 1) { // another process moved it on since it was read above
        db.rollback();
        return stateRefusal(batchId, u"only a planned batch can be approved"_s);
    }
    if (auto error = appendEventInTransaction(
            u"batch.approved"_s, u"batch %1"_s.arg(batchId),
            QJsonDocument(QJsonObject{{u"secondConfirmation"_s, secondConfirmation},
                                      {u"breakGlassReason"_s, reason},
                                      {u"cloudSync"_s, cloudSync.array()}})
                .toJson(QJsonDocument::Compact))) {
        db.rollback();
        return error;
    }
    if (auto error = commitWrite())
        return *error;
    return std::nullopt;
}

std::optional<HistoryError> HistoryStore::setBatchState(qint64 batchId, BatchState state)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    // The only moves left to this function: applying ends applied or partial; a batch not yet sent is cancelled.
    // planned -> approved and approved|partial -> applying go through approveBatch() and markPending().
    const QString from = state == BatchState::Applied || state == BatchState::Partial ? u"'applying'"_s
                         : state == BatchState::Cancelled                          ? u"'planned', 'approved'"_s
                                                                                    : QString();
    if (from.isEmpty()) {
        db.rollback();
        return HistoryError{u"Batch %1 cannot be set to %2 directly (an internal error; nothing was changed)."_s
                                .arg(batchId)
                                .arg(batchStateName(state))};
    }
    q.prepare(u"UPDATE batches SET state = ? WHERE id = ? AND state IN (%1)"_s.arg(from));
    q.addBindValue(QString(batchStateName(state)));
    q.addBindValue(batchId);
    if (!q.exec()) {
        const HistoryError error = sqlError(u"changing the state of batch %1"_s.arg(batchId), q);
        db.rollback();
        return error;
    }
    if (q.numRowsAffected() != 1) {
        db.rollback();
        return stateRefusal(batchId, u"it cannot become %1 from there"_s.arg(batchStateName(state)));
    }
    if (auto error =
            appendEventInTransaction(u"batch.%1"_s.arg(batchStateName(state)), u"batch %1"_s.arg(batchId), "{}")) {
        db.rollback();
        return error;
    }
    if (auto error = commitWrite())
        return *error;
    return std::nullopt;
}

std::optional<HistoryError> HistoryStore::markPending(qint64 batchId, const std::vector<qint64>& objectSeqs,
                                                      bool continuing)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    // The check and the move in one statement, under the write lock: of two applies that both read "approved",
    // one journals, the other is refused here before it sends anything.
    q.prepare(continuing ? u"UPDATE batches SET state = 'applying' WHERE id = ? AND state = 'applying'"_s
                         : u"UPDATE batches SET state = 'applying' WHERE id = ? AND state IN ('approved', 'partial')"_s);
    q.addBindValue(batchId);
    if (!q.exec()) {
        const HistoryError error = sqlError(u"marking batch %1 as applying"_s.arg(batchId), q);
        db.rollback();
        return error;
    }
    if (q.numRowsAffected() != 1) {
        db.rollback();
        return stateRefusal(batchId, u"only an approved batch is applied (or a partial one resumed); nothing was "
                                     u"sent. Approve it with 'sunset-cli batch approve %1 --reason TEXT'; if it is "
                                     u"applying, another Sunset is sending it now or was interrupted (run apply "
                                     u"again when that one is done)"_s.arg(batchId));
    }
    const QString now = nowText();
    q.prepare(u"UPDATE changes SET state = 'pending', sent_utc = ? WHERE batch_id = ? AND object_seq = ? "
              u"AND state IN ('planned', 'not-sent')"_s);
    for (const qint64 seq : objectSeqs) {
        q.addBindValue(now);
        q.addBindValue(batchId);
        q.addBindValue(seq);
        if (!q.exec()) {
            const HistoryError error = sqlError(u"journalling the changes of batch %1"_s.arg(batchId), q);
            db.rollback();
            return error;
        }
        if (q.numRowsAffected() < 1) { // sent before: sending it again could apply it twice
            db.rollback();
            return HistoryError{u"Batch %1: object %2 was already sent (or is not in the batch); nothing was sent. "
                                u"See 'sunset-cli batch show %1'."_s.arg(batchId)
                                    .arg(seq)};
        }
    }
    if (auto error = appendEventInTransaction(
            u"batch.applying"_s, u"batch %1"_s.arg(batchId),
            QJsonDocument(QJsonObject{{u"objects"_s, qint64(objectSeqs.size())}}).toJson(QJsonDocument::Compact))) {
        db.rollback();
        return error;
    }
    if (auto error = commitWrite())
        return *error;
    return std::nullopt;
}

std::optional<HistoryError> HistoryStore::settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes)
{
    if (outcomes.empty())
        return std::nullopt;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (auto error = beginWrite())
        return *error;
    QSqlQuery q(db);
    const QString now = nowText();
    q.prepare(u"UPDATE changes SET state = ?, ldap_code = ?, ldap_message = COALESCE(?, ''), settled_utc = ? "
              u"WHERE batch_id = ? AND object_seq = ?"_s);
    QJsonArray detail;
    for (const ChangeOutcome& o : outcomes) {
        q.addBindValue(QString(changeStateName(o.state)));
        q.addBindValue(o.ldapCode);
        q.addBindValue(o.message);
        q.addBindValue(now);
        q.addBindValue(batchId);
        q.addBindValue(o.objectSeq);
        if (!q.exec()) {
            const HistoryError error = sqlError(u"recording outcomes of batch %1"_s.arg(batchId), q);
            db.rollback();
            return error;
        }
        detail.append(QJsonObject{
            {u"object"_s, o.objectSeq}, {u"state"_s, QString(changeStateName(o.state))}, {u"ldapCode"_s, o.ldapCode}});
    }
    if (auto error = appendEventInTransaction(u"changes.settled"_s, u"batch %1"_s.arg(batchId),
                                              QJsonDocument(detail).toJson(QJsonDocument::Compact))) {
        db.rollback();
        return error;
    }
    if (auto error = commitWrite())
        return *error;
    return std::nullopt;
}

namespace {

const auto kScanColumns = u"SELECT id, started_utc, finished_utc, ad_source, exo_source, graph_source, ad_mailboxes, "
                          u"cloud_mailboxes, matched, drift_items, recorded_utc, os_user"_s;

StoredScan scanFromQuery(const QSqlQuery& q, bool withJson)
{
    StoredScan s;
    s.id = q.value(0).toLongLong();
    s.record.started = fromText(q.value(1));
    s.record.finished = fromText(q.value(2));
    s.record.adSource = q.value(3).toString();
    s.record.exoSource = q.value(4).toString();
    s.record.graphSource = q.value(5).toString();
    s.record.adMailboxes = q.value(6).toLongLong();
    s.record.cloudMailboxes = q.value(7).toLongLong();
    s.record.matched = q.value(8).toLongLong();
    s.record.driftItems = q.value(9).toLongLong();
    s.recordedAt = fromText(q.value(10));
    s.recordedBy = q.value(11).toString();
    if (withJson) {
        s.record.summaryJson = q.value(12).toString().toUtf8();
        s.record.driftJson = q.value(13).toString().toUtf8();
        if (!q.value(14).isNull())
            s.record.mailboxes = qUncompress(q.value(14).toByteArray());
    }
    return s;
}

} // namespace

HistoryResult<std::vector<StoredScan>> HistoryStore::scans() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    if (!q.exec(kScanColumns + u" FROM scans ORDER BY id DESC"_s))
        return sqlError(u"reading the scans"_s, q);
    std::vector<StoredScan> out;
    while (q.next())
        out.push_back(scanFromQuery(q, false));
    return out;
}

HistoryResult<StoredScan> HistoryStore::scan(qint64 scanId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(kScanColumns + u", summary_json, drift_json, mailboxes_z FROM scans WHERE id = ?"_s);
    q.addBindValue(scanId);
    if (!q.exec())
        return sqlError(u"reading scan %1"_s.arg(scanId), q);
    if (!q.next())
        return HistoryError{
            u"History database %1 has no scan %2."_s.arg(QDir::toNativeSeparators(m_path)).arg(scanId)};
    return scanFromQuery(q, true);
}

HistoryResult<std::optional<StoredScan>> HistoryStore::latestScan() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    if (!q.exec(kScanColumns + u", summary_json, drift_json, mailboxes_z FROM scans ORDER BY id DESC LIMIT 1"_s))
        return sqlError(u"reading the newest scan"_s, q);
    if (!q.next())
        return std::optional<StoredScan>();
    return std::optional<StoredScan>(scanFromQuery(q, true));
}

HistoryResult<std::vector<StoredDecision>> HistoryStore::decisions(qint64 scanId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    const QString columns = u"SELECT id, scan_id, dn, attribute, decision, reason, os_user, bind_identity, "
                            u"decided_utc FROM decisions "_s;
    if (scanId > 0) {
        q.prepare(columns + u"WHERE scan_id = ? ORDER BY id"_s);
        q.addBindValue(scanId);
    } else {
        q.prepare(columns + u"ORDER BY id"_s);
    }
    if (!q.exec())
        return sqlError(u"reading the decisions"_s, q);
    std::vector<StoredDecision> out;
    while (q.next()) {
        StoredDecision d;
        d.id = q.value(0).toLongLong();
        d.record.scanId = q.value(1).toLongLong();
        d.record.dn = q.value(2).toString();
        const auto attribute = AttributeCatalog::byLdapName(q.value(3).toString());
        if (!attribute)
            return HistoryError{
                u"History database %1: decision %2 names %3, which is not a catalog attribute."_s.arg(m_path)
                    .arg(d.id)
                    .arg(q.value(3).toString())};
        d.record.attribute = *attribute;
        d.record.decision = q.value(4).toString() == u"ignore"_s ? DecisionKind::Ignore : DecisionKind::Approve;
        d.record.reason = q.value(5).toString();
        d.osUser = q.value(6).toString();
        d.bindIdentity = q.value(7).toString();
        d.decidedAt = fromText(q.value(8));
        out.push_back(std::move(d));
    }
    return out;
}

HistoryResult<std::vector<StoredEvent>> HistoryStore::events() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash "
                u"FROM events ORDER BY id"_s))
        return sqlError(u"reading the audit log"_s, q);
    std::vector<StoredEvent> out;
    while (q.next()) {
        StoredEvent e;
        e.id = q.value(0).toLongLong();
        e.at = fromText(q.value(1));
        e.osUser = q.value(2).toString();
        e.bindIdentity = q.value(3).toString();
        e.kind = q.value(4).toString();
        e.subject = q.value(5).toString();
        e.detailJson = q.value(6).toString().toUtf8();
        e.prevHash = q.value(7).toString().toLatin1();
        e.hash = q.value(8).toString().toLatin1();
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace sunset
