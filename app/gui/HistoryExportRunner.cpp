// SPDX-License-Identifier: Apache-2.0
#include "HistoryExportRunner.h"

#include "BatchModifies.h"

namespace sunset {

namespace {

// The export itself, on the worker thread: written, or an error (also when cancelled).
HistoryResult<void> writeExport(const HistoryStore& store, HistoryView::Export format,
                                const HistoryExportFilter& filter, qint64 batchId, const QString& path,
                                const HistoryExportProgress& progress)
{
    HistoryResult<QByteArray> bytes = QByteArray();
    switch (format) {
    case HistoryView::Export::Csv:
        bytes = historyCsv(store, filter);
        break;
    case HistoryView::Export::Json:
        bytes = historyJson(store, filter);
        break;
    case HistoryView::Export::Ldif:
        bytes = batchLdifExport(store, batchId);
        break;
    case HistoryView::Export::Pdf:
        return writeBatchReportPdf(store, batchId, path, progress);
    }
    if (!bytes)
        return bytes.error();
    if (!progress(0, 0)) // cancelled while the bytes were gathered: the file is not touched
        return HistoryError{};
    return writeExportFile(path, bytes.value());
}

} // namespace

HistoryExportRunner::HistoryExportRunner(QObject* parent)
    : QObject(parent)
{
}

HistoryExportRunner::~HistoryExportRunner() = default;

void HistoryExportRunner::cancel()
{
    if (m_running)
        m_task.cancel();
}

bool HistoryExportRunner::start(const QString& historyPath, const HistoryActor& actor, HistoryView::Export format,
                                const HistoryExportFilter& filter, qint64 batchId, const QString& path)
{
    if (m_running)
        return false;
    // The work's last word (run on this thread once it has returned) ends the run.
    m_running = m_task.start(
        [this, historyPath, actor, format, filter, batchId, path, gate = m_gate](TaskControl& task) -> TaskOutcome {
            HistoryResult<void> written;
            if (auto store = HistoryStore::open(historyPath, actor)) {
                const HistoryExportProgress pageDone = [this, &task, &gate](int done, int total) {
                    task.post([this, done, total] { Q_EMIT progress(done, total); });
                    if (gate)
                        gate(done, total);
                    return !task.isCanceled();
                };
                written = writeExport(*store.value(), format, filter, batchId, path, pageDone);
            } else {
                written = store.error();
            }
            const bool wasCancelled = !written && task.isCanceled();
            return [this, written, wasCancelled, path] {
                m_running = false;
                if (wasCancelled)
                    Q_EMIT cancelled(path);
                else if (!written)
                    Q_EMIT failed(written.error().message);
                else
                    Q_EMIT finished(path);
            };
        });
    return m_running;
}

} // namespace sunset
