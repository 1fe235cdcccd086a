// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QDateTime>
#include <QList>
#include <QWidget>

#include <array>
#include <memory>

class QChart;
class QChartView;
class QLabel;

namespace sunset {

// Drift counts of one scan, per catalog attribute and severity: what the overview chart draws.
struct DriftBreakdown {
    std::array<std::array<qint64, 3>, kAttributeCount> items{}; // [attribute][severity]
    qint64 total(AttributeId attribute) const
    {
        const auto& s = items[size_t(attribute)];
        return s[0] + s[1] + s[2];
    }
    static DriftBreakdown of(const DriftReport& report);
};

// One earlier scan, for the trend: when, and how much drift it found.
struct ScanTrendPoint {
    QDateTime when;
    qint64 mailboxesWithDrift = 0;
    qint64 critical = 0; // mailboxes whose worst drift is critical
};

// The drift overview: a bar per drifting attribute, stacked by severity, for the scan on screen; below it the
// drift over the last scans (from the history) once there are two or more.
class OverviewWidget final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewWidget)

public:
    explicit OverviewWidget(QWidget* parent = nullptr);
    ~OverviewWidget() override;

    void setScan(const std::shared_ptr<const DriftScan>& scan);
    void setTrend(const QList<ScanTrendPoint>& points); // oldest first

    // What the bar chart shows, for tests: attribute names (top to bottom) and the count per severity.
    QStringList attributeCategories() const;
    QList<qreal> severityValues(Severity severity) const; // in the order of attributeCategories()
    int trendPointCount() const;

Q_SIGNALS:
    // The admin clicked an attribute's bar: filter the list by it.
    void attributeClicked(sunset::AttributeId attribute);

private:
    QChartView* m_barsView = nullptr;
    QChartView* m_trendView = nullptr;
    QLabel* m_emptyLabel = nullptr;
    QLabel* m_trendHint = nullptr;
    QList<AttributeId> m_shownAttributes;
};

} // namespace sunset
