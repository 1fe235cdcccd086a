// SPDX-License-Identifier: Apache-2.0
#include "ExoRescan.h"

#include "MailboxCache.h"

#include <QDateTime>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kDayMsecs = 24LL * 3600 * 1000;

QString days(qint64 msecs)
{
    return QString::number(double(msecs) / double(kDayMsecs), 'f', 1);
}

} // namespace

ExoReadPlan planExoRead(const ExoRescanPolicy& policy, const ExoRescanCursor& cursor, const QString& tenant,
                        const QString& exoEndpoint, bool filterSupported, bool graphDelta, bool graphResynced,
                        qint64 nowMsecs)
{
    ExoReadPlan full;
    auto because = [&full](QString reason) {
        full.fullReason = std::move(reason);
        return full;
    };
    if (policy.cacheDirectory.isEmpty())
        return because(u"no profile directory to keep the mailboxes in"_s);
    if (policy.forceFull)
        return because(u"a full read was asked for"_s);
    if (!policy.fullReason.isEmpty())
        return because(policy.fullReason);
    if (!cursor.isSet())
        return because(u"no earlier complete scan is kept for this profile"_s);
    if (cursor.tenant.compare(tenant, Qt::CaseInsensitive) != 0)
        return because(u"the kept scan is of tenant %1, not %2"_s.arg(cursor.tenant, tenant));
    if (cursor.exoEndpoint != exoEndpoint)
        return because(u"the kept scan read another Exchange Online endpoint or API (%1)"_s.arg(cursor.exoEndpoint));
    if (cursor.cacheFormat != MailboxCache::kFormat)
        return because(u"the kept mailboxes were written by another Sunset version (format %1, this one reads %2)"_s
                           .arg(cursor.cacheFormat)
                           .arg(MailboxCache::kFormat));
    // Only InvokeCommand runs Get-Mailbox with -Filter; the documented v2.0 Mailbox endpoint lists no Filter
    // parameter [D: Learn admin-api-endpoints-mailbox].
    if (!filterSupported)
        return because(u"the v2.0 Mailbox endpoint takes no -Filter (use the InvokeCommand API for rescans)"_s);
    // Deletions come from Graph's delta round: without one since the previous scan they cannot be told.
    if (graphResynced)
        return because(u"Graph's delta link expired (410 Gone), so deleted users cannot be told"_s);
    if (!graphDelta)
        return because(u"Graph users were not read by delta, so deleted users cannot be told"_s);
    if (cursor.readStartedMsecs <= 0 || cursor.readStartedMsecs > nowMsecs)
        return because(u"the kept scan's time is in the future (the clock was changed)"_s);
    const qint64 sinceFull = nowMsecs - cursor.lastFullReadMsecs;
    if (policy.fullEveryDays > 0 && sinceFull >= policy.fullEveryDays * kDayMsecs)
        return because(u"the last full read is %1 days old; a full read reconciles every %2 days"_s.arg(days(sinceFull))
                           .arg(policy.fullEveryDays));
    if (policy.fullEveryRescans > 0 && cursor.rescansSinceFull >= policy.fullEveryRescans)
        return because(
            u"%1 rescans since the last full read; a full read reconciles every %2"_s.arg(cursor.rescansSinceFull)
                .arg(policy.fullEveryRescans));
    ExoReadPlan plan;
    plan.incremental = true;
    plan.changedSinceMsecs = cursor.readStartedMsecs - qint64(std::max(0, policy.marginMinutes)) * 60 * 1000;
    return plan;
}

QString whenChangedFilter(qint64 sinceMsecs)
{
    // OPATH date values are read in en-US form, as the documented examples write them
    // ('8/1/2026 2:00:00 PM') [D: filter-properties, recipient-filters]. Exchange parses them with the culture
    // of the session; the REST admin API's session culture being en-US whatever the caller's locale is [A]
    // (a de-DE session reads 'd.M.yyyy'): so the text is built by hand here, never by the local locale.
    const QDateTime at = QDateTime::fromMSecsSinceEpoch((sinceMsecs / 1000 - 1) * 1000, Qt::UTC);
    const QDate d = at.date();
    const QTime t = at.time();
    const int hour12 = t.hour() % 12 == 0 ? 12 : t.hour() % 12;
    return u"WhenChangedUTC -gt '%1/%2/%3 %4:%5:%6 %7'"_s.arg(d.month())
        .arg(d.day())
        .arg(d.year())
        .arg(hour12)
        .arg(t.minute(), 2, 10, QChar(u'0'))
        .arg(t.second(), 2, 10, QChar(u'0'))
        .arg(t.hour() < 12 ? u"AM"_s : u"PM"_s);
}

} // namespace sunset
