// SPDX-License-Identifier: Apache-2.0
#include "HighlightingDelegate.h"

#include "DriftScan.h"

#include <QApplication>
#include <QPainter>
#include <QPixmap>
#include <QTextLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QTextCharFormat formatFor(HighlightKind kind, const QFont& base)
{
    QTextCharFormat f;
    switch (kind) {
    case HighlightKind::OnlyThisSide:
        // Strong enough to stand out on the row tint and on the selection.
        f.setBackground(QColor(0xff, 0xc1, 0x6b));
        f.setForeground(QColor(0x3e, 0x23, 0x00));
        f.setFontWeight(QFont::Bold);
        break;
    case HighlightKind::Invisible:
        f.setForeground(QColor(0xc6, 0x28, 0x28));
        f.setBackground(QColor(0xff, 0xe3, 0xe3));
        f.setFontWeight(QFont::Bold);
        break;
    case HighlightKind::Primary:
        f.setForeground(QColor(0x2e, 0x7d, 0x32));
        f.setFontItalic(true);
        break;
    case HighlightKind::Note:
        f.setForeground(QColor(0x75, 0x75, 0x75));
        f.setFontItalic(true);
        break;
    }
    Q_UNUSED(base);
    return f;
}

QIcon severityIcon(int severity)
{
    // One small disc per severity, made once: the mailbox list may show thousands of them while scrolling.
    static QIcon icons[3];
    if (severity < 0 || severity > 2)
        return {};
    QIcon& icon = icons[severity];
    if (icon.isNull()) {
        const qreal dpr = qApp ? qApp->devicePixelRatio() : 1.0;
        QPixmap pm(QSize(12, 12) * dpr);
        pm.setDevicePixelRatio(dpr);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(HighlightingDelegate::severityColor(severity));
        p.drawEllipse(QRectF(1.5, 1.5, 9, 9));
        icon = QIcon(pm);
    }
    return icon;
}

} // namespace

HighlightingDelegate::HighlightingDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

HighlightingDelegate::~HighlightingDelegate() = default;

QColor HighlightingDelegate::severityColor(int severity)
{
    switch (severity) {
    case int(Severity::Critical): return {0xc6, 0x28, 0x28};
    case int(Severity::Warning): return {0xb2, 0x5e, 0x00};
    case int(Severity::Normal): return {0x15, 0x65, 0xc0};
    default: return {};
    }
}

QColor HighlightingDelegate::tintColor(int severity)
{
    switch (severity) {
    case int(Severity::Critical): return {0xfd, 0xe8, 0xe8};
    case int(Severity::Warning): return {0xff, 0xf3, 0xdf};
    case int(Severity::Normal): return {0xe8, 0xf1, 0xfb};
    default: return {};
    }
}

void HighlightingDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QVariant tint = index.data(ItemRole::RowTint);
    if (tint.isValid())
        option->backgroundBrush = tintColor(tint.toInt());
    const QVariant severity = index.data(ItemRole::Severity);
    if (severity.isValid() && severity.toInt() >= 0) {
        const QColor c = severityColor(severity.toInt());
        option->palette.setColor(QPalette::Text, c);
        option->icon = severityIcon(severity.toInt());
        option->decorationSize = QSize(12, 12);
        option->features |= QStyleOptionViewItem::HasDecoration;
    }
}

qreal HighlightingDelegate::layOut(QTextLayout& layout, const QStyleOptionViewItem& option, const QModelIndex& index,
                                   qreal width)
{
    QString text = option.text;
    text.replace(u'\n', QChar::LineSeparator); // same length: span offsets stay valid
    layout.setText(text);
    layout.setFont(option.font);
    QTextOption textOption(option.displayAlignment);
    textOption.setWrapMode(option.features & QStyleOptionViewItem::WrapText ? QTextOption::WrapAtWordBoundaryOrAnywhere
                                                                            : QTextOption::ManualWrap);
    layout.setTextOption(textOption);
    QList<QTextLayout::FormatRange> ranges;
    const auto spans = index.data(ItemRole::HighlightSpans).value<QList<HighlightSpan>>();
    ranges.reserve(spans.size());
    for (const HighlightSpan& s : spans)
        ranges.append({s.start, s.length, formatFor(s.kind, option.font)});
    layout.setFormats(ranges);
    layout.beginLayout();
    qreal height = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
    }
    layout.endLayout();
    return height;
}

void HighlightingDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    // Wrapped cells take the text-layout path even without spans: it also breaks long tokens (SIDs, X500
    // addresses) that the style would elide.
    if (!(opt.features & QStyleOptionViewItem::WrapText) && !index.data(ItemRole::HighlightSpans).isValid()) {
        const QWidget* widget = opt.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
        return;
    }
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    textRect.adjust(margin, 0, -margin, 0);

    QStyleOptionViewItem background(opt);
    background.text.clear(); // the style paints background, selection, check box and focus; the text is ours
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    QTextLayout layout;
    const qreal height = layOut(layout, opt, index, textRect.width());
    QPointF origin(textRect.left(), textRect.top() + 2);
    if (opt.displayAlignment & Qt::AlignVCenter)
        origin.setY(textRect.top() + std::max<qreal>(0, (textRect.height() - height) / 2));
    const bool selected = opt.state & QStyle::State_Selected;
    painter->save();
    painter->setClipRect(textRect);
    painter->setPen(opt.palette.color(opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled,
                                      selected ? QPalette::HighlightedText : QPalette::Text));
    layout.draw(painter, origin);
    painter->restore();
}

QSize HighlightingDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    // Bold highlighted values are wider than the style measured: lay out exactly as paint() will.
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    if (!(opt.features & QStyleOptionViewItem::WrapText) && !index.data(ItemRole::HighlightSpans).isValid())
        return size;
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const qreal width = textRect.width() - 2 * margin;
    if (width <= 0)
        return size;
    QTextLayout layout;
    const int height = int(std::ceil(layOut(layout, opt, index, width))) + 6;
    size.setHeight(std::max(size.height(), height));
    return size;
}

} // namespace sunset
