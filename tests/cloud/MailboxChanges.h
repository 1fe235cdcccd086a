// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace sunset {

// The emulator's side of incremental Exchange Online rescans: mailboxes whose WhenChangedUTC moves when a test
// changes them, and Get-Mailbox -Filter "WhenChangedUTC -gt '<date>'" (the one filter an incremental rescan sends;
// exo-slices' general OPATH evaluator takes over the rest of -Filter). Free functions on the emulator's array so
// that CloudEmulator.cpp only calls them.

// The rows of mailboxes a -Filter selects, in order; or the error Exchange answers (message text [U]: the
// service's wording for a filter it cannot parse is not published).
std::optional<QString> selectMailboxesByFilter(const QJsonArray& mailboxes, const QString& filter,
                                               QList<qsizetype>& rows);

// A test's changes, each stamping the mailbox's WhenChangedUTC with nowMsecs (Exchange sets it on every write).
void changeMailboxProperty(QJsonArray& mailboxes, const QString& exchangeGuid, const QString& property,
                           const QJsonValue& value, qint64 nowMsecs);
void addMailbox(QJsonArray& mailboxes, QJsonObject mailbox, qint64 nowMsecs);
void removeMailbox(QJsonArray& mailboxes, const QString& exchangeGuid);

// WhenChangedUTC as Exchange Online's REST answers write it ("2026-12-07T06:30:00.1230000Z").
QString exchangeUtcTime(qint64 msecs);

} // namespace sunset
