// SPDX-License-Identifier: Apache-2.0
#include "RequestPacer.h"

#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace sunset {

RequestPacer::RequestPacer(int requests, qint64 windowMsecs)
    : m_requests(std::max(1, requests))
    , m_windowMsecs(std::max<qint64>(0, windowMsecs))
    , m_waiter([](qint64 delayMsecs, QObject* context, std::function<void()> then) {
        QTimer::singleShot(int(std::min<qint64>(delayMsecs, 24 * 3600 * 1000)), context, std::move(then));
    })
{
}

qint64 RequestPacer::nextSlot(qint64 now) const
{
    if (int(m_sent.size()) < m_requests)
        return now;
    // The request `requests` back must have left the window before another goes.
    return std::max(now, m_sent[m_sent.size() - size_t(m_requests)] + m_windowMsecs);
}

qint64 RequestPacer::delayIfSentNow() const
{
    const qint64 now = m_clock->nowMsecs();
    return nextSlot(now) - now;
}

void RequestPacer::acquire(QObject* context, std::function<void()> then)
{
    const qint64 now = m_clock->nowMsecs();
    const qint64 slot = nextSlot(now);
    m_sent.push_back(slot);
    while (int(m_sent.size()) > m_requests)
        m_sent.pop_front();
    m_lastDelayMsecs = slot - now;
    m_totalDelayMsecs += m_lastDelayMsecs;
    m_delayed += m_lastDelayMsecs > 0;
    m_waiter(m_lastDelayMsecs, context, std::move(then));
}

} // namespace sunset
