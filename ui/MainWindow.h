#pragma once

#include "DriftScan.h"
#include "ImportError.h"

#include <QMainWindow>
#include <QTimer>

#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QFrame;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSplitter;
class QTableView;

namespace sunset {

class AttributeComparisonModel;
class MailboxFilterProxyModel;
class MailboxTableModel;
class WritebackTicks;

// The main window: the mailbox list with search and filters on the left, the side-by-side comparison of the
// selected mailbox on the right. It does no I/O: it asks for scans through loadRequested() and is told about
// progress, results and errors by whoever loads them (app/gui's ScanLoader).
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Window geometry and state, splitter and header layouts. Returns false when nothing was saved yet.
    bool restoreSettings(QSettings& settings);
    void saveSettings(QSettings& settings) const;

    const std::shared_ptr<const DriftScan>& scan() const { return m_scan; }
    WritebackTicks* writebackSelection() const { return m_selection; }
    MailboxFilterProxyModel* mailboxFilter() const { return m_filter; }
    AttributeComparisonModel* comparisonModel() const { return m_comparison; }
    QTableView* mailboxView() const { return m_mailboxView; }
    QTableView* comparisonView() const { return m_comparisonView; }
    QString countsText() const;

    // Selects the first row (in the current sort) whose worst drift is critical; false when there is none.
    bool selectFirstCritical();
    // The files a reload reads again.
    void setSources(const ReportSources& files) { m_sources = files; }

public Q_SLOTS:
    void showScan(std::shared_ptr<const DriftScan> scan);
    void showLoadStarted(const ReportSources& files);
    void showLoadProgress(const QString& stage, double fraction);
    void showLoadError(const ImportError& error);
    void showLoadCancelled();

Q_SIGNALS:
    void loadRequested(const ReportSources& files);
    void cancelRequested();
    void scanShown();

private:
    void createActions();
    void createCentralWidget();
    void createStatusBar();
    void openSnapshots();
    void reload();
    void copyComparison();
    void applySearch();
    void onCurrentRowChanged();
    void updateShownCount();
    void updateDifferencesOnly();
    void fillAttributeFilter();
    void setLoading(bool loading);
    void showMessage(const QString& text);

    std::shared_ptr<const DriftScan> m_scan;
    ReportSources m_sources;
    bool m_sortedOnce = false;

    WritebackTicks* m_selection = nullptr;
    MailboxTableModel* m_mailboxes = nullptr;
    MailboxFilterProxyModel* m_filter = nullptr;
    AttributeComparisonModel* m_comparison = nullptr;

    QAction* m_openAction = nullptr;
    QAction* m_reloadAction = nullptr;
    QAction* m_findAction = nullptr;
    QAction* m_copyAction = nullptr;
    QAction* m_quitAction = nullptr;

    QLineEdit* m_search = nullptr;
    QTimer m_searchDebounce;
    QComboBox* m_quickFilter = nullptr;
    QComboBox* m_attributeFilter = nullptr;
    QFrame* m_messageBar = nullptr;
    QLabel* m_messageText = nullptr;
    QSplitter* m_splitter = nullptr;
    QTableView* m_mailboxView = nullptr;
    QLabel* m_detailTitle = nullptr;
    QCheckBox* m_differencesOnly = nullptr;
    QTableView* m_comparisonView = nullptr;
    QLabel* m_batchLabel = nullptr;

    QLabel* m_sourcesLabel = nullptr;
    QLabel* m_asOfLabel = nullptr;
    QLabel* m_countsLabel = nullptr;
    QLabel* m_shownLabel = nullptr;
    QLabel* m_progressLabel = nullptr;
    QProgressBar* m_progressBar = nullptr;
    QPushButton* m_cancelButton = nullptr;
};

} // namespace sunset
