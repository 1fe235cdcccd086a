// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace sunset {

// Passes a staged run's progress on only when its stage or its whole percent changed: a file read reports its
// fraction per chunk, far more often than a label can show it, and each report that crosses threads is an event
// in the receiver's queue. Filter before crossing (the fresh scan's stages, the wizard's blocking runner).
class StageProgressFilter final {
public:
    // fraction < 0: not known (a count of entries, a stage without a file).
    bool changed(const QString& stage, double fraction)
    {
        const int percent = fraction < 0 ? -1 : int(fraction * 100);
        if (stage == m_stage && percent == m_percent)
            return false;
        m_stage = stage;
        m_percent = percent;
        return true;
    }

private:
    QString m_stage;
    int m_percent = -2;
};

} // namespace sunset
