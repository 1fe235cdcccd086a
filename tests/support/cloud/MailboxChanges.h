// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace sunset {

// The emulator's side of incremental Exchange Online rescans: mailboxes whose WhenChangedUTC moves when a test
// changes them. Get-Mailbox -Filter "WhenChangedUTC -gt '<date>'" is evaluated with every other -Filter by
// OpathFilter.cpp. Free functions on the emulator's array so that CloudEmulator.cpp only calls them.

// A test's changes, each stamping the mailbox's WhenChangedUTC with nowMsecs (Exchange sets it on every write).
void changeMailboxProperty(QJsonArray& mailboxes, const QString& exchangeGuid, const QString& property,
                           const QJsonValue& value, qint64 nowMsecs);
void addMailbox(QJsonArray& mailboxes, QJsonObject mailbox, qint64 nowMsecs);
void removeMailbox(QJsonArray& mailboxes, const QString& exchangeGuid);

// WhenChangedUTC as Exchange Online's REST answers write it ("2026-12-07T06:30:00.1230000Z").
QString exchangeUtcTime(qint64 msecs);

} // namespace sunset
