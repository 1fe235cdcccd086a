// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"
#include "DecommissionWizard.h"

#include "AttributeComparisonModel.h"
#include "ConnectionDialog.h"
#include "DeviceCodeDialog.h"
#include "ElidingLabel.h"
#include "HighlightingDelegate.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "OverviewWidget.h"
#include "UiLogging.h"
#include "WritebackPanel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QGridLayout>
#include <QInputDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

// The icons are in a static library: register them before the first use (Q_INIT_RESOURCE works at global scope only).
static void initSunsetResources()
{
    Q_INIT_RESOURCE(sunset);
}

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The toolbar's filter boxes keep a fixed, modest width (the longest catalog name or cause key with its count
// would push the cause filter into the toolbar's overflow at the 1500-px window a new user gets); their lists
// open as wide as their longest item (widenPopupToItems).
void fitToolBarCombo(QComboBox* combo)
{
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(16);
}

void widenPopupToItems(QComboBox* combo)
{
    combo->view()->setMinimumWidth(combo->view()->sizeHintForColumn(0) + 2 * combo->view()->frameWidth() + 24);
}

// A time for the status bar: the time alone when it is today, else the short date and time (the tooltip has it
// in full).
QString compactTime(const QDateTime& t, const QDateTime& now)
{
    const QLocale l;
    return t.date() == now.date() ? l.toString(t.time(), QLocale::ShortFormat) : l.toString(t, QLocale::ShortFormat);
}
constexpr int kSearchDebounceMs = 200;
constexpr auto kGeometryKey = "mainWindow/geometry"_L1;
constexpr auto kStateKey = "mainWindow/state"_L1;
constexpr auto kSplitterKey = "mainWindow/splitter"_L1;
constexpr auto kMailboxHeaderKey = "mainWindow/mailboxHeader"_L1;
constexpr auto kComparisonHeaderKey = "mainWindow/comparisonHeader"_L1;
constexpr auto kDifferencesOnlyKey = "mainWindow/differencesOnly"_L1;
constexpr auto kSourcesKey = "sources/"_L1;

// A theme icon where the desktop has one, else Sunset's own (resources/icons, PNG so no Qt Svg is needed).
QIcon icon(const QString& themeName, const QString& fallback)
{
    return QIcon::fromTheme(themeName, QIcon(u":/icons/"_s + fallback + u".png"_s));
}

QString formatRate(double perSecond, SideProgress::Unit unit)
{
    const QLocale l;
    if (unit == SideProgress::Unit::Bytes)
        return QCoreApplication::translate("sunset::MainWindow", "%1/s").arg(l.formattedDataSize(qint64(perSecond)));
    return QCoreApplication::translate("sunset::MainWindow", "%1/s").arg(l.toString(qint64(perSecond)));
}
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    initSunsetResources();
    setWindowTitle(tr("Sunset — Exchange Online and Active Directory drift"));
    setWindowIcon(QIcon(u":/icons/sunset.png"_s));
    m_selection = new WritebackTicks(this);
    m_mailboxes = new MailboxTableModel(this);
    m_filter = new MailboxFilterProxyModel(this);
    m_filter->setSourceModel(m_mailboxes);
    m_comparison = new AttributeComparisonModel(this);
    m_comparison->setWritebackSelection(m_selection);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(kSearchDebounceMs);
    connect(&m_searchDebounce, &QTimer::timeout, this, &MainWindow::applySearch);

    createActions();
    createCentralWidget();
    createStatusBar();

    connect(m_selection, &WritebackTicks::changed, this, [this] {
        m_batchLabel->setText(
            m_selection->size() == 0 ? QString()
            : m_selection->size() == 1
                ? tr("1 change ticked for the next batch")
                : tr("%1 changes ticked for the next batch").arg(QLocale().toString(qlonglong(m_selection->size()))));
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_openAction = file->addAction(icon(u"network-connect"_s, u"connect"_s), tr("&Connect…"), this,
                                   &MainWindow::openConnection);
    m_openAction->setObjectName(u"connectAction"_s);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(tr("Choose the AD and Exchange Online sources, files or live, and scan (Ctrl+O)"));
    m_reloadAction = file->addAction(icon(u"view-refresh"_s, u"rescan"_s), tr("&Rescan"), this, &MainWindow::reload);
    m_reloadAction->setObjectName(u"rescanAction"_s);
    m_reloadAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_reloadAction->setToolTip(tr("Read the same sources again and compare (F5)"));
    m_reloadAction->setEnabled(false);
    m_cancelAction = file->addAction(icon(u"process-stop"_s, u"stop"_s), tr("S&top scan"), this,
                                     &MainWindow::cancelRequested);
    m_cancelAction->setObjectName(u"cancelScanAction"_s);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setToolTip(tr("Stop reading both sides (Esc)"));
    m_cancelAction->setEnabled(false);
    file->addSeparator();
    m_quitAction = file->addAction(tr("&Quit"), this, &QWidget::close);
    m_quitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_findAction = edit->addAction(tr("&Find mailbox"), this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    m_findAction->setShortcut(QKeySequence::Find);
    m_copyAction = edit->addAction(QIcon::fromTheme(u"edit-copy"_s), tr("&Copy comparison"), this,
                                   &MainWindow::copyComparison);
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setToolTip(tr("Copy the side-by-side comparison as text (Ctrl+C)"));
    m_copyAction->setEnabled(false);
    edit->addSeparator();
    m_focusListAction = edit->addAction(tr("Go to mailbox &list"), this, [this] {
        m_mailboxView->setFocus(Qt::ShortcutFocusReason);
        if (!m_mailboxView->currentIndex().isValid() && m_filter->rowCount() > 0)
            m_mailboxView->setCurrentIndex(m_filter->index(0, 0));
    });
    m_focusListAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_nextCriticalAction = edit->addAction(tr("Next c&ritical mailbox"), this, [this] {
        // From the row after the current one, wrapping: F8 walks through every critical mailbox in turn.
        const int rows = m_filter->rowCount();
        const int from = m_mailboxView->currentIndex().isValid() ? m_mailboxView->currentIndex().row() + 1 : 0;
        for (int i = 0; i < rows; ++i) {
            const QModelIndex index = m_filter->index((from + i) % rows, MailboxTableModel::DisplayName);
            if (m_mailboxes->scanRow(m_filter->mapToSource(index).row()).worstSeverity == qint8(Severity::Critical)) {
                m_mailboxView->setCurrentIndex(index);
                m_mailboxView->scrollTo(index);
                return;
            }
        }
        statusBar()->showMessage(tr("No mailbox with critical drift in this list."), 3000);
    });
    m_nextCriticalAction->setShortcut(QKeySequence(Qt::Key_F8));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    using QF = MailboxFilterProxyModel::QuickFilter;
    int number = 1;
    for (QF f : {QF::All, QF::DriftOnly, QF::Critical, QF::OnlyInAd, QF::OnlyInCloud, QF::Ambiguous,
                 QF::NotCloudManaged, QF::NewSinceLastScan}) {
        QAction* a = view->addAction(MailboxFilterProxyModel::quickFilterLabel(f), this, [this, f] {
            m_quickFilter->setCurrentIndex(m_quickFilter->findData(int(f)));
        });
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + number++)));
        addAction(a);
    }
    view->addSeparator();
    QAction* differences = view->addAction(tr("&Differences only"));
    differences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    connect(differences, &QAction::triggered, this, [this] { m_differencesOnly->toggle(); });
    addAction(differences);
    m_overviewAction = view->addAction(tr("Drift &overview"));
    m_overviewAction->setObjectName(u"overviewAction"_s);
    m_overviewAction->setIcon(icon(u"office-chart-bar"_s, u"chart"_s));
    m_overviewAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_overviewAction->setToolTip(tr("Show or hide the drift overview chart (Ctrl+G)"));
    // Beside the overview: both are panels over the scan on screen, toggled with Ctrl and a letter (Alt+1 … Alt+7
    // are the list's quick filters, not panels).
    m_writebackAction = view->addAction(tr("&Writeback panel"));
    m_writebackAction->setObjectName(u"writebackAction"_s);
    m_writebackAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    m_writebackAction->setToolTip(tr("Show or hide Cloud Sync's writeback jobs and the objects it did not write back "
                                     "(Ctrl+Shift+W)"));

    QMenu* tools = menuBar()->addMenu(tr("&Tools")); // the decommission wizard (DecommissionWizard.h)
    QAction* decommission =
        tools->addAction(tr("&Decommission wizard…"), this, [this] { openDecommissionWizard(this, m_decommissionFactory); });
    decommission->setObjectName(u"decommissionAction"_s);
    decommission->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    QAction* rollback = tools->addAction(tr("&Rollback impact…"), this, [this] { openRollbackImpact(); });
    rollback->setObjectName(u"rollbackImpactAction"_s);
    rollback->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    rollback->setToolTip(tr("The cloud values lost if IsExchangeCloudManaged is set back to False"));

    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    QMenu* help = m_helpMenu;
    m_shortcutsAction = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    m_shortcutsAction->setShortcut(QKeySequence(Qt::Key_F1));
    QAction* about = help->addAction(tr("&About Sunset"), this, [this] {
        auto* dialog = new AboutDialog(m_about, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    about->setObjectName(u"aboutAction"_s);
    about->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F1)); // next to F1; the window has no What's This
    about->setMenuRole(QAction::AboutRole);

    QToolBar* bar = addToolBar(tr("Main"));
    m_mainToolBar = bar;
    bar->setObjectName(u"mainToolBar"_s);
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_openAction);
    bar->addAction(m_reloadAction);
    bar->addAction(m_overviewAction);
    bar->addAction(m_writebackAction);
    // The search and the filters have a row of their own: beside the actions they were pushed into the toolbar's
    // overflow at the 1500-px window a new user gets (and would be in any longer translation).
    addToolBarBreak();
    QToolBar* filters = addToolBar(tr("Search and filters"));
    filters->setObjectName(u"filterToolBar"_s);
    filters->setMovable(false);

    m_search = new QLineEdit(filters);
    m_search->setObjectName(u"searchEdit"_s);
    m_search->setPlaceholderText(tr("Search name, UPN, DN or any address (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(340);
    m_search->setMaximumWidth(520); // the filters stay beside it, not at the far edge of a wide window
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, &MainWindow::applySearch);
    filters->addWidget(m_search);

    auto* quickLabel = new QLabel(tr("  Show: "), filters);
    filters->addWidget(quickLabel);
    m_quickFilter = new QComboBox(filters);
    m_quickFilter->setObjectName(u"quickFilter"_s);
    m_quickFilter->setToolTip(tr("Quick filters: Alt+1 … Alt+8"));
    for (QF f : {QF::All, QF::DriftOnly, QF::Critical, QF::OnlyInAd, QF::OnlyInCloud, QF::Ambiguous,
                 QF::NotCloudManaged, QF::NewSinceLastScan})
        m_quickFilter->addItem(MailboxFilterProxyModel::quickFilterLabel(f), int(f));
    quickLabel->setBuddy(m_quickFilter);
    connect(m_quickFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setQuickFilter(QF(m_quickFilter->currentData().toInt()));
        updateShownCount();
    });
    filters->addWidget(m_quickFilter);

    filters->addWidget(new QLabel(tr("  Attribute: "), filters));
    m_attributeFilter = new QComboBox(filters);
    m_attributeFilter->setObjectName(u"attributeFilter"_s);
    m_attributeFilter->setToolTip(tr("Show only mailboxes whose drift includes this attribute"));
    fitToolBarCombo(m_attributeFilter);
    connect(m_attributeFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int id = m_attributeFilter->currentData().toInt();
        m_filter->setAttributeFilter(id < 0 ? std::nullopt : std::optional<AttributeId>(AttributeId(id)));
        updateShownCount();
    });
    filters->addWidget(m_attributeFilter);
    fillAttributeFilter();

    filters->addWidget(new QLabel(tr("  Cause: "), filters));
    m_causeFilter = new QComboBox(filters);
    m_causeFilter->setObjectName(u"causeFilter"_s);
    m_causeFilter->setToolTip(tr("Show only mailboxes with a drift item of this cause"));
    fitToolBarCombo(m_causeFilter);
    connect(m_causeFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int cause = m_causeFilter->currentData().toInt();
        m_filter->setCauseFilter(cause < 0 ? std::nullopt : std::optional<DriftCause>(DriftCause(cause)));
        updateShownCount();
    });
    filters->addWidget(m_causeFilter);
    fillCauseFilter();

    addAction(m_copyAction); // reachable while the menu bar is hidden or the focus is in a view
    addAction(m_cancelAction);
    addAction(m_nextCriticalAction);
    addAction(m_focusListAction);
}

void MainWindow::createCentralWidget()
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(6);

    // An inline bar for load errors: the admin fixes the file and reloads, no modal dialog in the way.
    m_messageBar = new QFrame(central);
    m_messageBar->setObjectName(u"messageBar"_s);
    m_messageBar->setStyleSheet(u"#messageBar { background: #fdecea; border: 1px solid #e57373; border-radius: 4px; }"_s);
    auto* messageLayout = new QHBoxLayout(m_messageBar);
    m_messageText = new QLabel(m_messageBar);
    m_messageText->setObjectName(u"messageText"_s);
    m_messageText->setWordWrap(true);
    m_messageText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(m_messageBar);
    close->setText(u"✕"_s);
    close->setAutoRaise(true);
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, m_messageBar, &QWidget::hide);
    messageLayout->addWidget(m_messageText, 1);
    messageLayout->addWidget(close, 0, Qt::AlignTop);
    m_messageBar->hide();
    layout->addWidget(m_messageBar);
    createScanPanel(central);
    layout->addWidget(m_scanPanel);

    // List above, comparison below: both get the full width, which long addresses and DNs need more than
    // the list needs height (admins reach a mailbox by search and filters, not by scrolling 600,000 rows).
    m_splitter = new QSplitter(Qt::Vertical, central);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->setChildrenCollapsible(false);

    auto* delegate = new HighlightingDelegate(this);

    m_mailboxView = new QTableView(m_splitter);
    m_mailboxView->setObjectName(u"mailboxView"_s);
    m_mailboxView->setModel(m_filter);
    m_mailboxView->setItemDelegate(delegate);
    m_mailboxView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_mailboxView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_mailboxView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_mailboxView->setAlternatingRowColors(true);
    m_mailboxView->setWordWrap(false);
    m_mailboxView->setShowGrid(false);
    m_mailboxView->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // 600,000 rows: a fixed row height means the view never asks for size hints row by row.
    m_mailboxView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_mailboxView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_mailboxView->verticalHeader()->hide();
    QHeaderView* header = m_mailboxView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    header->setSortIndicator(MailboxTableModel::Severity, Qt::DescendingOrder);
    const int widths[] = {200, 260, 150, 96, 100, 110, 500}; // Drift: room for "12 · 3 new" (new since last scan)
    for (int c = 0; c < MailboxTableModel::ColumnCount; ++c)
        header->resizeSection(c, widths[c]);
    connect(m_mailboxView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateShownCount);
    // A new search or filter resets the list (one reset beats 600,000 row removals): the mailbox being compared
    // stays current when it is still listed.
    connect(m_filter, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex source = m_filter->mapToSource(m_mailboxView->currentIndex());
        m_keepCurrent = {m_mailboxes->scan().get(), source.isValid() ? source.row() : -1};
    });
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        const auto [scan, row] = std::exchange(m_keepCurrent, {nullptr, -1});
        if (row < 0 || scan != m_mailboxes->scan().get())
            return;
        const QModelIndex index = m_filter->mapFromSource(m_mailboxes->index(row, 0));
        if (index.isValid()) {
            m_mailboxView->setCurrentIndex(index);
            m_mailboxView->scrollTo(index);
        }
    });

    auto* detail = new QWidget(m_splitter);
    auto* detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    auto* titleRow = new QHBoxLayout;
    m_detailTitle = new QLabel(detail);
    m_detailTitle->setObjectName(u"detailTitle"_s);
    QFont titleFont = m_detailTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_detailTitle->setFont(titleFont);
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailTitle->setText(tr("Select a mailbox to compare Exchange Online with Active Directory"));
    m_differencesOnly = new QCheckBox(tr("&Differences only"), detail);
    m_differencesOnly->setObjectName(u"differencesOnly"_s);
    m_differencesOnly->setToolTip(tr("Hide the attributes that agree; untick to see every catalog attribute"));
    m_differencesOnly->setChecked(true); // what the admin came for; restoreSettings() brings back their choice
    connect(m_differencesOnly, &QCheckBox::toggled, this, &MainWindow::updateDifferencesOnly);
    titleRow->addWidget(m_detailTitle, 1);
    titleRow->addWidget(m_differencesOnly);
    detailLayout->addLayout(titleRow);

    m_comparisonView = new QTableView(detail);
    m_comparisonView->setObjectName(u"comparisonView"_s);
    m_comparisonView->setModel(m_comparison);
    m_comparisonView->setItemDelegate(delegate);
    m_comparisonView->setWordWrap(true);
    m_comparisonView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_comparisonView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_comparisonView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_comparisonView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_comparisonView->verticalHeader()->hide();
    // About 34 rows: measuring each one is cheap, and multi-valued cells need their height.
    m_comparisonView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    QHeaderView* cHeader = m_comparisonView->horizontalHeader();
    cHeader->setStretchLastSection(false);
    cHeader->setHighlightSections(false);
    // The two value columns share what the attribute names and causes leave, so nothing hides to the right.
    cHeader->resizeSection(AttributeComparisonModel::Attribute, 250);
    // The cause shares the width with the values, so the overview dock beside them leaves each a fair third.
    cHeader->setSectionResizeMode(AttributeComparisonModel::LikelyCause, QHeaderView::Stretch);
    cHeader->setSectionResizeMode(AttributeComparisonModel::ExchangeOnline, QHeaderView::Stretch);
    cHeader->setSectionResizeMode(AttributeComparisonModel::ActiveDirectory, QHeaderView::Stretch);
    detailLayout->addWidget(m_comparisonView, 1);
    m_batchLabel = new QLabel(detail);
    m_batchLabel->setObjectName(u"batchLabel"_s);
    detailLayout->addWidget(m_batchLabel);

    m_splitter->addWidget(m_mailboxView);
    m_splitter->addWidget(detail);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({320, 480});
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);
    createOverviewDock();
    createWritebackDock();
}

void MainWindow::createScanPanel(QWidget* parent)
{
    // One row per side: they are read at the same time, and the admin sees which one holds the scan up.
    m_scanPanel = new QFrame(parent);
    m_scanPanel->setObjectName(u"scanPanel"_s);
    m_scanPanel->setFrameShape(QFrame::StyledPanel);
    auto* grid = new QGridLayout(m_scanPanel);
    grid->setContentsMargins(8, 6, 8, 6);
    grid->setHorizontalSpacing(10);
    const QString titles[] = {tr("Exchange Online"), tr("Active Directory")};
    const QString names[] = {u"cloud"_s, u"ad"_s};
    for (int side = 0; side < 2; ++side) {
        SideRow& row = m_sideRows[side];
        row.title = new QLabel(titles[side], m_scanPanel);
        QFont bold = row.title->font();
        bold.setBold(true);
        row.title->setFont(bold);
        row.bar = new QProgressBar(m_scanPanel);
        row.bar->setObjectName(names[side] + u"Progress"_s);
        row.bar->setRange(0, 1000);
        row.bar->setTextVisible(false);
        row.bar->setMinimumWidth(260);
        row.detail = new QLabel(m_scanPanel);
        row.detail->setObjectName(names[side] + u"ProgressText"_s);
        row.detail->setMinimumWidth(420);
        grid->addWidget(row.title, side, 0);
        grid->addWidget(row.bar, side, 1);
        grid->addWidget(row.detail, side, 2);
    }
    m_comparingLabel = new QLabel(m_scanPanel);
    m_comparingLabel->setObjectName(u"comparingLabel"_s);
    grid->addWidget(m_comparingLabel, 2, 1, 1, 2);
    m_cancelButton = new QPushButton(icon(u"process-stop"_s, u"stop"_s), tr("Cancel"), m_scanPanel);
    m_cancelButton->setObjectName(u"cancelButton"_s);
    m_cancelButton->setToolTip(tr("Stop reading both sides (Esc)"));
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelRequested);
    grid->addWidget(m_cancelButton, 0, 3, 2, 1, Qt::AlignVCenter);
    grid->setColumnStretch(2, 1);
    m_scanPanel->hide();
}

// A panel over the scan on screen, docked and hidden until its View action (checkable, in step with the dock's
// close button) shows it.
QDockWidget* MainWindow::addPanelDock(const QString& title, const QString& name, QWidget* panel,
                                      Qt::DockWidgetArea area, int size, QAction* action)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                      QDockWidget::DockWidgetFloatable);
    panel->setParent(dock);
    dock->setWidget(panel);
    addDockWidget(area, dock);
    resizeDocks({dock}, {size}, area == Qt::RightDockWidgetArea || area == Qt::LeftDockWidgetArea ? Qt::Horizontal
                                                                                                   : Qt::Vertical);
    dock->hide(); // the list and the comparison come first; the action or restoreSettings() bring it back
    // The dock's own toggle keeps the menu entry in step with the close button.
    connect(action, &QAction::triggered, dock->toggleViewAction(), &QAction::trigger);
    action->setCheckable(true);
    // Captures the two objects, not the window: the dock hides (and signals) while ~QWidget runs,
    // when the MainWindow part of this object is already gone.
    connect(dock, &QDockWidget::visibilityChanged, action, [action, dock] { action->setChecked(dock->isVisible()); });
    return dock;
}

void MainWindow::createOverviewDock()
{
    m_overview = new OverviewWidget;
    m_overviewDock = addPanelDock(tr("Drift overview"), u"overviewDock"_s, m_overview, Qt::RightDockWidgetArea, 400,
                                  m_overviewAction);
    connect(m_overview, &OverviewWidget::attributeClicked, this, [this](AttributeId attribute) {
        m_attributeFilter->setCurrentIndex(m_attributeFilter->findData(int(attribute)));
    });
}

void MainWindow::createWritebackDock()
{
    // Below the list and the comparison: its tables want the window's width more than its height.
    m_writebackPanel = new WritebackPanel;
    m_writebackDock = addPanelDock(tr("Writeback (Cloud Sync)"), u"writebackDock"_s, m_writebackPanel,
                                   Qt::BottomDockWidgetArea, 300, m_writebackAction);
    connect(m_writebackPanel, &WritebackPanel::mailboxActivated, this, [this](int scanRow) {
        if (selectScanRow(scanRow))
            m_mailboxView->setFocus(Qt::OtherFocusReason);
    });
}

void MainWindow::createStatusBar()
{
    QStatusBar* bar = statusBar();
    m_sourcesLabel = new ElidingLabel(Qt::ElideRight, bar);
    m_sourcesLabel->setObjectName(u"sourcesLabel"_s);
    m_asOfLabel = new QLabel(bar);
    m_asOfLabel->setObjectName(u"asOfLabel"_s);
    m_countsLabel = new QLabel(bar);
    m_countsLabel->setObjectName(u"countsLabel"_s);
    m_shownLabel = new QLabel(bar);
    m_shownLabel->setObjectName(u"shownLabel"_s);
    m_sinceLabel = new QLabel(bar);
    m_sinceLabel->setObjectName(u"sinceScanLabel"_s);
    m_sinceLabel->hide();
    bar->addWidget(m_sourcesLabel, 1);
    bar->addPermanentWidget(m_sinceLabel);
    bar->addPermanentWidget(m_shownLabel);
    bar->addPermanentWidget(m_countsLabel);
    bar->addPermanentWidget(m_asOfLabel);
    setLoading(false);
}

bool MainWindow::restoreSettings(QSettings& settings)
{
    setSources({settings.value(kSourcesKey + "ad"_L1).toString(), settings.value(kSourcesKey + "exo"_L1).toString(),
                settings.value(kSourcesKey + "graph"_L1).toString()});
    m_differencesOnly->setChecked(settings.value(kDifferencesOnlyKey, true).toBool());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    m_mailboxView->horizontalHeader()->restoreState(settings.value(kMailboxHeaderKey).toByteArray());
    m_comparisonView->horizontalHeader()->restoreState(settings.value(kComparisonHeaderKey).toByteArray());
    const bool restored = restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    return restored;
}

void MainWindow::saveSettings(QSettings& settings) const
{
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kMailboxHeaderKey, m_mailboxView->horizontalHeader()->saveState());
    settings.setValue(kComparisonHeaderKey, m_comparisonView->horizontalHeader()->saveState());
    settings.setValue(kDifferencesOnlyKey, m_differencesOnly->isChecked());
    // The last snapshot files, for a rescan after a restart; live sources live in their profile.
    if (m_profile.isSnapshotOnly()) {
        settings.setValue(kSourcesKey + "ad"_L1, m_profile.ad.ldifFile);
        settings.setValue(kSourcesKey + "exo"_L1, m_profile.cloud.exoFile);
        settings.setValue(kSourcesKey + "graph"_L1, m_profile.cloud.graphFile);
    }
}

void MainWindow::fillAttributeFilter()
{
    const QSignalBlocker block(m_attributeFilter);
    const int previous = m_attributeFilter->currentData().isValid() ? m_attributeFilter->currentData().toInt() : -1;
    m_attributeFilter->clear();
    m_attributeFilter->addItem(tr("Any"), -1);
    for (const AttributeSpec& spec : AttributeCatalog::all()) {
        const qint64 n = m_scan ? m_scan->summary.itemsByAttribute[size_t(spec.id)] : 0;
        const QString label = n > 0 ? tr("%1 (%2)").arg(QString(spec.ldapName), QLocale().toString(n))
                                    : QString(spec.ldapName);
        m_attributeFilter->addItem(label, int(spec.id));
    }
    const int at = m_attributeFilter->findData(previous);
    m_attributeFilter->setCurrentIndex(at < 0 ? 0 : at);
    widenPopupToItems(m_attributeFilter);
}

// Causes by their stable keys (what the reports and the CLI say), with the scan's count of each.
void MainWindow::fillCauseFilter()
{
    const QSignalBlocker block(m_causeFilter);
    const int previous = m_causeFilter->currentData().isValid() ? m_causeFilter->currentData().toInt() : -1;
    m_causeFilter->clear();
    m_causeFilter->addItem(tr("Any"), -1);
    for (int c = 0; c < int(DriftCause::Count); ++c) {
        const qint64 n = m_scan ? m_scan->summary.itemsByCause[size_t(c)] : 0;
        const QString key = driftCauseKey(DriftCause(c));
        m_causeFilter->addItem(n > 0 ? tr("%1 (%2)").arg(key, QLocale().toString(n)) : key, c);
        m_causeFilter->setItemData(m_causeFilter->count() - 1, driftCauseExplanation(DriftCause(c)), Qt::ToolTipRole);
    }
    const int at = m_causeFilter->findData(previous);
    m_causeFilter->setCurrentIndex(at < 0 ? 0 : at);
    widenPopupToItems(m_causeFilter);
}

void MainWindow::showScan(std::shared_ptr<const DriftScan> scan, std::shared_ptr<const std::vector<quint32>> nameOrder)
{
    setLoading(false);
    m_messageBar->hide();
    m_selection->clear(); // ticks refer to pairs of the previous scan
    m_comparison->setMailbox(nullptr, -1);
    m_detailTitle->setText(tr("Select a mailbox to compare Exchange Online with Active Directory"));
    m_scan = std::move(scan);
    m_mailboxes->setScan(m_scan, std::move(nameOrder));
    m_sinceLabel->hide(); // until the history says what changed since the previous scan
    fillAttributeFilter();
    fillCauseFilter();
    m_overview->setScan(m_scan);
    m_writebackPanel->setScan(m_scan);
    if (m_scan) {
        // A scan shown without going through the loader (tests, a scan from elsewhere) brings its files along.
        const ReportSources files = m_profile.files();
        const bool sameFiles = files.ad == m_scan->sources.ad && files.exo == m_scan->sources.exo &&
                               files.graph == m_scan->sources.graph;
        if (m_profile.isSnapshotOnly() && !sameFiles)
            m_profile = ConnectionProfile::fromFiles(m_scan->sources, m_profile.name);
        // Sorting is switched on after the first load, so the load itself is one reset and one sort.
        if (!m_sortedOnce) {
            m_sortedOnce = true;
            m_mailboxView->setSortingEnabled(true);
        }
        const QString cloudLabel = m_profile.cloud.kind == CloudSourceProfile::Kind::Live
                                       ? tr("%1 (live)").arg(m_profile.cloud.connection.tenant)
                                       : m_profile.cloudLabel();
        const QString adLabel = m_profile.ad.kind == AdSourceProfile::Kind::Live
                                    ? tr("%1 (live)").arg(m_profile.adLabel())
                                    : m_profile.adLabel();
        const QString profileName = m_profile.name.isEmpty() ? QString() : tr("%1: ").arg(m_profile.name);
        m_sourcesLabel->setText(tr("%1Exchange Online %2 · AD %3").arg(profileName, cloudLabel, adLabel));
        QStringList paths{m_scan->sources.exo, m_scan->sources.ad};
        if (!m_scan->sources.graph.isEmpty())
            paths << m_scan->sources.graph;
        m_sourcesLabel->setToolTip(paths.join(u'\n'));
        const QDateTime asOf = QDateTime::fromMSecsSinceEpoch(m_scan->report.asOfMsecs, Qt::UTC);
        const QDateTime now = QDateTime::currentDateTime();
        const QString scanned = tr("Scanned %1").arg(compactTime(now, now));
        m_asOfLabel->setText(m_scan->report.asOfMsecs > 0
                                 ? tr("%1 · data as of %2").arg(scanned, compactTime(asOf.toLocalTime(), now))
                                 : scanned);
        m_asOfLabel->setToolTip(tr("Scanned %1. Data as of UTC %2: changes within the 20-minute sync cycle before "
                                   "it are reported as recent")
                                    .arg(QLocale().toString(now, QLocale::LongFormat), asOf.toString(Qt::ISODate)));
        m_countsLabel->setText(countsText());
        qCInfo(lcUi) << "showing scan:" << m_scan->rows().size() << "rows";
    }
    m_copyAction->setEnabled(false);
    updateShownCount();
    Q_EMIT scanShown();
}

QString MainWindow::countsText() const
{
    if (!m_scan)
        return {};
    const DriftSummary& s = m_scan->summary;
    const QLocale l;
    return tr("%1 matched · %2 only in AD · %3 only in Exchange Online · %4 with drift (%5 critical)")
        .arg(l.toString(s.matched), l.toString(s.adOnly), l.toString(s.cloudOnly), l.toString(s.mailboxesWithDrift),
             l.toString(s.mailboxesByWorstSeverity[size_t(Severity::Critical)]));
}

void MainWindow::updateShownCount()
{
    const int total = m_mailboxes->rowCount();
    const int shown = m_filter->rowCount();
    const QLocale l;
    if (shown != total)
        m_shownLabel->setText(tr("Showing %1 of %2 mailboxes").arg(l.toString(shown), l.toString(total)));
    else
        m_shownLabel->setText(total == 1 ? tr("1 mailbox") : tr("%1 mailboxes").arg(l.toString(total)));
}

void MainWindow::setProfile(const ConnectionProfile& profile)
{
    m_profile = profile;
    setLoading(m_loading);
}

void MainWindow::showLoadStarted(const ConnectionProfile& profile)
{
    m_profile = profile;
    m_messageBar->hide();
    m_comparingLabel->clear();
    const QString labels[] = {profile.cloudLabel(), profile.adLabel()};
    for (int side = 0; side < 2; ++side) {
        m_sideRows[side].bar->setRange(0, 1000);
        m_sideRows[side].bar->setValue(0);
        m_sideRows[side].detail->setText(tr("Starting %1…").arg(labels[side]));
    }
    setLoading(true);
}

void MainWindow::showSideProgress(ScanSide side, const SideProgress& p)
{
    SideRow& row = m_sideRows[int(side)];
    const QLocale l;
    const bool bytes = p.unit == SideProgress::Unit::Bytes;
    const QString done = bytes ? l.formattedDataSize(p.done) : l.toString(p.done);
    QString text;
    switch (p.stage) {
    case SideProgress::Stage::Waiting: text = tr("%1: waiting…").arg(p.what); break;
    case SideProgress::Stage::SigningIn: text = tr("%1: connecting and signing in…").arg(p.what); break;
    case SideProgress::Stage::Reading:
        if (p.total > 0)
            text = tr("%1: %2 of %3 · %4").arg(p.what, done,
                                               bytes ? l.formattedDataSize(p.total) : l.toString(p.total),
                                               formatRate(p.perSecond, p.unit));
        else
            text = tr("%1: %2 read · %3").arg(p.what, done, formatRate(p.perSecond, p.unit));
        break;
    case SideProgress::Stage::Done: text = tr("%1: %2 mailboxes read").arg(p.what, l.toString(p.done)); break;
    }
    row.detail->setText(text);
    if (p.stage == SideProgress::Stage::Done) {
        row.bar->setRange(0, 1000);
        row.bar->setValue(1000);
    } else if (p.total > 0) {
        row.bar->setRange(0, 1000);
        row.bar->setValue(int(std::clamp(double(p.done) / double(p.total), 0.0, 1.0) * 1000));
    } else {
        row.bar->setRange(0, 0); // busy: a live source that does not say how many are coming
    }
}

void MainWindow::showComparing()
{
    m_comparingLabel->setText(tr("Both sides read: matching and comparing…"));
}

void MainWindow::showLoadError(const ImportError& error)
{
    setLoading(false);
    QString where;
    if (error.line > 0)
        where = tr(", line %1").arg(error.line);
    else if (!error.jsonPath.isEmpty())
        where = tr(" at %1").arg(error.jsonPath);
    const QString file = error.file.isEmpty() ? tr("the input") : error.file;
    showMessage(tr("Could not read %1%2: %3\nFix it, or choose other sources with File ▸ Connect… "
                   "(Ctrl+O), then Rescan (F5).")
                    .arg(file, where, error.message));
    qCWarning(lcUi) << "load failed:" << error.toString();
}

void MainWindow::showLoadCancelled()
{
    setLoading(false);
    statusBar()->showMessage(tr("Scan cancelled; both sides stopped."), 5000);
}

void MainWindow::showDeviceCode(const QString& userCode, const QUrl& verificationUri, const QString& message,
                                qint64 expiresInSeconds)
{
    hideDeviceCode();
    auto* dialog = new DeviceCodeDialog(userCode, verificationUri, message, expiresInSeconds, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Closed by the admin or when the sign-in completes; polling goes on in the background either way.
    m_deviceCodeDialog = dialog;
    dialog->show();
}

void MainWindow::hideDeviceCode()
{
    if (m_deviceCodeDialog)
        m_deviceCodeDialog->close();
}

RollbackImpactDialog* MainWindow::openRollbackImpact()
{
    // The list's filter and current mailbox are offered as scopes: an admin narrows the list to the mailboxes
    // about to be switched back.
    std::vector<qint32> shown;
    shown.reserve(size_t(m_filter->rowCount()));
    for (int r = 0; r < m_filter->rowCount(); ++r)
        shown.push_back(qint32(m_filter->mapToSource(m_filter->index(r, 0)).row()));
    const QModelIndex current = m_filter->mapToSource(m_mailboxView->currentIndex());
    auto* dialog = new RollbackImpactDialog(m_scan, std::move(shown), current.isValid() ? current.row() : -1, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWriter(m_rollbackWriter);
    dialog->open();
    return dialog;
}

QMenu* MainWindow::addFeatureMenu(const QString& title)
{
    auto* menu = new QMenu(title, menuBar());
    menuBar()->insertMenu(m_helpMenu->menuAction(), menu);
    return menu;
}

void MainWindow::addToolBarActions(const QList<QAction*>& actions)
{
    QAction* panels = m_overviewAction; // the first toggle after Open and Reload
    for (QAction* action : actions)
        m_mainToolBar->insertAction(panels, action);
}

void MainWindow::setOverviewShown(bool shown)
{
    if (m_overviewAction->isChecked() != shown)
        m_overviewAction->trigger();
}

void MainWindow::setWritebackPanelShown(bool shown)
{
    if (m_writebackAction->isChecked() != shown)
        m_writebackAction->trigger();
}

void MainWindow::setScanTrend(const QList<ScanTrendPoint>& points)
{
    m_overview->setTrend(points);
}

void MainWindow::setSinceScan(const DriftScan* scan, std::shared_ptr<const SinceScan> since)
{
    if (!m_scan || scan != m_scan.get())
        return; // worked out for a scan no longer shown
    m_mailboxes->setSinceScan(since);
    if (!since) {
        m_sinceLabel->hide();
        return;
    }
    const QLocale l;
    if (since->hasPrevious()) {
        // Short: the status bar is shared with the counts; the mailboxes added and removed are in the tooltip.
        const QString text = tr("Since scan %1: %2 new, %3 resolved")
                                 .arg(since->previousScanId)
                                 .arg(l.toString(qint64(since->newDrift.size())),
                                      l.toString(qint64(since->resolvedDrift.size())));
        const QString mailboxes = since->mailboxesCompared
                                      ? tr("\nMailboxes added: %1, removed: %2.")
                                            .arg(l.toString(qint64(since->mailboxesAdded.size())),
                                                 l.toString(qint64(since->mailboxesRemoved.size())))
                                      : QString();
        m_sinceLabel->setText(text);
        m_sinceLabel->setToolTip(
            tr("Drift items new and resolved since scan %1 of %2 in this profile's history.%3\nShow › New since last "
               "scan (Alt+8) lists the mailboxes with new drift; new drift is marked \"new\".%4")
                .arg(since->previousScanId)
                .arg(l.toString(since->previousFinished.toLocalTime(), QLocale::ShortFormat), mailboxes,
                     since->note.isEmpty() ? QString() : u"\n"_s + since->note));
    } else {
        m_sinceLabel->setText(tr("First scan of this profile"));
        m_sinceLabel->setToolTip(since->note);
    }
    m_sinceLabel->show();
    onCurrentRowChanged(); // the comparison marks the selected mailbox's new drift
    updateShownCount();
}

void MainWindow::showMessage(const QString& text)
{
    m_messageText->setText(text);
    m_messageBar->show();
}

void MainWindow::setLoading(bool loading)
{
    m_loading = loading;
    if (!loading)
        hideDeviceCode();
    m_scanPanel->setVisible(loading);
    m_cancelAction->setEnabled(loading);
    const bool haveSources = m_profile.ad.kind == AdSourceProfile::Kind::Live ? !m_profile.ad.dc.uri.isEmpty()
                                                                              : !m_profile.ad.ldifFile.isEmpty();
    const bool haveCloud = m_profile.cloud.kind == CloudSourceProfile::Kind::Live
                               ? !m_profile.cloud.connection.tenant.isEmpty()
                               : !m_profile.cloud.exoFile.isEmpty();
    m_reloadAction->setEnabled(!loading && haveSources && haveCloud);
}

void MainWindow::openConnection()
{
    QSettings fallback;
    QSettings& settings = m_profileSettings ? *m_profileSettings : fallback;
    ConnectionDialog dialog(settings, this);
    if (!m_profile.ad.ldifFile.isEmpty() || !m_profile.ad.dc.uri.isEmpty())
        dialog.setProfile(m_profile);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ScanRequest request = dialog.request();
    m_profile = request.profile;
    Q_EMIT scanRequested(request);
}

void MainWindow::reload()
{
    if (!m_reloadAction->isEnabled())
        return;
    // Secrets are not kept between scans: a source that needs one goes through the dialog again.
    if (m_profile.needsAdPassword() || m_profile.needsClientSecret())
        return openConnection();
    Q_EMIT scanRequested(ScanRequest{m_profile, {}});
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard shortcuts"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* list = new QTreeWidget(&dialog);
    list->setObjectName(u"shortcutList"_s);
    list->setRootIsDecorated(false);
    list->setHeaderLabels({tr("Action"), tr("Shortcut")});
    for (QAction* action : findChildren<QAction*>()) {
        if (action->shortcut().isEmpty() || action->text().isEmpty())
            continue;
        QString text = action->text();
        text.remove(u'&');
        list->addTopLevelItem(new QTreeWidgetItem({text, action->shortcut().toString(QKeySequence::NativeText)}));
    }
    list->sortItems(0, Qt::AscendingOrder);
    list->resizeColumnToContents(0);
    layout->addWidget(list);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(480, 520);
    dialog.exec();
}

void MainWindow::copyComparison()
{
    if (m_comparison->rowCount() == 0)
        return;
    QApplication::clipboard()->setText(m_comparison->toPlainText());
    statusBar()->showMessage(tr("Comparison copied to the clipboard."), 3000);
}

void MainWindow::applySearch()
{
    m_searchDebounce.stop();
    m_filter->setSearchText(m_search->text());
    updateShownCount();
}

void MainWindow::onCurrentRowChanged()
{
    const QModelIndex current = m_mailboxView->selectionModel()->currentIndex();
    const QModelIndex source = m_filter->mapToSource(current);
    m_comparison->setMailbox(m_scan, source.isValid() ? source.row() : -1,
                             source.isValid() ? m_mailboxes->newDriftAttributes(source.row()) : 0u);
    m_copyAction->setEnabled(m_comparison->rowCount() > 0);
    m_detailTitle->setText(m_comparison->rowCount() > 0
                               ? m_comparison->title()
                               : tr("Select a mailbox to compare Exchange Online with Active Directory"));
    updateDifferencesOnly();
}

void MainWindow::updateDifferencesOnly()
{
    const bool only = m_differencesOnly->isChecked();
    for (int r = 0; r < m_comparison->rowCount(); ++r) {
        const bool differs = m_comparison->index(r, AttributeComparisonModel::ExchangeOnline)
                                 .data(ItemRole::HighlightSpans).isValid() ||
                             m_comparison->index(r, AttributeComparisonModel::ActiveDirectory)
                                 .data(ItemRole::HighlightSpans).isValid() ||
                             m_comparison->index(r, 0).data(ItemRole::RowTint).isValid();
        const bool identity = r < AttributeComparisonModel::IdentityRowCount;
        m_comparisonView->setRowHidden(r, only && !differs && !identity);
    }
}

bool MainWindow::selectScanRow(int scanRow)
{
    if (!m_scan || scanRow < 0 || scanRow >= m_mailboxes->rowCount())
        return false;
    QModelIndex index = m_filter->mapFromSource(m_mailboxes->index(scanRow, MailboxTableModel::DisplayName));
    if (!index.isValid()) { // hidden by the search or a filter: show everything, then it is listed
        m_search->clear();
        applySearch();
        m_quickFilter->setCurrentIndex(0);
        m_attributeFilter->setCurrentIndex(0);
        m_causeFilter->setCurrentIndex(0);
        index = m_filter->mapFromSource(m_mailboxes->index(scanRow, MailboxTableModel::DisplayName));
    }
    if (!index.isValid())
        return false;
    m_mailboxView->setCurrentIndex(index);
    m_mailboxView->scrollTo(index);
    return true;
}

bool MainWindow::selectFirstCritical()
{
    for (int r = 0; r < m_filter->rowCount(); ++r) {
        const QModelIndex index = m_filter->index(r, MailboxTableModel::DisplayName);
        if (m_mailboxes->scanRow(m_filter->mapToSource(index).row()).worstSeverity == qint8(Severity::Critical)) {
            m_mailboxView->setCurrentIndex(index);
            m_mailboxView->scrollTo(index);
            return true;
        }
    }
    return false;
}

} // namespace sunset
