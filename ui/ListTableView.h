// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HighlightingDelegate.h"

#include <QHeaderView>
#include <QTableView>

namespace sunset {

// A read-only list as Sunset's secondary windows and panels show one: whole rows selected one at a time, one line
// per row at a fixed height (the view never measures rows one by one), the last column taking the rest, and the
// models' ItemRole styling painted by a HighlightingDelegate.
inline QTableView* makeListTableView(const QString& name, QWidget* parent)
{
    auto* view = new QTableView(parent);
    view->setObjectName(name);
    view->setItemDelegate(new HighlightingDelegate(view));
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setShowGrid(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

} // namespace sunset
