// SPDX-License-Identifier: Apache-2.0
#include "ElidingLabel.h"

#include <QPainter>
#include <QStyle>

namespace sunset {

ElidingLabel::ElidingLabel(Qt::TextElideMode mode, QWidget* parent)
    : QLabel(parent)
    , m_mode(mode)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QSize ElidingLabel::minimumSizeHint() const
{
    // Room for a few letters and the ellipsis: the layout may shrink it that far before clipping anything else.
    return {fontMetrics().horizontalAdvance(QStringLiteral("Wwww\u2026")), QLabel::minimumSizeHint().height()};
}

void ElidingLabel::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QRect room = contentsRect();
    const QString shown = fontMetrics().elidedText(text(), m_mode, room.width());
    style()->drawItemText(&painter, room, int(alignment()) | Qt::TextSingleLine, palette(), isEnabled(), shown,
                          foregroundRole());
}

} // namespace sunset
