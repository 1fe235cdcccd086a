// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "ImportError.h"

#include <QDateTime>
#include <QString>

namespace sunset {

// The decommission checklist as a report for a change-advisory board: sunset-cli checklist export and the wizard's
// export write the same files.

// The report as a PDF (through QtGui's QPdfWriter; needs a QGuiApplication) and as JSON, written atomically and
// owner-only; a failure says why, naming the file.
Expected<void, QString> writeChecklistPdf(const Checklist& checklist, const QString& path, const QString& generatedBy);
Expected<void, QString> writeChecklistJson(const Checklist& checklist, const QString& path, const QString& generatedBy);

// A finding's level as the report and sunset-cli name it ("OK", "Not read", …).
QString checklistLevelTitle(FindingLevel level);
// "2026-05-04 09:30 UTC, admin@contoso.com": when and by whom something was recorded.
QString checklistStamp(const QDateTime& at, const QString& by);

} // namespace sunset
