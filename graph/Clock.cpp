// SPDX-License-Identifier: Apache-2.0
#include "Clock.h"

#include <QDateTime>

namespace sunset {

namespace {

class SystemClock final : public Clock {
public:
    qint64 nowMsecs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

} // namespace

const Clock& Clock::system()
{
    static const SystemClock clock;
    return clock;
}

} // namespace sunset
