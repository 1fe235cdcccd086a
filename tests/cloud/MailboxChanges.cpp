// SPDX-License-Identifier: Apache-2.0
#include "MailboxChanges.h"

#include <QDateTime>
#include <QRegularExpression>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// WhenChangedUTC of a mailbox in milliseconds; 0 when it has none. Fractions beyond milliseconds are cut. Read
// by hand from its fixed positions ("2026-12-07T06:30:00.1230000Z"): a filter request reads every mailbox's, and
// QDateTime::fromString (a time-zone lookup each) made the emulator, not the client, the cost of a rescan.
qint64 whenChangedMsecs(const QJsonObject& mailbox)
{
    const QString text = mailbox.value("WhenChangedUTC"_L1).toString();
    const auto number = [&text](qsizetype at, qsizetype digits) {
        int value = 0;
        for (qsizetype i = at; i < at + digits; ++i) {
            if (i >= text.size() || !text.at(i).isDigit())
                return -1;
            value = value * 10 + text.at(i).digitValue();
        }
        return value;
    };
    const QDate date(number(0, 4), number(5, 2), number(8, 2));
    const QTime time(number(11, 2), number(14, 2), number(17, 2));
    if (text.size() < 19 || text.at(4) != u'-' || text.at(10) != u'T' || !date.isValid() || date.year() < 1 ||
        !time.isValid())
        return 0;
    qint64 msecs = (date.toJulianDay() - QDate(1970, 1, 1).toJulianDay()) * 86400000LL + time.msecsSinceStartOfDay();
    if (text.size() > 20 && text.at(19) == u'.') {
        int fraction = 0;
        for (qsizetype i = 20; i < 23; ++i)
            fraction = fraction * 10 + (i < text.size() && text.at(i).isDigit() ? text.at(i).digitValue() : 0);
        msecs += fraction;
    }
    return msecs;
}

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

std::optional<QString> selectMailboxesByFilter(const QJsonArray& mailboxes, const QString& filter,
                                               QList<qsizetype>& rows)
{
    // OPATH: property, operator, quoted value; dates in en-US form as in Microsoft's examples
    // ("WhenChangedUTC -gt '8/1/2026 2:00:00 PM'") [D: filter-properties]. Exchange reads the date in the session's
    // culture; the admin API's being en-US is [A], and the emulator accepts that form only, so a client writing
    // the local culture's (or ISO) form fails here.
    static const QRegularExpression whenChanged(
        uR"(^\s*\(?\s*WhenChangedUTC\s+-gt\s+'(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)'\s*\)?\s*$)"_s,
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = whenChanged.match(filter);
    if (!m.hasMatch())
        return u"Cannot bind parameter 'Filter' to the target. The emulator evaluates only "
               "\"WhenChangedUTC -gt 'M/d/yyyy h:mm:ss AM'\"; got \"%1\"."_s.arg(filter);
    int hour = m.captured(4).toInt();
    if (hour < 1 || hour > 12)
        return u"The value \"%1\" could not be converted to type System.DateTime."_s.arg(filter);
    hour = hour % 12 + (m.captured(7).compare("PM"_L1, Qt::CaseInsensitive) == 0 ? 12 : 0);
    const QDate date(m.captured(3).toInt(), m.captured(1).toInt(), m.captured(2).toInt());
    const QTime time(hour, m.captured(5).toInt(), m.captured(6).toInt());
    if (!date.isValid() || !time.isValid())
        return u"The value \"%1\" could not be converted to type System.DateTime."_s.arg(filter);
    const qint64 since = QDateTime(date, time, Qt::UTC).toMSecsSinceEpoch();
    rows.clear();
    for (qsizetype i = 0; i < mailboxes.size(); ++i) {
        if (whenChangedMsecs(mailboxes.at(i).toObject()) > since)
            rows.append(i);
    }
    return std::nullopt;
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
