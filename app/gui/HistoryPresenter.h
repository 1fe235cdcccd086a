// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"
#include "HistoryView.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace sunset {

class BatchChangesModel;
class HistoryExportRunner;
class HistoryTableModel;
class SavePathChooser;

// Fills the history window from the store (batches, changes, scans narrowed by its filter) and writes the
// exports (CSV and JSON of what the filter shows, LDIF and PDF of the selected batch) on a worker thread
// (HistoryExportRunner), with progress and cancel in the window; `exported` follows once the file is in place.
// Undo and open are passed on to BatchFlow, which owns the review. Where an export goes is asked through savePaths.
class HistoryPresenter final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPresenter)

public:
    HistoryPresenter(HistoryStore& store, std::shared_ptr<SavePathChooser> savePaths, QWidget* parentWindow,
                     QObject* parent = nullptr);
    ~HistoryPresenter() override;

    HistoryView* view() const { return m_view; }
    HistoryTableModel* batchesModel() const { return m_batches; }
    HistoryTableModel* changesModel() const { return m_changes; }
    HistoryTableModel* scansModel() const { return m_scans; }
    BatchChangesModel* selectedBatchChanges() const { return m_selected; }
    HistoryExportRunner* exportRunner() const { return m_exports; }

    void show();
    void showMessage(const QString& text, bool error);

public Q_SLOTS:
    void refresh();
    void showBatch(qint64 batchId);
    // Shows the window on its Scans tab with this scan selected (the filter is cleared when it hides the scan).
    void showScan(qint64 scanId);
    void exportTo(sunset::HistoryView::Export format, const QString& path);

Q_SIGNALS:
    void undoRequested(qint64 batchId);
    void openBatchRequested(qint64 batchId);
    void exported(const QString& path);

private:
    void connectExports();

    HistoryStore& m_store;
    QPointer<HistoryView> m_view;
    HistoryTableModel* m_batches = nullptr;
    HistoryTableModel* m_changes = nullptr;
    HistoryTableModel* m_scans = nullptr;
    BatchChangesModel* m_selected = nullptr;
    qint64 m_selectedId = 0;
    HistoryExportRunner* m_exports = nullptr;
    QString m_exportLabel; // what the running export writes, for its progress line
};

} // namespace sunset
