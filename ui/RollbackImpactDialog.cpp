// SPDX-License-Identifier: Apache-2.0
#include "RollbackImpactDialog.h"

#include "HighlightingDelegate.h"
#include "RollbackImpactModel.h"
#include "RollbackImpactWriter.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

RollbackImpactDialog::RollbackImpactDialog(std::shared_ptr<const DriftScan> scan, std::vector<qint32> shownRows,
                                           qint32 selectedRow, QWidget* parent)
    : QDialog(parent)
    , m_scan(std::move(scan))
    , m_shownRows(std::move(shownRows))
    , m_selectedRow(selectedRow)
    , m_model(new RollbackImpactModel(this))
{
    setWindowTitle(tr("Rollback impact"));
    setObjectName(u"rollbackImpactDialog"_s);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Setting <b>IsExchangeCloudManaged</b> back to False makes AD the source of a mailbox's Exchange "
           "attributes again: the next sync cycle overwrites these cloud values with AD's. Export them first, or "
           "write them to AD, if they are to be kept. Attributes Cloud Sync never writes back (hidden from "
           "address lists, alias) exist only in the cloud."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* scopeRow = new QHBoxLayout;
    auto* scopeLabel = new QLabel(tr("&Mailboxes:"), this);
    m_scope = new QComboBox(this);
    m_scope->setObjectName(u"rollbackScope"_s);
    m_scope->addItem(tr("All cloud-managed mailboxes"), int(Scope::All));
    m_scope->addItem(tr("Those shown in the list (%Ln)", nullptr, int(m_shownRows.size())), int(Scope::Shown));
    if (m_scan && m_selectedRow >= 0 && m_selectedRow < qint32(m_scan->rows().size()))
        m_scope->addItem(tr("The selected mailbox: %1")
                             .arg(QString::fromUtf8(m_scan->displayName(m_scan->rows()[size_t(m_selectedRow)]))),
                         int(Scope::Selected));
    scopeLabel->setBuddy(m_scope);
    scopeRow->addWidget(scopeLabel);
    scopeRow->addWidget(m_scope, 1);
    layout->addLayout(scopeRow);

    m_summary = new QLabel(this);
    m_summary->setObjectName(u"rollbackSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setObjectName(u"rollbackTable"_s);
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // the scan's order until the admin sorts
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // The values as the comparison view draws them: differing ones highlighted, spaces made visible.
    auto* delegate = new HighlightingDelegate(m_table);
    m_table->setItemDelegateForColumn(RollbackImpactModel::CloudLost, delegate);
    m_table->setItemDelegateForColumn(RollbackImpactModel::AdWins, delegate);
    m_table->setColumnWidth(RollbackImpactModel::Mailbox, 270);
    m_table->setColumnWidth(RollbackImpactModel::Attribute, 300);
    m_table->setColumnWidth(RollbackImpactModel::CloudLost, 300);
    m_table->setColumnWidth(RollbackImpactModel::AdWins, 300);
    layout->addWidget(m_table, 1);

    m_result = new QLabel(this);
    m_result->setObjectName(u"rollbackExportResult"_s);
    m_result->setWordWrap(true);
    m_result->hide();
    layout->addWidget(m_result);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_exportCsv = buttons->addButton(tr("Export &CSV…"), QDialogButtonBox::ActionRole);
    m_exportCsv->setObjectName(u"rollbackExportCsv"_s);
    m_exportJson = buttons->addButton(tr("Export &JSON…"), QDialogButtonBox::ActionRole);
    m_exportJson->setObjectName(u"rollbackExportJson"_s);
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { askAndExport(Format::Csv); });
    connect(m_exportJson, &QPushButton::clicked, this, [this] { askAndExport(Format::Json); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_scope, &QComboBox::currentIndexChanged, this, &RollbackImpactDialog::recompute);
    resize(1340, 600);
    recompute();
}

RollbackImpactDialog::~RollbackImpactDialog() = default;

void RollbackImpactDialog::setScope(Scope scope)
{
    const int index = m_scope->findData(int(scope));
    if (index >= 0)
        m_scope->setCurrentIndex(index);
}

RollbackImpactDialog::Scope RollbackImpactDialog::scope() const
{
    return Scope(m_scope->currentData().toInt());
}

QString RollbackImpactDialog::summaryText() const
{
    return m_summary->text();
}

void RollbackImpactDialog::recompute()
{
    if (!m_scan) {
        m_model->setImpact({});
        m_summary->setText(tr("No scan yet: open or scan a tenant first."));
        m_exportCsv->setEnabled(false);
        m_exportJson->setEnabled(false);
        return;
    }
    switch (scope()) {
    case Scope::All: m_model->setImpact(computeRollbackImpact(*m_scan)); break;
    case Scope::Shown: m_model->setImpact(computeRollbackImpact(*m_scan, m_shownRows)); break;
    case Scope::Selected: {
        const qint32 row[] = {m_selectedRow};
        m_model->setImpact(computeRollbackImpact(*m_scan, row));
        break;
    }
    }
    // Multi-valued cells take a line per value; past a few thousand rows, measuring each costs more than it helps.
    if (m_model->rowCount() <= 5000)
        m_table->resizeRowsToContents();
    m_summary->setText(formatRollbackSummaryText(m_model->impact().summary).trimmed());
    const bool any = !m_model->impact().mailboxes.empty();
    m_exportCsv->setEnabled(any);
    m_exportJson->setEnabled(any);
}

bool RollbackImpactDialog::exportTo(const QString& path, Format format)
{
    if (!m_scan)
        return false;
    QByteArray bytes;
    const RollbackReportInput input{m_model->impact(), m_scan->sources, m_scan->report.asOfMsecs};
    const ReportSink sink = [&bytes](const QByteArray& chunk) { bytes += chunk; };
    if (format == Format::Csv)
        writeRollbackImpactCsv(input, sink);
    else
        writeRollbackImpactJson(input, sink);
    const std::optional<QString> failure =
        m_writer ? m_writer(path, bytes) : std::optional<QString>(tr("This window cannot write files."));
    m_result->setText(failure ? *failure : tr("Written to %1.").arg(QDir::toNativeSeparators(path)));
    m_result->show();
    return !failure;
}

void RollbackImpactDialog::askAndExport(Format format)
{
    const bool csv = format == Format::Csv;
    const QString path = QFileDialog::getSaveFileName(
        this, csv ? tr("Export the rollback impact as CSV") : tr("Export the rollback impact as JSON"),
        csv ? u"rollback-impact.csv"_s : u"rollback-impact.json"_s,
        csv ? tr("CSV (*.csv)") : tr("JSON (*.json)"));
    if (!path.isEmpty())
        exportTo(path, format);
}

} // namespace sunset
