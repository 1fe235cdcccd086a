// SPDX-License-Identifier: Apache-2.0
#include "ScanHistory.h"

#include "HistoryStore.h"
#include "ScanRecording.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ScanHistoryResult recordScanAndReadTrend(const QString& path, std::shared_ptr<const DriftScan> scan,
                                         const QDateTime& started, const QDateTime& finished, int limit)
{
    ScanHistoryResult result;
    auto store = HistoryStore::open(path, HistoryActor::current());
    if (!store) {
        result.error = store.error().message;
        return result;
    }
    if (scan) {
        const DriftReportInput input{scan->report, scan->ad, scan->cloud, scan->summary, scan->sources};
        if (auto recorded = store.value()->recordScan(scanRecord(input, started, finished)); !recorded)
            result.error = recorded.error().message;
    }
    auto scans = store.value()->scans();
    if (!scans) {
        result.error = scans.error().message;
        return result;
    }
    const size_t n = std::min(scans->size(), size_t(std::max(limit, 0)));
    for (size_t i = 0; i < n; ++i) {
        // scans() leaves the summary out (the drift JSON beside it can be large): one scan at a time.
        auto full = store.value()->scan(scans.value()[i].id);
        if (!full)
            continue;
        const QJsonObject summary = QJsonDocument::fromJson(full->record.summaryJson).object();
        ScanTrendPoint point;
        point.when = full->record.finished.isValid() ? full->record.finished : full->recordedAt;
        point.mailboxesWithDrift = summary.value(u"mailboxesWithDrift"_s).toInteger();
        point.critical = summary.value(u"mailboxesByWorstSeverity"_s).toObject().value(u"critical"_s).toInteger();
        result.trend.prepend(point);
    }
    return result;
}

} // namespace sunset
