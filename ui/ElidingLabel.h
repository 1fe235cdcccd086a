// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLabel>

namespace sunset {

// A one-line label that gives way when its row is short of room: it draws its text elided ("demo-exo.json + dem…"
// or "/home/…/history.sqlite") instead of being clipped mid-letter; text() keeps the full text (give it a tooltip
// too). For the status bar, where the sources and the history path share one line with the counts.
class ElidingLabel final : public QLabel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElidingLabel)

public:
    explicit ElidingLabel(Qt::TextElideMode mode, QWidget* parent = nullptr);

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    Qt::TextElideMode m_mode;
};

} // namespace sunset
