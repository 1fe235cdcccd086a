// SPDX-License-Identifier: Apache-2.0
#include "HistoryView.h"

#include "DisplayPath.h"
#include "HighlightingDelegate.h"
#include "ListTableView.h"
#include "SavePathChooser.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QCheckBox>
#include <QDateEdit>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

HistoryView::HistoryView(std::shared_ptr<SavePathChooser> savePaths, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_savePaths(std::move(savePaths))
{
    setObjectName(u"historyView"_s);
    setWindowTitle(tr("Sunset — History"));
    resize(1400, 800);
    auto* layout = new QVBoxLayout(this);

    // The filter: every field narrows all three tables and the CSV/JSON exports.
    auto* filterRow = new QHBoxLayout;
    const QDate today = QDate::currentDate();
    m_useSince = new QCheckBox(tr("&From"), this);
    m_useSince->setObjectName(u"useSince"_s);
    m_since = new QDateEdit(today.addDays(-30), this);
    m_since->setObjectName(u"sinceEdit"_s);
    m_since->setCalendarPopup(true);
    m_since->setDisplayFormat(u"yyyy-MM-dd"_s);
    m_useUntil = new QCheckBox(tr("&To"), this);
    m_useUntil->setObjectName(u"useUntil"_s);
    m_until = new QDateEdit(today, this);
    m_until->setObjectName(u"untilEdit"_s);
    m_until->setCalendarPopup(true);
    m_until->setDisplayFormat(u"yyyy-MM-dd"_s);
    auto* batchLabel = new QLabel(tr("&Batch:"), this);
    m_batch = new QSpinBox(this);
    m_batch->setObjectName(u"batchFilter"_s);
    m_batch->setRange(0, std::numeric_limits<int>::max());
    m_batch->setSpecialValueText(tr("all"));
    m_batch->setMinimumWidth(90);
    batchLabel->setBuddy(m_batch);
    auto* objectLabel = new QLabel(tr("O&bject:"), this);
    m_object = new QLineEdit(this);
    m_object->setObjectName(u"objectFilter"_s);
    m_object->setPlaceholderText(tr("DN or UPN contains…"));
    m_object->setClearButtonEnabled(true);
    objectLabel->setBuddy(m_object);
    for (QWidget* w : std::initializer_list<QWidget*>{m_useSince, m_since, m_useUntil, m_until, batchLabel, m_batch,
                                                     objectLabel})
        filterRow->addWidget(w);
    filterRow->addWidget(m_object, 1);
    layout->addLayout(filterRow);

    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(200);
    connect(debounce, &QTimer::timeout, this, &HistoryView::filterChanged);
    connect(m_object, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_object, &QLineEdit::returnPressed, this, &HistoryView::filterChanged);
    const auto changed = [this] { Q_EMIT filterChanged(); };
    connect(m_useSince, &QCheckBox::toggled, this, changed);
    connect(m_useUntil, &QCheckBox::toggled, this, changed);
    connect(m_since, &QDateEdit::dateChanged, this, [this] {
        if (m_useSince->isChecked())
            Q_EMIT filterChanged();
    });
    connect(m_until, &QDateEdit::dateChanged, this, [this] {
        if (m_useUntil->isChecked())
            Q_EMIT filterChanged();
    });
    connect(m_batch, &QSpinBox::valueChanged, this, changed);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"historyTabs"_s);
    m_batches = makeTable(u"batchesTable"_s);
    m_changes = makeTable(u"changesTable"_s);
    m_scans = makeTable(u"scansTable"_s);
    // Batches above, the selected batch's changes below (what it sent, each result), with the review's highlights.
    auto* batchSplit = new QSplitter(Qt::Vertical, m_tabs);
    batchSplit->setObjectName(u"batchesSplitter"_s);
    batchSplit->setChildrenCollapsible(false);
    m_batches->setParent(batchSplit);
    auto* detail = new QWidget(batchSplit);
    auto* detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 4, 0, 0);
    m_batchTitle = new QLabel(tr("Select a batch to see its changes"), detail);
    m_batchTitle->setObjectName(u"batchDetailTitle"_s);
    QFont bold = m_batchTitle->font();
    bold.setBold(true);
    m_batchTitle->setFont(bold);
    m_batchChanges = makeTable(u"batchChangesTable"_s);
    m_batchChanges->setParent(detail);
    m_batchChanges->setWordWrap(true);
    m_batchChanges->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    detailLayout->addWidget(m_batchTitle);
    detailLayout->addWidget(m_batchChanges, 1);
    batchSplit->addWidget(m_batches);
    batchSplit->addWidget(detail);
    batchSplit->setStretchFactor(0, 1);
    batchSplit->setStretchFactor(1, 2);
    m_tabs->addTab(batchSplit, tr("Ba&tches"));
    m_tabs->addTab(m_changes, tr("C&hanges"));
    m_tabs->addTab(m_scans, tr("&Scans"));
    layout->addWidget(m_tabs, 1);
    connect(m_batches, &QTableView::doubleClicked, this, [this] {
        if (const qint64 id = selectedBatchId())
            Q_EMIT openBatchRequested(id);
    });

    m_message = new QLabel(this);
    m_message->setObjectName(u"historyMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_message);

    m_exportRow = new QWidget(this);
    m_exportRow->setObjectName(u"exportRow"_s);
    auto* exportLayout = new QHBoxLayout(m_exportRow);
    exportLayout->setContentsMargins(0, 0, 0, 0);
    m_exportLabel = new QLabel(m_exportRow);
    m_exportLabel->setObjectName(u"exportLabel"_s);
    m_exportBar = new QProgressBar(m_exportRow);
    m_exportBar->setObjectName(u"exportProgress"_s);
    auto* cancelExport = new QPushButton(tr("Cancel export"), m_exportRow);
    cancelExport->setObjectName(u"cancelExport"_s);
    cancelExport->setToolTip(tr("Stop writing the export; nothing is written to the file"));
    connect(cancelExport, &QPushButton::clicked, this, &HistoryView::exportCancelRequested);
    exportLayout->addWidget(m_exportLabel, 1);
    exportLayout->addWidget(m_exportBar, 1);
    exportLayout->addWidget(cancelExport);
    m_exportRow->hide();
    layout->addWidget(m_exportRow);

    auto* buttons = new QHBoxLayout;
    m_database = new QLabel(this);
    m_database->setObjectName(u"historyDatabase"_s);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_database, 1);
    const auto button = [this, buttons](const QString& text, const QString& name, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    m_csv = button(tr("Export &CSV…"), u"exportCsv"_s, tr("Scans, batches and changes matching the filter, as CSV"));
    m_json =
        button(tr("Export &JSON…"), u"exportJson"_s, tr("Scans, batches and changes matching the filter, as JSON"));
    m_ldif = button(tr("Export &LDIF…"), u"exportLdif"_s,
                    tr("The selected batch as an LDIF change file for ldapmodify or ldifde"));
    m_pdf = button(tr("Export &PDF…"), u"exportPdf"_s, tr("A printable report of the selected batch"));
    m_open = button(tr("&Open batch…"), u"openBatch"_s,
                    tr("Review the selected batch: approve, apply or resume it, and see each change's result"));
    m_undo = button(tr("&Undo batch…"), u"undoBatch"_s,
                    tr("A new batch that puts back the values the selected batch replaced, to review and apply"));
    connect(m_csv, &QPushButton::clicked, this, [this] { requestExport(Export::Csv); });
    connect(m_json, &QPushButton::clicked, this, [this] { requestExport(Export::Json); });
    connect(m_ldif, &QPushButton::clicked, this, [this] { requestExport(Export::Ldif); });
    connect(m_pdf, &QPushButton::clicked, this, [this] { requestExport(Export::Pdf); });
    connect(m_open, &QPushButton::clicked, this, [this] { Q_EMIT openBatchRequested(selectedBatchId()); });
    connect(m_undo, &QPushButton::clicked, this, [this] { Q_EMIT undoRequested(selectedBatchId()); });
    layout->addLayout(buttons);

    auto* refresh = new QAction(tr("Refresh"), this);
    refresh->setShortcut(QKeySequence(Qt::Key_F5));
    connect(refresh, &QAction::triggered, this, &HistoryView::refreshRequested);
    addAction(refresh);
    auto* close = new QAction(tr("Close"), this);
    close->setShortcuts({QKeySequence(Qt::Key_Escape), QKeySequence::Close});
    connect(close, &QAction::triggered, this, &QWidget::close);
    addAction(close);
    updateButtons();
}

HistoryView::~HistoryView() = default;

QTableView* HistoryView::makeTable(const QString& name)
{
    return makeListTableView(name, this);
}

QTableView* HistoryView::table(Tab tab) const
{
    switch (tab) {
    case BatchesTab: return m_batches;
    case ChangesTab: return m_changes;
    case ScansTab: return m_scans;
    }
    return nullptr;
}

bool HistoryView::selectRecord(Tab tab, qint64 id)
{
    QTableView* view = table(tab);
    const QAbstractItemModel* model = view ? view->model() : nullptr;
    if (!model)
        return false;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QModelIndex index = model->index(r, 0);
        if (index.data(IdRole).toLongLong() != id)
            continue;
        m_tabs->setCurrentWidget(view);
        view->setCurrentIndex(index);
        view->selectRow(r);
        view->scrollTo(index, QAbstractItemView::PositionAtCenter);
        view->setFocus();
        return true;
    }
    return false;
}

void HistoryView::setModels(QAbstractItemModel* batches, QAbstractItemModel* changes, QAbstractItemModel* scans)
{
    m_batches->setModel(batches);
    m_changes->setModel(changes);
    m_scans->setModel(scans);
    connect(m_batches->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateButtons();
        const QModelIndex current = m_batches->selectionModel()->currentIndex();
        const qint64 id = current.isValid() ? current.siblingAtColumn(0).data(IdRole).toLongLong() : 0;
        m_batchTitle->setText(id > 0 ? tr("Changes of batch %1").arg(id) : tr("Select a batch to see its changes"));
        Q_EMIT batchSelected(id);
    });
    // A refresh (new filter, a batch applied) keeps the batch the admin selected, when it is still listed.
    connect(batches, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex current = m_batches->selectionModel()->currentIndex();
        m_keptBatch = current.isValid() ? current.siblingAtColumn(0).data(IdRole).toLongLong() : 0;
    });
    connect(batches, &QAbstractItemModel::modelReset, this, [this, batches] {
        int keep = batches->rowCount() > 0 ? 0 : -1; // else the newest, so its changes show
        for (int r = 0; m_keptBatch > 0 && r < batches->rowCount(); ++r)
            if (batches->index(r, 0).data(IdRole).toLongLong() == m_keptBatch)
                keep = r;
        if (keep >= 0)
            m_batches->setCurrentIndex(batches->index(keep, 0));
        else
            Q_EMIT batchSelected(0);
        updateButtons();
    });
    updateButtons();
}

void HistoryView::setBatchChangesModel(QAbstractItemModel* model)
{
    m_batchChanges->setModel(model);
    QHeaderView* header = m_batchChanges->horizontalHeader();
    header->setStretchLastSection(false);
    if (model && model->columnCount() == 5) { // object, attribute, delete, add, result (BatchChangesModel)
        header->resizeSection(0, 330);
        header->resizeSection(1, 215);
        header->setSectionResizeMode(2, QHeaderView::Stretch);
        header->setSectionResizeMode(3, QHeaderView::Stretch);
        header->resizeSection(4, 260);
    }
}

void HistoryView::setDatabasePath(const QString& path)
{
    m_database->setText(tr("History database: %1").arg(displayPath(path)));
    m_database->setToolTip(QDir::toNativeSeparators(path));
}

void HistoryView::showMessage(const QString& text, bool error)
{
    m_message->setStyleSheet(error ? u"color: #b71c1c;"_s : QString());
    m_message->setText(text);
}

HistoryView::Filter HistoryView::filter() const
{
    Filter f;
    if (m_useSince->isChecked())
        f.since = m_since->date();
    if (m_useUntil->isChecked())
        f.until = m_until->date();
    f.batchId = m_batch->value();
    f.object = m_object->text().trimmed();
    return f;
}

void HistoryView::setFilter(const Filter& f)
{
    const QSignalBlocker b1(m_useSince), b2(m_since), b3(m_useUntil), b4(m_until), b5(m_batch), b6(m_object);
    m_useSince->setChecked(f.since.has_value());
    if (f.since)
        m_since->setDate(*f.since);
    m_useUntil->setChecked(f.until.has_value());
    if (f.until)
        m_until->setDate(*f.until);
    m_batch->setValue(int(f.batchId));
    m_object->setText(f.object);
    Q_EMIT filterChanged();
}

qint64 HistoryView::selectedBatchId() const
{
    if (m_batches->model() && m_batches->selectionModel()) {
        const QModelIndex current = m_batches->selectionModel()->currentIndex();
        if (current.isValid())
            return m_batches->model()->index(current.row(), 0).data(IdRole).toLongLong();
    }
    return m_batch->value();
}

void HistoryView::updateButtons()
{
    const bool batch = selectedBatchId() > 0;
    const bool exporting = isExporting();
    for (QPushButton* b : {m_open, m_undo})
        b->setEnabled(batch);
    for (QPushButton* b : {m_ldif, m_pdf})
        b->setEnabled(batch && !exporting);
    for (QPushButton* b : {m_csv, m_json})
        b->setEnabled(!exporting);
}

void HistoryView::showExportProgress(const QString& what, int done, int total)
{
    m_exportLabel->setText(what);
    m_exportBar->setRange(0, total); // 0..0: busy
    m_exportBar->setValue(done);
    m_exportBar->setFormat(total > 0 ? tr("page %1 of %2").arg(done).arg(total) : QString());
    m_exportRow->show();
    updateButtons();
}

void HistoryView::endExportProgress()
{
    m_exportRow->hide();
    updateButtons();
}

bool HistoryView::isExporting() const
{
    return !m_exportRow->isHidden();
}

void HistoryView::requestExport(Export format)
{
    const qint64 batch = selectedBatchId();
    QString suffix, name, kind;
    switch (format) {
    case Export::Csv: suffix = u"csv"_s; name = u"sunset-history.csv"_s; kind = tr("CSV files (*.csv)"); break;
    case Export::Json: suffix = u"json"_s; name = u"sunset-history.json"_s; kind = tr("JSON files (*.json)"); break;
    case Export::Ldif:
        suffix = u"ldif"_s;
        name = u"sunset-batch-%1.ldif"_s.arg(batch);
        kind = tr("LDIF change files (*.ldif)");
        break;
    case Export::Pdf:
        suffix = u"pdf"_s;
        name = u"sunset-batch-%1.pdf"_s.arg(batch);
        kind = tr("PDF reports (*.pdf)");
        break;
    }
    const SaveFileRequest request{
        tr("Export history"), QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath(name),
        kind, suffix};
    m_savePaths->choose(this, request, [this, format](const QString& path) { Q_EMIT exportRequested(format, path); });
}

} // namespace sunset
