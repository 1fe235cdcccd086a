// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace sunset {

// Exchange Online's admin API reports the caller's request budget on every answer: Rate-Limit-Limit,
// Rate-Limit-Remaining and Rate-Limit-Reset (an ISO 8601 UTC time) [observed in captured answers,
// ../shared/reference/cloud-wire.md §3; Microsoft documents neither the headers nor the budget, and documents no
// other names for them]. Every pager reading the tenant shares one gate: each answer's headers go in, and a request
// about to be sent while the budget is down to the reserve (the requests other slices may have in flight) waits for
// the reset instead of being refused with 429. Answers arrive out of order across slices, so the gate keeps the
// lowest Remaining seen for the latest Reset.
class RateLimitGate final {
public:
    explicit RateLimitGate(int reserve = 1)
        : m_reserve(reserve)
    {
    }

    void setReserve(int reserve) { m_reserve = reserve; }
    void observe(QByteArrayView remaining, QByteArrayView reset);
    // How long a request must wait now (0: send), at most maxWaitMsecs.
    qint64 delayMsecs(qint64 nowMsecs, qint64 maxWaitMsecs) const;
    void notePaced(qint64 msecs)
    {
        ++m_pacedRequests;
        m_pacedMsecs += msecs;
    }

    int pacedRequests() const { return m_pacedRequests; } // requests that waited for a reset
    qint64 pacedMsecs() const { return m_pacedMsecs; }

private:
    int m_reserve;
    qint64 m_remaining = -1; // -1: no budget reported yet
    qint64 m_resetMsecs = 0;
    int m_pacedRequests = 0;
    qint64 m_pacedMsecs = 0;
};

} // namespace sunset
