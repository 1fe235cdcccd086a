// SPDX-License-Identifier: Apache-2.0
#include "TickedDriftItems.h"

#include "AttributeComparisonModel.h"
#include "MainWindow.h"

namespace sunset {

std::vector<TickedDriftItem> tickedDriftItems(const MainWindow& window)
{
    std::vector<TickedDriftItem> out;
    if (const WritebackTicks* selection = window.writebackSelection())
        for (const WritebackTicks::Entry& e : selection->entries())
            out.push_back({e.pair, e.attribute});
    return out;
}

void clearTickedDriftItems(const MainWindow& window)
{
    if (WritebackTicks* selection = window.writebackSelection())
        selection->clear();
}

void tickDriftItem(const MainWindow& window, TickedDriftItem item)
{
    if (WritebackTicks* selection = window.writebackSelection())
        selection->setSelected(item.pair, item.attribute, true);
}

} // namespace sunset
