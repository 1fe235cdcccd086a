// SPDX-License-Identifier: Apache-2.0
#include "OverviewWidget.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// QChart::removeAxis hands the axis back to the caller (removeAllSeries deletes the series, not their axes).
void removeAndDelete(QChart& chart, QAbstractAxis* axis)
{
    chart.removeAxis(axis);
    delete axis;
}

// The delegates' severity colours, so the chart and the list speak the same language.
QColor severityColour(Severity s)
{
    switch (s) {
    case Severity::Critical: return QColor(0xc6, 0x28, 0x28);
    case Severity::Warning: return QColor(0xef, 0x9a, 0x1a);
    case Severity::Normal: return QColor(0x5c, 0x7c, 0xa8);
    }
    return Qt::gray;
}

QChartView* makeView(QWidget* parent)
{
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation); // redraws at once on a new scan; no motion to wait for
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    return view;
}

} // namespace

DriftBreakdown DriftBreakdown::of(const DriftReport& report)
{
    DriftBreakdown b;
    for (const DriftItem& item : report.allItems())
        ++b.items[size_t(item.attribute)][size_t(item.severity)];
    return b;
}

OverviewWidget::OverviewWidget(QWidget* parent) : QWidget(parent)
{
    setObjectName(u"overview"_s);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_emptyLabel = new QLabel(tr("No scan yet: connect to your sources (Ctrl+O) to see the drift overview."), this);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_emptyLabel);
    m_barsView = makeView(this);
    m_barsView->setObjectName(u"driftByAttributeChart"_s);
    m_barsView->chart()->setTitle(tr("Drift items per attribute and severity"));
    layout->addWidget(m_barsView, 3);
    m_trendView = makeView(this);
    m_trendView->setObjectName(u"driftTrendChart"_s);
    m_trendView->chart()->setTitle(tr("Mailboxes with drift over the last scans"));
    layout->addWidget(m_trendView, 2);
    m_trendHint = new QLabel(tr("The trend appears once the history holds two scans."), this);
    m_trendHint->setObjectName(u"trendHint"_s);
    m_trendHint->setWordWrap(true);
    m_trendHint->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_trendHint);
    setMinimumWidth(360);
    setScan(nullptr);
    setTrend({});
}

OverviewWidget::~OverviewWidget() = default;

void OverviewWidget::setScan(const std::shared_ptr<const DriftScan>& scan)
{
    QChart* chart = m_barsView->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes())
        removeAndDelete(*chart, axis);
    m_shownAttributes.clear();
    m_emptyLabel->setVisible(!scan);
    m_barsView->setVisible(bool(scan));
    if (!scan)
        return;

    const DriftBreakdown breakdown = DriftBreakdown::of(scan->report);
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (breakdown.total(spec.id) > 0)
            m_shownAttributes.append(spec.id);
    // Biggest at the top: a horizontal bar series draws its first category at the bottom.
    std::stable_sort(m_shownAttributes.begin(), m_shownAttributes.end(), [&](AttributeId a, AttributeId b) {
        return breakdown.total(a) < breakdown.total(b);
    });

    auto* series = new QHorizontalStackedBarSeries;
    for (Severity s : {Severity::Critical, Severity::Warning, Severity::Normal}) {
        auto* set = new QBarSet(severityLabel(int(s)));
        set->setColor(severityColour(s));
        set->setBorderColor(severityColour(s));
        for (AttributeId a : m_shownAttributes)
            *set << qreal(breakdown.items[size_t(a)][size_t(s)]);
        series->append(set);
    }
    series->setBarWidth(0.7);
    connect(series, &QHorizontalStackedBarSeries::clicked, this, [this](int index, QBarSet*) {
        if (index >= 0 && index < m_shownAttributes.size())
            Q_EMIT attributeClicked(m_shownAttributes[index]);
    });
    chart->addSeries(series);

    QStringList categories;
    qint64 maxTotal = 0;
    for (AttributeId a : m_shownAttributes) {
        categories << QString(AttributeCatalog::spec(a).ldapName);
        maxTotal = std::max(maxTotal, breakdown.total(a));
    }
    auto* names = new QBarCategoryAxis;
    names->append(categories);
    // The catalog's longest names (msExchRecipientTypeDetails) must fit beside the bars, not be elided.
    QFont small = names->labelsFont();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.78));
    names->setLabelsFont(small);
    chart->addAxis(names, Qt::AlignLeft);
    series->attachAxis(names);
    auto* counts = new QValueAxis;
    counts->setLabelFormat(u"%d"_s);
    counts->setRange(0, std::max<qint64>(maxTotal, 1));
    counts->setTickCount(int(std::min<qint64>(maxTotal, 5)) + 1);
    counts->applyNiceNumbers();
    chart->addAxis(counts, Qt::AlignBottom);
    series->attachAxis(counts);
    chart->setTitle(m_shownAttributes.isEmpty()
                        ? tr("No drift: every matched mailbox agrees with Exchange Online")
                        : tr("Drift items per attribute and severity (%1 in all)")
                              .arg(QLocale().toString(scan->summary.driftItems)));
}

void OverviewWidget::setTrend(const QList<ScanTrendPoint>& points)
{
    QChart* chart = m_trendView->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes())
        removeAndDelete(*chart, axis);
    const bool show = points.size() >= 2;
    m_trendView->setVisible(show);
    m_trendHint->setVisible(!show);
    if (!show)
        return;
    auto* drift = new QLineSeries;
    drift->setName(tr("With drift"));
    drift->setColor(severityColour(Severity::Normal));
    auto* critical = new QLineSeries;
    critical->setName(tr("Critical"));
    critical->setColor(severityColour(Severity::Critical));
    qint64 maxValue = 1;
    for (const ScanTrendPoint& p : points) {
        const qreal x = qreal(p.when.toMSecsSinceEpoch());
        drift->append(x, qreal(p.mailboxesWithDrift));
        critical->append(x, qreal(p.critical));
        maxValue = std::max({maxValue, p.mailboxesWithDrift, p.critical});
    }
    chart->addSeries(drift);
    chart->addSeries(critical);
    auto* time = new QDateTimeAxis;
    time->setFormat(u"d MMM HH:mm"_s);
    time->setRange(points.first().when, points.last().when);
    time->setTickCount(std::min<int>(int(points.size()), 5));
    chart->addAxis(time, Qt::AlignBottom);
    auto* values = new QValueAxis;
    values->setLabelFormat(u"%d"_s);
    values->setRange(0, qreal(maxValue));
    values->applyNiceNumbers();
    chart->addAxis(values, Qt::AlignLeft);
    for (QLineSeries* s : {drift, critical}) {
        s->setPointsVisible(true);
        s->attachAxis(time);
        s->attachAxis(values);
    }
}

QStringList OverviewWidget::attributeCategories() const
{
    QStringList names;
    for (AttributeId a : m_shownAttributes)
        names << QString(AttributeCatalog::spec(a).ldapName);
    return names;
}

QList<qreal> OverviewWidget::severityValues(Severity severity) const
{
    const auto series = m_barsView->chart()->series();
    if (series.isEmpty())
        return {};
    const auto* bars = qobject_cast<const QHorizontalStackedBarSeries*>(series.first());
    const QString label = severityLabel(int(severity));
    for (const QBarSet* set : bars->barSets()) {
        if (set->label() == label) {
            QList<qreal> values;
            for (int i = 0; i < set->count(); ++i)
                values << set->at(i);
            return values;
        }
    }
    return {};
}

int OverviewWidget::trendPointCount() const
{
    const auto series = m_trendView->chart()->series();
    return series.isEmpty() ? 0 : int(qobject_cast<const QLineSeries*>(series.first())->count());
}

} // namespace sunset
