#include "HistoryExport.h"

#include "BatchApplier.h"

#include <QDir>
#include <QSaveFile>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

std::optional<HistoryError> writeExportFile(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return HistoryError{u"Cannot write %1: %2."_s.arg(QDir::toNativeSeparators(path), file.errorString())};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(bytes) != bytes.size() || !file.commit())
        return HistoryError{u"Writing %1 failed: %2."_s.arg(QDir::toNativeSeparators(path), file.errorString())};
    return std::nullopt;
}

HistoryResult<QByteArray> batchLdifExport(const HistoryStore& store, qint64 batchId)
{
    const auto batch = store.batch(batchId);
    if (!batch)
        return batch.error();
    const auto changes = store.changes(batchId);
    if (!changes)
        return changes.error();
    return batchLdif(batch.value(), changes.value());
}

HistoryResult<QByteArray> historyCsv(const HistoryStore&, const HistoryExportFilter&)
{
    return HistoryError{u"The CSV export is not built yet."_s};
}

HistoryResult<QByteArray> historyJson(const HistoryStore&, const HistoryExportFilter&)
{
    return HistoryError{u"The JSON export is not built yet."_s};
}

std::optional<HistoryError> writeBatchReportPdf(const HistoryStore&, qint64, const QString&)
{
    return HistoryError{u"The PDF report is not built yet."_s};
}

} // namespace sunset
