// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"

#include <QObject>

#include <deque>
#include <functional>

namespace sunset {

// Spaces requests so that no more than `requests` are sent in any `windowMsecs`, client-side, for an API whose
// throttle is published (the provisioning log: 5 requests per 10 s per app and tenant [documented: Graph
// throttling limits]), so that a scan does not provoke 429s it then has to wait out; a 429 that comes anyway is
// still honoured by the CloudPager. One pacer is shared by every request under the same throttle. Times are read
// on a Clock; the wait itself is a timer, replaceable by tests (which move a ManualClock instead of waiting).
class RequestPacer final {
public:
    // Runs `then` after delayMsecs (0: at once, still queued), unless context is gone.
    using Waiter = std::function<void(qint64 delayMsecs, QObject* context, std::function<void()> then)>;

    RequestPacer(int requests, qint64 windowMsecs);

    void setClock(const Clock& clock) { m_clock = &clock; }
    void setWaiter(Waiter waiter) { m_waiter = std::move(waiter); }

    // Takes the next free slot and runs `then` when it comes.
    void acquire(QObject* context, std::function<void()> then);
    // The wait before the next request if it were taken now (0 when a slot is free). Takes nothing.
    qint64 delayIfSentNow() const;

    int requests() const { return m_requests; }
    qint64 windowMsecs() const { return m_windowMsecs; }
    qint64 lastDelayMsecs() const { return m_lastDelayMsecs; }   // -1 before the first acquire
    qint64 totalDelayMsecs() const { return m_totalDelayMsecs; } // all waits scheduled so far
    int delayedRequests() const { return m_delayed; }            // how many had to wait

private:
    qint64 nextSlot(qint64 now) const;

    int m_requests;
    qint64 m_windowMsecs;
    const Clock* m_clock = &Clock::system();
    Waiter m_waiter;
    std::deque<qint64> m_sent; // the slots of the last `requests` requests, oldest first
    qint64 m_lastDelayMsecs = -1;
    qint64 m_totalDelayMsecs = 0;
    int m_delayed = 0;
};

} // namespace sunset
