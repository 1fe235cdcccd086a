// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AboutDialog.h"
#include "ConnectionProfile.h"
#include "DecommissionWizardFactory.h"
#include "DriftScan.h"
#include "ImportError.h"
#include "RollbackImpactDialog.h"
#include "ScanDifference.h"
#include "ScanProgress.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QFrame;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSettings;
class QToolBar;
class QSplitter;
class QTableView;
class QUrl;

namespace sunset {

class AttributeComparisonModel;
class MailboxFilterProxyModel;
class MailboxTableModel;
class OverviewWidget;
class WritebackPanel;
class WritebackTicks;
struct ScanTrendPoint;

// The main window: the mailbox list with search and filters on the left, the side-by-side comparison of the
// selected mailbox on the right. It does no I/O: it asks for scans through loadRequested() and is told about
// progress, results and errors by whoever loads them (app/gui's ScanLoader). Sources are chosen in the
// ConnectionDialog; both sides of a scan show their own progress while it runs.
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
    OverviewWidget* overview() const { return m_overview; }
    WritebackPanel* writebackPanel() const { return m_writebackPanel; }
    QString countsText() const;
    const ConnectionProfile& profile() const { return m_profile; }

    // Selects the first row (in the current sort) whose worst drift is critical; false when there is none.
    bool selectFirstCritical();
    // Makes this row of the scan (DriftScan::rows()) the current mailbox, clearing the search and filters when they
    // hide it; false when the scan has no such row.
    bool selectScanRow(int scanRow);
    // The files a reload reads again.
    void setSources(const ReportSources& files) { setProfile(ConnectionProfile::fromFiles(files)); }
    // The sources a rescan (F5) reads again; a live source asks for its secret again.
    void setProfile(const ConnectionProfile& profile);
    // Where connection profiles are kept; the default QSettings when not set.
    void setProfileSettings(QSettings* settings) { m_profileSettings = settings; }
    // What Help › About Sunset shows (app/ knows the build and the libraries).
    void setAboutFacts(AboutFacts facts) { m_about = std::move(facts); }
    // A menu for a feature wired from outside (app/gui's batch flow), placed before Help, which stays last.
    QMenu* addFeatureMenu(const QString& title);
    // A feature's actions on the main toolbar, after Open and Reload (before the panels' toggles).
    void addToolBarActions(const QList<QAction*>& actions);
    // Shows or hides the drift overview / the Writeback panel, as their View menu toggles do.
    void setOverviewShown(bool shown);
    void setWritebackPanelShown(bool shown);
    // How Tools › Decommission wizard makes its wizard (app/ knows the history); without one the action says so.
    void setDecommissionWizardFactory(DecommissionWizardFactory factory) { m_decommissionFactory = std::move(factory); }
    // Where Tools › Rollback impact writes its exports (app/ writes them owner-only).
    void setRollbackImpactWriter(RollbackImpactDialog::Writer writer) { m_rollbackWriter = std::move(writer); }
    // Tools › Rollback impact: the scan's cloud values that setting IsExchangeCloudManaged back to False would lose.
    RollbackImpactDialog* openRollbackImpact();
    // Drift over the last scans (oldest first), for the overview's trend.
    void setScanTrend(const QList<ScanTrendPoint>& points);
    // What changed since the previous scan of the profile, worked out (from the history) for `scan`; ignored
    // unless that scan is still the one shown. Marks new drift and feeds the "New since last scan" filter.
    void setSinceScan(const DriftScan* scan, std::shared_ptr<const SinceScan> since);

public Q_SLOTS:
    // nameOrder: locale-aware name ranks from ScanLoader (MailboxTableModel::collateNames); optional.
    void showScan(std::shared_ptr<const sunset::DriftScan> scan,
                  std::shared_ptr<const std::vector<quint32>> nameOrder = {});
    void showLoadStarted(const sunset::ConnectionProfile& profile);
    void showSideProgress(sunset::ScanSide side, const sunset::SideProgress& progress);
    void showComparing();
    void showLoadError(const sunset::ImportError& error);
    void showLoadCancelled();
    void showDeviceCode(const QString& userCode, const QUrl& verificationUri, const QString& message,
                        qint64 expiresInSeconds);
    void hideDeviceCode(); // signed in, or the scan ended

Q_SIGNALS:
    void scanRequested(const sunset::ScanRequest& request);
    void cancelRequested();
    void scanShown();

private:
    void createActions();
    void createCentralWidget();
    void createStatusBar();
    void createScanPanel(QWidget* parent);
    QDockWidget* addPanelDock(const QString& title, const QString& name, QWidget* panel, Qt::DockWidgetArea area,
                              int size, QAction* action);
    void createOverviewDock();
    void createWritebackDock();
    void openConnection();
    void reload();
    void showShortcuts();
    void copyComparison();
    void applySearch();
    void onCurrentRowChanged();
    void updateShownCount();
    void updateDifferencesOnly();
    void fillAttributeFilter();
    void fillCauseFilter();
    void setLoading(bool loading);
    void showMessage(const QString& text);

    std::shared_ptr<const DriftScan> m_scan;
    ConnectionProfile m_profile;
    AboutFacts m_about;
    RollbackImpactDialog::Writer m_rollbackWriter;
    QSettings* m_profileSettings = nullptr;
    bool m_sortedOnce = false;
    bool m_loading = false;
    std::pair<const DriftScan*, int> m_keepCurrent{nullptr, -1}; // across a filter reset: scan and source row

    WritebackTicks* m_selection = nullptr;
    MailboxTableModel* m_mailboxes = nullptr;
    MailboxFilterProxyModel* m_filter = nullptr;
    AttributeComparisonModel* m_comparison = nullptr;

    QAction* m_openAction = nullptr;
    QAction* m_reloadAction = nullptr;
    QAction* m_findAction = nullptr;
    QAction* m_copyAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QAction* m_overviewAction = nullptr;
    QAction* m_writebackAction = nullptr;
    QAction* m_nextCriticalAction = nullptr;
    QAction* m_focusListAction = nullptr;
    QAction* m_shortcutsAction = nullptr;
    QMenu* m_helpMenu = nullptr;

    QLineEdit* m_search = nullptr;
    QTimer m_searchDebounce;
    QComboBox* m_quickFilter = nullptr;
    QComboBox* m_attributeFilter = nullptr;
    QComboBox* m_causeFilter = nullptr;
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
    QLabel* m_sinceLabel = nullptr;
    QLabel* m_countsLabel = nullptr;
    QLabel* m_shownLabel = nullptr;
    QFrame* m_scanPanel = nullptr;
    struct SideRow {
        QLabel* title = nullptr;
        QProgressBar* bar = nullptr;
        QLabel* detail = nullptr;
    };
    SideRow m_sideRows[2]; // indexed by ScanSide
    QLabel* m_comparingLabel = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QDockWidget* m_overviewDock = nullptr;
    OverviewWidget* m_overview = nullptr;
    QDockWidget* m_writebackDock = nullptr;
    WritebackPanel* m_writebackPanel = nullptr;
    QToolBar* m_mainToolBar = nullptr;
    DecommissionWizardFactory m_decommissionFactory;
    QPointer<QDialog> m_deviceCodeDialog;
};

} // namespace sunset
