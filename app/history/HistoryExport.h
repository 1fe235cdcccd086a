// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"

#include <QByteArray>
#include <QDate>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace sunset {

// What part of the history an export covers. Every field narrows; an empty filter exports everything.
struct HistoryExportFilter {
    std::optional<QDate> since; // inclusive, UTC date
    std::optional<QDate> until; // inclusive, UTC date
    qint64 batchId = 0;         // 0: all batches (with a batch, scans and decisions not tied to it are left out)
    QString object;             // DN or UPN substring, case-insensitive (scans are kept, their items filtered)
};

// The JSON export's format name and version (documented in docs/formats.md).
inline constexpr QLatin1StringView kHistoryJsonFormat{"sunset.history"};
inline constexpr int kHistoryJsonVersion = 1;

// History as CSV (RFC 4180: CRLF line ends, every cell quoted, UTF-8). One table, one row per record, the
// first column saying which record ("scan", "decision", "batch", "change", "event"); columns:
//   record,id,at_utc,os_user,bind_identity,scan_id,batch_id,dn,attribute,state,before,after,ldap_code,detail,hash,
//   cloud_managed
// ("drift" rows, one per item of a scan naming --object, follow their scan; "hash" is an event's chained hash;
// cloud_managed is "true"/"false" on drift and change rows). Cells as models/CsvCell writes them: values one per
// line, formulas defused.
HistoryResult<QByteArray> historyCsv(const HistoryStore& store, const HistoryExportFilter& filter);

// History as JSON: {"format": "sunset.history", "version": 1, "exportedUtc", "database", "auditHead":
// {"events", "hash", "intact"}, "scans": [...], "decisions": [...], "batches": [{..., "changes": [...]}],
// "events": [...]}. auditHead is the anchor for `sunset-cli history verify --expect-head HASH:COUNT`.
HistoryResult<QByteArray> historyJson(const HistoryStore& store, const HistoryExportFilter& filter);

// One batch as the LDIF change file that ldapmodify and ldifde accept: batchLdifExport(), with the batch's LDAP
// modifies in app/writeback/BatchModifies.h (the history itself does not speak LDAP).

// Told how far a long export got: (pages done, pages in all), (0, 0) while the total is not known yet. Returning
// false cancels the export: nothing is written. Called on the exporting thread.
using HistoryExportProgress = std::function<bool(int done, int total)>;

// A printable report of one batch, A4, through QPdfWriter: who created and approved it (OS user and bind
// identity), when, its state, every object's changes (before -> after) with result code and message, the
// counts, and the audit log's head hash. Needs a QGuiApplication (fonts); may run on a worker thread (its own
// store connection). Written through OwnerOnlyFile, so a cancelled or failed export leaves no file. About 0.7 ms
// per change on the development VM: a 20,000-change batch takes 15 s, hence the progress.
HistoryResult<void> writeBatchReportPdf(const HistoryStore& store, qint64 batchId, const QString& path,
                                        const HistoryExportProgress& progress = {});

// Writes bytes to path owner-only (0600) through OwnerOnlyFile (platform/): a crash never leaves half a file.
HistoryResult<void> writeExportFile(const QString& path, const QByteArray& bytes);

} // namespace sunset
