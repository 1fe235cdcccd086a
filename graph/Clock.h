// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace sunset {

// The time the cloud clients read (token renewal, client assertions, HTTP-date Retry-After): the real clock
// unless a test sets its own, so that "the token has expired" or "Retry-After names a date 30 s ahead" can be
// asserted without waiting for real time to pass. Timers still run on real time; what they were set to is
// observable instead (CloudPager::lastRetryDelayMsecs).
class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 nowMsecs() const = 0; // UTC, milliseconds since the Unix epoch
    qint64 nowSecs() const { return nowMsecs() / 1000; }

    static const Clock& system(); // QDateTime::currentMSecsSinceEpoch()

protected:
    Clock() = default;
    Clock(const Clock&) = default;
    Clock& operator=(const Clock&) = default;
};

// A clock that stands still until moved: for tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMsecs)
        : m_now(startMsecs)
    {
    }
    qint64 nowMsecs() const override { return m_now; }
    void advanceMsecs(qint64 msecs) { m_now += msecs; }

private:
    qint64 m_now;
};

} // namespace sunset
