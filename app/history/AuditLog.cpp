// SPDX-License-Identifier: Apache-2.0
#include "AuditLog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <map>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray kGenesisHash(64, '0');

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

HistoryResult<void> AuditLog::appendInTransaction(const QString& kind, const QString& subject,
                                                  const QByteArray& detailJson, qint64* id)
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    if (!q.exec(u"SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"_s))
        return m_database.sqlError(u"reading the audit log"_s, q);
    qint64 next = 1;
    QByteArray previous = kGenesisHash;
    if (q.next()) {
        next = q.value(0).toLongLong() + 1;
        previous = q.value(1).toString().toLatin1();
    }
    q.finish();
    const QString at = historyNowText();
    const QByteArray hash =
        chainHash(previous, canonicalEvent(next, at, m_database.actor().osUser, m_database.actor().bindIdentity, kind,
                                           subject, detailJson));
    q.prepare(u"INSERT INTO events (id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash) "
              u"VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), ?, COALESCE(?, ''), ?, ?, ?)"_s);
    for (const QVariant& v :
         {QVariant(next), QVariant(at), QVariant(m_database.actor().osUser), QVariant(m_database.actor().bindIdentity),
          QVariant(kind), QVariant(subject), QVariant(QString::fromUtf8(detailJson)),
          QVariant(QString::fromLatin1(previous)), QVariant(QString::fromLatin1(hash))})
        q.addBindValue(v);
    if (!q.exec())
        return m_database.sqlError(u"appending to the audit log"_s, q);
    if (id)
        *id = next;
    return {};
}

HistoryResult<qint64> AuditLog::append(const QString& kind, const QString& subject, const QByteArray& detailJson,
                                       const HistoryRowWriter& rows)
{
    qint64 id = 0;
    const auto written = m_database.write([&]() -> HistoryResult<void> {
        if (rows) {
            if (auto rowsWritten = rows(); !rowsWritten)
                return rowsWritten;
        }
        return appendInTransaction(kind, subject, detailJson, &id);
    });
    if (!written)
        return written.error();
    return id;
}

HistoryVerification AuditLog::verify(const std::optional<HistoryAnchor>& expected) const
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
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash "
                u"FROM events ORDER BY id"_s)) {
        result.firstBrokenId = 0;
        result.message = m_database.sqlError(u"reading the audit log"_s, q).message;
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
            result.message =
                u"The audit log of %1 is broken: %2."_s.arg(QDir::toNativeSeparators(m_database.path()), why);
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
                    .arg(QDir::toNativeSeparators(m_database.path()), expected->toString())
                    .arg(result.events)
                    .arg(QString::fromLatin1(result.headHash));
            return result;
        }
    }
    result.message = u"The audit log of %1 is intact: %2 events, each chained to the one before; head %3"_s
                         .arg(QDir::toNativeSeparators(m_database.path()))
                         .arg(result.events)
                         .arg(QString::fromLatin1(result.headHash));
    if (expected)
        result.message += u"; it still reaches the expected head %1"_s.arg(expected->toString());
    result.message += u'.';
    return result;
}

HistoryResult<std::vector<StoredEvent>> AuditLog::events() const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, at_utc, os_user, bind_identity, kind, subject, detail_json, prev_hash, hash "
                u"FROM events ORDER BY id"_s))
        return m_database.sqlError(u"reading the audit log"_s, q);
    std::vector<StoredEvent> out;
    while (q.next()) {
        StoredEvent e;
        e.id = q.value(0).toLongLong();
        e.at = historyTimeFromText(q.value(1));
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
