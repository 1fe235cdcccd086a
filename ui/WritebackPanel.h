// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTableView;

namespace sunset {

class ProvisioningIssuesModel;
class WritebackJobsModel;

// The Writeback panel: what Entra Cloud Sync says about its writeback for the scan on screen. Each AD domain's
// job (state, quarantine and since when, last successful run, next run due, mappings missing, objects in scope),
// then the objects that failed or were skipped in the cycles of the provisioning log read (failing now first, then
// those written back since), each leading to its mailbox. When Cloud Sync's state was not read, it says what is
// missing and how to provide it.
class WritebackPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WritebackPanel)

public:
    explicit WritebackPanel(QWidget* parent = nullptr);
    ~WritebackPanel() override;

    void setScan(const std::shared_ptr<const DriftScan>& scan);

    WritebackJobsModel* jobsModel() const { return m_jobs; }
    ProvisioningIssuesModel* issuesModel() const { return m_issues; }
    QTableView* jobsView() const { return m_jobsView; }
    QTableView* issuesView() const { return m_issuesView; }
    QString statusText() const; // the summary line above the jobs, as plain text

Q_SIGNALS:
    // A provisioning row was activated (double-click, Enter) whose object is a mailbox of the scan.
    void mailboxActivated(int scanRow);

private:
    void fitJobsHeight();

    WritebackJobsModel* m_jobs = nullptr;
    ProvisioningIssuesModel* m_issues = nullptr;
    QLabel* m_status = nullptr;
    QTableView* m_jobsView = nullptr;
    QLabel* m_issuesTitle = nullptr;
    QTableView* m_issuesView = nullptr;
};

// What of Cloud Sync's state a scan lacks, and how to provide it; empty when jobs and log were both read.
QString cloudSyncMissingText(const CloudSyncState& state);

} // namespace sunset
