// SPDX-License-Identifier: Apache-2.0
#include "RateLimitGate.h"

#include <QDateTime>
#include <QString>

#include <algorithm>

namespace sunset {

void RateLimitGate::observe(QByteArrayView remaining, QByteArrayView reset)
{
    bool ok = false;
    const qint64 left = remaining.toByteArray().trimmed().toLongLong(&ok);
    if (!ok || left < 0)
        return; // a header we cannot read paces nothing; the 429 path still holds
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(reset).trimmed(), Qt::ISODateWithMs);
    const qint64 resetMsecs = when.isValid() ? when.toMSecsSinceEpoch() : 0;
    if (resetMsecs > m_resetMsecs) { // a new window: its figure replaces the old one
        m_resetMsecs = resetMsecs;
        m_remaining = left;
    } else if (resetMsecs == m_resetMsecs || resetMsecs == 0) {
        m_remaining = m_remaining < 0 ? left : std::min(m_remaining, left);
    }
}

qint64 RateLimitGate::delayMsecs(qint64 nowMsecs, qint64 maxWaitMsecs) const
{
    if (m_remaining < 0 || m_remaining > m_reserve || m_resetMsecs <= nowMsecs)
        return 0;
    return std::min(m_resetMsecs - nowMsecs, maxWaitMsecs);
}

} // namespace sunset
