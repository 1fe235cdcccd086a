// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "ImportError.h"

#include <QString>

namespace sunset {

// Where the checklist is recorded (the history database, in app/history's ChecklistStore). The wizard and the
// CLI only see this, so they can be tested over any store and ui/ does not depend on app/. Every call records
// who and when; nothing recorded is ever changed or removed (a withdrawn attestation is a new record).
class ChecklistJournal {
public:
    virtual ~ChecklistJournal() = default;

    virtual Expected<Checklist, QString> load() const = 0;
    virtual Expected<void, QString> recordRun(ChecklistStep step, const ChecklistRun& run) = 0;
    virtual Expected<void, QString> recordAttestation(ChecklistStep step, const QString& item, bool given) = 0;
    virtual Expected<void, QString> recordNote(ChecklistStep step, const QString& text) = 0;
    // Refused (with the reason why) when checkOverrideReason refuses the reason.
    virtual Expected<void, QString> recordOverride(ChecklistStep step, const QString& reason) = 0;
    // "osUser (bindIdentity)": the name runs and records carry.
    virtual QString actorName() const = 0;
};

} // namespace sunset
