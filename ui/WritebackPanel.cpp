// SPDX-License-Identifier: Apache-2.0
#include "WritebackPanel.h"

#include "ListTableView.h"
#include "ProvisioningIssuesModel.h"
#include "WritebackJobsModel.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QTableView* makeTable(QAbstractItemModel* model, const QString& name, QWidget* parent)
{
    QTableView* view = makeListTableView(name, parent);
    view->setModel(model);
    return view;
}

// A source as the status line names it: the file's name (the tooltip has the path), or "Graph" as given.
QString sourceName(const QString& source)
{
    return source.contains(u'/') ? QFileInfo(source).fileName() : source;
}

// Up to this many rows the provisioning list wraps its long reasons onto more lines (each row measured); beyond
// it (a job failing for the whole tenant) rows keep one line and the full text is in the tooltip.
constexpr int kMeasuredIssueRows = 500;

QLabel* makeLabel(const QString& name, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

// Counts what the list holds: objects failing or skipped now, and those written back since (recovered).
QString issuesTitle(const ProvisioningIssuesModel& issues)
{
    if (issues.rowCount() == 0)
        return WritebackPanel::tr("Not written back in the last cycles: none. No entry of the log read failed or was "
                                  "skipped.");
    const QLocale l;
    return WritebackPanel::tr("Not written back in the last cycles: %1 failing now, %2 recovered, %3 skipped (every "
                              "object that failed or was skipped in the log read; recovered ones were written back "
                              "since). Double-click one to show its mailbox.")
        .arg(l.toString(issues.failureCount()), l.toString(issues.recoveredCount()), l.toString(issues.skipCount()));
}

} // namespace

QString cloudSyncMissingText(const CloudSyncState& state)
{
    QStringList missing;
    if (!state.jobsRead)
        missing << (state.jobsMissingReason.isEmpty()
                        ? WritebackPanel::tr("The writeback jobs were not read (no jobs file given, no live read).")
                        : WritebackPanel::tr("The writeback jobs were not read: %1.").arg(state.jobsMissingReason));
    if (!state.provisioningRead)
        missing << (state.provisioningMissingReason.isEmpty()
                        ? WritebackPanel::tr("The provisioning log was not read (no log file given, no live read).")
                        : WritebackPanel::tr("The provisioning log was not read: %1.").arg(state.provisioningMissingReason));
    if (missing.isEmpty())
        return {};
    return missing.join(u' ') +
           WritebackPanel::tr(" Without them drift on the 24 written-back attributes stays unexplained. A live scan "
                              "reads them when Sunset's app registration has Synchronization.Read.All (jobs and "
                              "schemas) and AuditLog.Read.All (provisioning log). Offline, save Graph's answers "
                              "(GET /servicePrincipals/{id}/synchronization/jobs, …/jobs/{jobId}/schema, "
                              "/auditLogs/provisioning) and give them to sunset-cli diff as --sync-jobs, "
                              "--sync-schema and --provisioning-log.");
}

WritebackPanel::WritebackPanel(QWidget* parent) : QWidget(parent)
{
    m_jobs = new WritebackJobsModel(this);
    m_issues = new ProvisioningIssuesModel(this);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    m_status = makeLabel(u"writebackStatus"_s, this);
    layout->addWidget(m_status);

    m_jobsView = makeTable(m_jobs, u"writebackJobsView"_s, this);
    m_jobsView->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // sized to its rows: one per AD domain
    QHeaderView* jobsHeader = m_jobsView->horizontalHeader();
    const int jobWidths[] = {150, 300, 150, 150, 230, 230};
    for (int c = 0; c < WritebackJobsModel::ObjectsInScope; ++c)
        jobsHeader->resizeSection(c, jobWidths[c]);
    layout->addWidget(m_jobsView);

    m_issuesTitle = makeLabel(u"writebackIssuesTitle"_s, this);
    layout->addWidget(m_issuesTitle);
    m_issuesView = makeTable(m_issues, u"writebackIssuesView"_s, this);
    m_issuesView->setToolTip(tr("Double-click a row, or press Enter, to show its mailbox in the list"));
    QHeaderView* issuesHeader = m_issuesView->horizontalHeader();
    const int issueWidths[] = {150, 330, 150, 80, 300, 170};
    for (int c = 0; c < ProvisioningIssuesModel::Details; ++c)
        issuesHeader->resizeSection(c, issueWidths[c]);
    layout->addWidget(m_issuesView, 1);
    connect(m_issuesView, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QVariant row = index.data(ItemRole::ScanRowIndex);
        if (row.isValid())
            Q_EMIT mailboxActivated(row.toInt());
    });
    setScan(nullptr);
}

WritebackPanel::~WritebackPanel() = default;

void WritebackPanel::setScan(const std::shared_ptr<const DriftScan>& scan)
{
    const std::shared_ptr<const CloudSyncState> state = scan ? scan->report.cloudSync : nullptr;
    m_jobs->setState(state);
    m_issues->setScan(scan);
    if (!state) {
        m_status->setText(tr("No scan yet: Cloud Sync's writeback state shows here once a scan has read it."));
        m_jobsView->hide();
        m_issuesTitle->hide();
        m_issuesView->hide();
        return;
    }
    const QLocale l;
    QStringList read;
    QStringList sources;
    if (state->jobsRead) {
        read << (state->jobs.size() == 1 ? tr("1 writeback job from %1")
                                         : tr("%1 writeback jobs from %2").arg(l.toString(qlonglong(state->jobs.size()))))
                    .arg(sourceName(state->jobsSource));
        sources << state->jobsSource;
    }
    if (!state->schemaSource.isEmpty()) {
        read << tr("their schemas from %1").arg(sourceName(state->schemaSource));
        sources << state->schemaSource;
    }
    if (state->provisioningRead) {
        read << tr("the provisioning log from %1, %2 to %3")
                    .arg(sourceName(state->provisioningSource), writebackPanelTime(state->provisioning.oldestMsecs),
                         writebackPanelTime(state->provisioning.newestMsecs));
        sources << state->provisioningSource;
    }
    m_status->setToolTip(sources.join(u'\n'));
    const QString missing = cloudSyncMissingText(*state);
    QString status = read.isEmpty() ? QString() : tr("Cloud Sync as read: %1.").arg(read.join(u"; "_s));
    if (!missing.isEmpty())
        status += (status.isEmpty() ? QString() : u" "_s) + missing;
    if (state->jobsRead && state->jobs.empty())
        status += tr(" No Exchange writeback job (template %1) was found: Cloud Sync is not writing Exchange attributes "
                     "back to AD for any domain.").arg(kWritebackJobTemplateId);
    m_status->setText(status);

    m_jobsView->setVisible(state->jobsRead && !state->jobs.empty());
    m_jobsView->resizeColumnsToContents(); // one row per domain: measuring is cheap, and nothing is cut off
    fitJobsHeight();
    const bool measured = m_issues->rowCount() <= kMeasuredIssueRows;
    m_issuesView->setWordWrap(measured);
    m_issuesView->verticalHeader()->setSectionResizeMode(measured ? QHeaderView::ResizeToContents : QHeaderView::Fixed);
    if (measured) {
        for (int c = 0; c < ProvisioningIssuesModel::Details; ++c)
            m_issuesView->resizeColumnToContents(c);
    }
    m_issuesTitle->setVisible(state->provisioningRead);
    m_issuesView->setVisible(state->provisioningRead && m_issues->rowCount() > 0);
    if (state->provisioningRead)
        m_issuesTitle->setText(issuesTitle(*m_issues));
}

QString WritebackPanel::statusText() const { return m_status->text(); }

void WritebackPanel::fitJobsHeight()
{
    const int rows = m_jobs->rowCount();
    const int height = m_jobsView->horizontalHeader()->sizeHint().height() +
                       rows * m_jobsView->verticalHeader()->defaultSectionSize() + 2 * m_jobsView->frameWidth();
    m_jobsView->setFixedHeight(height);
}

} // namespace sunset
