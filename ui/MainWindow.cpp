#include "MainWindow.h"

#include "AttributeComparisonModel.h"
#include "HighlightingDelegate.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "OpenSnapshotsDialog.h"
#include "UiLogging.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
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
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {
constexpr int kSearchDebounceMs = 200;
constexpr auto kGeometryKey = "mainWindow/geometry"_L1;
constexpr auto kStateKey = "mainWindow/state"_L1;
constexpr auto kSplitterKey = "mainWindow/splitter"_L1;
constexpr auto kMailboxHeaderKey = "mainWindow/mailboxHeader"_L1;
constexpr auto kComparisonHeaderKey = "mainWindow/comparisonHeader"_L1;
constexpr auto kDifferencesOnlyKey = "mainWindow/differencesOnly"_L1;
constexpr auto kSourcesKey = "sources/"_L1;
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Sunset — Exchange Online and Active Directory drift"));
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
        m_batchLabel->setText(m_selection->size() == 0
                                  ? QString()
                                  : tr("%n change(s) ticked for the next batch", nullptr, int(m_selection->size())));
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_openAction = file->addAction(QIcon::fromTheme(u"document-open"_s), tr("&Open snapshots…"), this,
                                   &MainWindow::openSnapshots);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(tr("Open an AD export and an Exchange Online export (Ctrl+O)"));
    m_reloadAction = file->addAction(QIcon::fromTheme(u"view-refresh"_s), tr("&Reload"), this, &MainWindow::reload);
    m_reloadAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_reloadAction->setToolTip(tr("Read the same files again and compare (F5)"));
    m_reloadAction->setEnabled(false);
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

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(u"mainToolBar"_s);
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_openAction);
    bar->addAction(m_reloadAction);
    bar->addSeparator();

    m_search = new QLineEdit(bar);
    m_search->setObjectName(u"searchEdit"_s);
    m_search->setPlaceholderText(tr("Search name, UPN, DN or any address (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(340);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, &MainWindow::applySearch);
    bar->addWidget(m_search);

    auto* quickLabel = new QLabel(tr("  Show: "), bar);
    bar->addWidget(quickLabel);
    m_quickFilter = new QComboBox(bar);
    m_quickFilter->setObjectName(u"quickFilter"_s);
    using QF = MailboxFilterProxyModel::QuickFilter;
    for (QF f : {QF::All, QF::DriftOnly, QF::Critical, QF::OnlyInAd, QF::OnlyInCloud, QF::Ambiguous,
                 QF::NotCloudManaged})
        m_quickFilter->addItem(MailboxFilterProxyModel::quickFilterLabel(f), int(f));
    quickLabel->setBuddy(m_quickFilter);
    connect(m_quickFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setQuickFilter(QF(m_quickFilter->currentData().toInt()));
        updateShownCount();
    });
    bar->addWidget(m_quickFilter);

    bar->addWidget(new QLabel(tr("  Drifting attribute: "), bar));
    m_attributeFilter = new QComboBox(bar);
    m_attributeFilter->setObjectName(u"attributeFilter"_s);
    m_attributeFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_attributeFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int id = m_attributeFilter->currentData().toInt();
        m_filter->setAttributeFilter(id < 0 ? std::nullopt : std::optional<AttributeId>(AttributeId(id)));
        updateShownCount();
    });
    bar->addWidget(m_attributeFilter);
    fillAttributeFilter();

    addAction(m_copyAction); // reachable while the menu bar is hidden or the focus is in a view
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
    const int widths[] = {200, 260, 150, 56, 100, 110, 500};
    for (int c = 0; c < MailboxTableModel::ColumnCount; ++c)
        header->resizeSection(c, widths[c]);
    connect(m_mailboxView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::updateShownCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateShownCount);

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
    cHeader->resizeSection(AttributeComparisonModel::LikelyCause, 380);
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
}

void MainWindow::createStatusBar()
{
    QStatusBar* bar = statusBar();
    m_sourcesLabel = new QLabel(bar);
    m_sourcesLabel->setObjectName(u"sourcesLabel"_s);
    m_asOfLabel = new QLabel(bar);
    m_asOfLabel->setObjectName(u"asOfLabel"_s);
    m_countsLabel = new QLabel(bar);
    m_countsLabel->setObjectName(u"countsLabel"_s);
    m_shownLabel = new QLabel(bar);
    m_shownLabel->setObjectName(u"shownLabel"_s);
    m_progressLabel = new QLabel(bar);
    m_progressBar = new QProgressBar(bar);
    m_progressBar->setRange(0, 1000);
    m_progressBar->setMaximumWidth(220);
    m_progressBar->setTextVisible(true);
    m_cancelButton = new QPushButton(tr("Cancel"), bar);
    m_cancelButton->setObjectName(u"cancelButton"_s);
    m_cancelButton->setToolTip(tr("Stop reading (Esc)"));
    m_cancelButton->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelRequested);
    bar->addWidget(m_sourcesLabel, 1);
    bar->addWidget(m_progressLabel);
    bar->addWidget(m_progressBar);
    bar->addWidget(m_cancelButton);
    bar->addPermanentWidget(m_shownLabel);
    bar->addPermanentWidget(m_countsLabel);
    bar->addPermanentWidget(m_asOfLabel);
    setLoading(false);
}

bool MainWindow::restoreSettings(QSettings& settings)
{
    m_sources = {settings.value(kSourcesKey + "ad"_L1).toString(), settings.value(kSourcesKey + "exo"_L1).toString(),
                 settings.value(kSourcesKey + "graph"_L1).toString()};
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
    settings.setValue(kSourcesKey + "ad"_L1, m_sources.ad);
    settings.setValue(kSourcesKey + "exo"_L1, m_sources.exo);
    settings.setValue(kSourcesKey + "graph"_L1, m_sources.graph);
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
}

void MainWindow::showScan(std::shared_ptr<const DriftScan> scan)
{
    setLoading(false);
    m_messageBar->hide();
    m_selection->clear(); // ticks refer to pairs of the previous scan
    m_comparison->setMailbox(nullptr, -1);
    m_detailTitle->setText(tr("Select a mailbox to compare Exchange Online with Active Directory"));
    m_scan = std::move(scan);
    m_mailboxes->setScan(m_scan);
    fillAttributeFilter();
    if (m_scan) {
        m_sources = m_scan->sources;
        m_reloadAction->setEnabled(true);
        // Sorting is switched on after the first load, so the load itself is one reset and one sort.
        if (!m_sortedOnce) {
            m_sortedOnce = true;
            m_mailboxView->setSortingEnabled(true);
        }
        QStringList names{QFileInfo(m_scan->sources.ad).fileName(), QFileInfo(m_scan->sources.exo).fileName()};
        if (!m_scan->sources.graph.isEmpty())
            names << QFileInfo(m_scan->sources.graph).fileName();
        m_sourcesLabel->setText(tr("Sources: %1").arg(names.join(u" · "_s)));
        QStringList paths{m_scan->sources.ad, m_scan->sources.exo};
        if (!m_scan->sources.graph.isEmpty())
            paths << m_scan->sources.graph;
        m_sourcesLabel->setToolTip(paths.join(u'\n'));
        const QDateTime asOf = QDateTime::fromMSecsSinceEpoch(m_scan->report.asOfMsecs, Qt::UTC);
        m_asOfLabel->setText(m_scan->report.asOfMsecs > 0
                                 ? tr("As of %1").arg(QLocale().toString(asOf.toLocalTime(), QLocale::ShortFormat))
                                 : QString());
        m_asOfLabel->setToolTip(tr("Scan time (UTC %1): changes within the 20-minute sync cycle before it are "
                                   "reported as recent").arg(asOf.toString(Qt::ISODate)));
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

void MainWindow::showLoadStarted(const ReportSources& files)
{
    m_sources = files;
    m_messageBar->hide();
    m_progressLabel->setText(tr("Reading…"));
    m_progressBar->setValue(0);
    setLoading(true);
}

void MainWindow::showLoadProgress(const QString& stage, double fraction)
{
    m_progressLabel->setText(stage);
    m_progressBar->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
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
    showMessage(tr("Could not read %1%2: %3\nFix the file, or choose other files with File ▸ Open snapshots… "
                   "(Ctrl+O), then Reload (F5).")
                    .arg(file, where, error.message));
    qCWarning(lcUi) << "load failed:" << error.toString();
}

void MainWindow::showLoadCancelled()
{
    setLoading(false);
    statusBar()->showMessage(tr("Loading cancelled."), 5000);
}

void MainWindow::showMessage(const QString& text)
{
    m_messageText->setText(text);
    m_messageBar->show();
}

void MainWindow::setLoading(bool loading)
{
    m_progressLabel->setVisible(loading);
    m_progressBar->setVisible(loading);
    m_cancelButton->setVisible(loading);
    m_reloadAction->setEnabled(!loading && !m_sources.ad.isEmpty() && !m_sources.exo.isEmpty());
}

void MainWindow::openSnapshots()
{
    OpenSnapshotsDialog dialog(this);
    dialog.setFiles(m_sources);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_sources = dialog.files();
    Q_EMIT loadRequested(m_sources);
}

void MainWindow::reload()
{
    if (!m_sources.ad.isEmpty() && !m_sources.exo.isEmpty())
        Q_EMIT loadRequested(m_sources);
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
    m_comparison->setMailbox(m_scan, source.isValid() ? source.row() : -1);
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
