// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace sunset {

// sunset-cli checklist, on the history database (--db FILE; default: the profile's):
//   checklist status [--json]                       each step's status and what keeps it from passing
//   checklist check STEP [--ad URI … | --tenant … | --exo FILE]   runs the step's checks and records the run
//   checklist attest STEP ITEM [--withdraw]         records (or withdraws) an attestation
//   checklist note STEP TEXT                        records a note
//   checklist override STEP --reason TEXT           records an override (the reason is required)
//   checklist export --format json|pdf --out FILE   the whole checklist for a change-advisory board
// STEP is a key (prerequisites, verification, hybrid-cleanup, uninstall, post-uninstall-cleanup) or 1..5.
// Exit codes: 0 done (check: the step passed or is overridden), 4 check: the step did not pass, 1 a source or the
// history could not be read, 2 wrong usage, 3 the export could not be written.
int runChecklistCommand(const QStringList& args, QTextStream& out, QTextStream& err);
inline constexpr int kChecklistNotPassed = 4;

} // namespace sunset
