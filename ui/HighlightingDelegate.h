// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QStyledItemDelegate>

class QTextLayout;

namespace sunset {

// Paints what the models publish through ItemRole (Qt Creator's HighlightingItemDelegate split): highlight
// spans as QTextLayout format ranges over multi-line text, a severity colour and marker, and a background
// tint for drifting rows. It never looks at the text to decide what to emphasise.
class HighlightingDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HighlightingDelegate)

public:
    explicit HighlightingDelegate(QObject* parent = nullptr);
    ~HighlightingDelegate() override;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor severityColor(int severity); // text and marker colour; invalid for none
    static QColor tintColor(int severity);     // row background; invalid for none

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;

private:
    // Lays out the text with the spans' formats at the given width; returns the height used.
    static qreal layOut(QTextLayout& layout, const QStyleOptionViewItem& option, const QModelIndex& index,
                        qreal width);
};

} // namespace sunset
