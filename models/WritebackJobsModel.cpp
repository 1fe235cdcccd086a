// SPDX-License-Identifier: Apache-2.0
#include "WritebackJobsModel.h"

#include "DriftScan.h"

#include <QDateTime>
#include <QLocale>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString writebackPanelTime(qint64 msecs)
{
    return msecs > 0 ? QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s) : QString();
}

namespace {

bool isQuarantined(const WritebackJob& job) { return job.code == SyncJobCode::Quarantine || job.quarantine; }

// The catalog's count of the attributes Cloud Sync writes back (24 [documented: Learn, cloud-sync/exchange-hybrid]).
int writtenBackCount()
{
    static const int count = [] {
        int n = 0;
        for (const AttributeSpec& spec : AttributeCatalog::all())
            n += spec.writtenBackByCloudSync ? 1 : 0;
        return n;
    }();
    return count;
}

} // namespace

WritebackJobsModel::WritebackJobsModel(QObject* parent) : QAbstractTableModel(parent) {}

WritebackJobsModel::~WritebackJobsModel() = default;

void WritebackJobsModel::setState(std::shared_ptr<const CloudSyncState> state)
{
    beginResetModel();
    m_state = std::move(state);
    endResetModel();
}

int WritebackJobsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_state ? 0 : int(m_state->jobs.size());
}

int WritebackJobsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant WritebackJobsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !m_state || index.row() >= rowCount())
        return {};
    const WritebackJob& job = m_state->jobs[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: return text(job, index.column());
    case Qt::ToolTipRole: return toolTip(job, index.column());
    case ItemRole::Severity: return severity(job, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == ObjectsInScope ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    default: return {};
    }
}

QVariant WritebackJobsModel::text(const WritebackJob& job, int column) const
{
    switch (column) {
    case Domain: return job.domain.isEmpty() ? tr("(no DomainFQDN)") : job.domain;
    case State: {
        if (isQuarantined(job))
            return job.quarantine && !job.quarantine->reason.isEmpty()
                       ? tr("Quarantined: %1").arg(job.quarantine->reason)
                       : tr("Quarantined");
        const QString unhealthy = job.unhealthyReason();
        if (!unhealthy.isEmpty())
            return QString(unhealthy.front().toUpper() + unhealthy.mid(1));
        return job.statusCodeText.isEmpty() ? tr("(no status read)") : job.statusCodeText;
    }
    case QuarantinedSince:
        return job.quarantine ? writebackPanelTime(job.quarantine->currentBeganMsecs) : QString();
    case LastSuccessfulRun:
        return job.lastSuccessfulRunMsecs() > 0 ? writebackPanelTime(job.lastSuccessfulRunMsecs()) : tr("never");
    case NextRunDue: {
        const qint64 due = job.nextRunDueMsecs();
        if (due > 0)
            return isQuarantined(job) ? tr("%1 (next attempt)").arg(writebackPanelTime(due)) : writebackPanelTime(due);
        return job.code == SyncJobCode::Paused || !job.unhealthyReason().isEmpty() ? tr("not scheduled") : tr("unknown");
    }
    case MappingsMissing: {
        if (!job.schemaRead)
            return tr("schema not read");
        const std::vector<AttributeId> unmapped = job.unmappedAttributes();
        if (unmapped.empty())
            return tr("none (all %1 mapped)").arg(writtenBackCount());
        QStringList names;
        for (const AttributeId a : unmapped)
            names << AttributeCatalog::spec(a).ldapName;
        return tr("%1 of %2: %3").arg(unmapped.size()).arg(writtenBackCount()).arg(names.join(u", "_s));
    }
    case ObjectsInScope: {
        const qint64 n = job.objectsInScope();
        return n < 0 ? tr("not reported") : QLocale().toString(n);
    }
    }
    return {};
}

QVariant WritebackJobsModel::toolTip(const WritebackJob& job, int column) const
{
    switch (column) {
    case Domain:
        return job.servicePrincipalId.isEmpty()
                   ? tr("Job %1").arg(job.id)
                   : tr("Job %1\nof service principal %2").arg(job.id, job.servicePrincipalId);
    case State: {
        QString tip = job.unhealthyReason();
        if (tip.isEmpty())
            tip = tr("Writing back: status %1, schedule %2").arg(job.statusCodeText, job.scheduleState);
        if (job.lastExecution && !job.lastExecution->errorCode.isEmpty())
            tip += tr("\nLast run %1: %2").arg(job.lastExecution->state, job.lastExecution->errorCode);
        if (isQuarantined(job))
            tip += tr("\nEntra retries on its own at the next attempt; fix the reason, then restart the job in the "
                      "Entra admin center (Cloud Sync › the configuration › Restart sync).");
        return tip;
    }
    case QuarantinedSince:
        if (job.quarantine && job.quarantine->seriesBeganMsecs > 0)
            return tr("This quarantine began %1; the series of quarantines began %2")
                .arg(writebackPanelTime(job.quarantine->currentBeganMsecs),
                     writebackPanelTime(job.quarantine->seriesBeganMsecs));
        return {};
    case NextRunDue:
        return job.scheduleIntervalMsecs > 0
                   ? tr("Runs every %n minute(s) after its last successful run", nullptr,
                        int(job.scheduleIntervalMsecs / 60000))
                   : QVariant();
    case MappingsMissing:
        if (!job.schemaRead)
            return tr("Give the job's schema (sunset-cli --sync-schema, or a live scan with Synchronization.Read.All) "
                      "to see which of the %1 attributes it maps").arg(writtenBackCount());
        if (!job.unmappedAttributes().empty())
            return tr("Cloud Sync does not write these back, so AD keeps its old values. In the Entra admin center, "
                      "the configuration's attribute mapping › Restore default mappings adds them; it restarts "
                      "the job (a full cycle).");
        return {};
    case ObjectsInScope: {
        QStringList lines;
        for (const WritebackJob::EntryCount& c : job.synchronizedEntryCounts)
            lines << tr("%1: %2").arg(c.type, QLocale().toString(c.count));
        return lines.isEmpty() ? tr("The job's status has no synchronizedEntryCountByType") : lines.join(u'\n');
    }
    }
    return {};
}

QVariant WritebackJobsModel::severity(const WritebackJob& job, int column) const
{
    if ((column == State || column == QuarantinedSince) && !job.unhealthyReason().isEmpty())
        return int(Severity::Critical);
    if (column == MappingsMissing && !job.unmappedAttributes().empty())
        return int(Severity::Warning);
    return {};
}

QVariant WritebackJobsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Domain: return tr("AD domain");
    case State: return tr("State");
    case QuarantinedSince: return tr("Quarantined since");
    case LastSuccessfulRun: return tr("Last successful run");
    case NextRunDue: return tr("Next run due");
    case MappingsMissing: return tr("Mappings missing");
    case ObjectsInScope: return tr("Objects in scope");
    }
    return {};
}

} // namespace sunset
