// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryExport.h"
#include "HistoryView.h"
#include "platform/BackgroundTask.h"

#include <QObject>

#include <functional>

namespace sunset {

// Writes one history export (CSV, JSON, a batch's LDIF or PDF report) on a worker thread with its own connection
// to the history database, so the window stays responsive while a big batch's report is laid out (15 s for
// 20,000 changes). Progress and the outcome come back as queued signals; cancel stops a PDF at its next page and
// any export before its file is put in place, so a cancelled export leaves no file. One export at a time.
class HistoryExportRunner final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryExportRunner)

public:
    explicit HistoryExportRunner(QObject* parent = nullptr);
    ~HistoryExportRunner() override; // m_task cancels and waits: the worker posts to this object

    bool isRunning() const { return m_running; }
    // batchId is the batch an LDIF or PDF export covers; CSV and JSON take the filter. False while one runs.
    bool start(const QString& historyPath, const HistoryActor& actor, HistoryView::Export format,
               const HistoryExportFilter& filter, qint64 batchId, const QString& path);
    void cancel();

    // Runs on the worker each time the export reports progress (the PDF's pages), after the report is posted and
    // before cancel is looked at: a test holds an export there to press Cancel while it provably runs. Taken by
    // the exports started after it is set; the app sets none.
    using ProgressGate = std::function<void(int done, int total)>;
    void setProgressGate(ProgressGate gate) { m_gate = std::move(gate); }

Q_SIGNALS:
    void progress(int done, int total); // PDF pages; (0, 0) while the total is not known
    void finished(const QString& path);
    void failed(const QString& message);
    void cancelled(const QString& path);

private:
    bool m_running = false;
    ProgressGate m_gate;
    BackgroundTask<TaskOutcome> m_task{this, QStringLiteral("sunset-history-export")};
};

} // namespace sunset
