// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDate>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QAbstractItemModel;
class QCheckBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace sunset {

class SavePathChooser;

// The history window: scans, batches and changes in three tables narrowed by one filter (date range, batch,
// object text), export buttons (CSV, JSON, LDIF, PDF), "Undo batch…" and "Open batch…" for the batch selected.
// It does no I/O: the tables' models come from the caller, which listens to the signals (app/gui's
// HistoryPresenter). Export paths are asked through the SavePathChooser it is given (the file dialog; a test's
// scripted paths).
class HistoryView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryView)

public:
    enum class Export { Csv, Json, Ldif, Pdf };
    enum Tab : int { BatchesTab, ChangesTab, ScansTab };
    struct Filter {
        std::optional<QDate> since;
        std::optional<QDate> until;
        qint64 batchId = 0; // 0: all
        QString object;
    };
    // Models' column 0 carries the record's id in this role (batches: the batch id).
    static constexpr int IdRole = Qt::UserRole + 40;

    explicit HistoryView(std::shared_ptr<SavePathChooser> savePaths, QWidget* parent = nullptr);
    ~HistoryView() override;

    void setModels(QAbstractItemModel* batches, QAbstractItemModel* changes, QAbstractItemModel* scans);
    // The changes of the batch selected in the batches table (the caller fills it on batchSelected).
    void setBatchChangesModel(QAbstractItemModel* model);
    void setDatabasePath(const QString& path);
    void showMessage(const QString& text, bool error = false);
    // An export being written: a line above the buttons with what is written, a progress bar (busy while total is
    // 0) and Cancel (exportCancelRequested); the export buttons wait until endExportProgress.
    void showExportProgress(const QString& what, int done, int total);
    void endExportProgress();
    bool isExporting() const;

    Filter filter() const;
    void setFilter(const Filter& filter);
    qint64 selectedBatchId() const; // the batch selected in the batches table, else the filter's batch, else 0
    QTabWidget* tabs() const { return m_tabs; }
    QTableView* table(Tab tab) const;
    // Shows the tab and selects the row whose record has this id (IdRole); false when it is not listed.
    bool selectRecord(Tab tab, qint64 id);

    // Asks where to save (the chooser's file dialog, opened, not exec'd) and emits exportRequested with the path.
    void requestExport(Export format);

Q_SIGNALS:
    void filterChanged();
    void exportRequested(sunset::HistoryView::Export format, const QString& path);
    void exportCancelRequested();
    void undoRequested(qint64 batchId);
    void openBatchRequested(qint64 batchId);
    void refreshRequested();
    void batchSelected(qint64 batchId); // 0: none

private:
    QTableView* makeTable(const QString& name);
    void updateButtons();

    std::shared_ptr<SavePathChooser> m_savePaths;
    QCheckBox* m_useSince = nullptr;
    QDateEdit* m_since = nullptr;
    QCheckBox* m_useUntil = nullptr;
    QDateEdit* m_until = nullptr;
    QSpinBox* m_batch = nullptr;
    QLineEdit* m_object = nullptr;
    QTabWidget* m_tabs = nullptr;
    QTableView* m_batches = nullptr;
    QTableView* m_changes = nullptr;
    QTableView* m_scans = nullptr;
    QLabel* m_batchTitle = nullptr;
    QTableView* m_batchChanges = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_database = nullptr;
    QWidget* m_exportRow = nullptr;
    QLabel* m_exportLabel = nullptr;
    QProgressBar* m_exportBar = nullptr;
    QPushButton* m_csv = nullptr;
    QPushButton* m_json = nullptr;
    QPushButton* m_ldif = nullptr;
    QPushButton* m_pdf = nullptr;
    QPushButton* m_undo = nullptr;
    QPushButton* m_open = nullptr;
    qint64 m_keptBatch = 0;
};

} // namespace sunset
