// SPDX-License-Identifier: Apache-2.0
#include "MailboxChanges.h"

#include <QDateTime>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

qsizetype rowOf(const QJsonArray& mailboxes, const QString& exchangeGuid)
{
    for (qsizetype i = 0; i < mailboxes.size(); ++i) {
        if (mailboxes.at(i).toObject().value("ExchangeGuid"_L1).toString().compare(exchangeGuid, Qt::CaseInsensitive) ==
            0)
            return i;
    }
    return -1;
}

} // namespace

QString exchangeUtcTime(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'0000Z'"_s);
}

void changeMailboxProperty(QJsonArray& mailboxes, const QString& exchangeGuid, const QString& property,
                           const QJsonValue& value, qint64 nowMsecs)
{
    const qsizetype row = rowOf(mailboxes, exchangeGuid);
    if (row < 0)
        return;
    QJsonObject mailbox = mailboxes.at(row).toObject();
    mailbox.insert(property, value);
    mailbox.insert(u"WhenChangedUTC"_s, exchangeUtcTime(nowMsecs));
    mailboxes.replace(row, mailbox);
}

void addMailbox(QJsonArray& mailboxes, QJsonObject mailbox, qint64 nowMsecs)
{
    mailbox.insert(u"WhenChangedUTC"_s, exchangeUtcTime(nowMsecs));
    mailboxes.append(mailbox);
}

void removeMailbox(QJsonArray& mailboxes, const QString& exchangeGuid)
{
    if (const qsizetype row = rowOf(mailboxes, exchangeGuid); row >= 0)
        mailboxes.removeAt(row);
}

} // namespace sunset
