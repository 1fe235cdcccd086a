// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <vector>

namespace sunset {

class MainWindow;

// A drift item the admin ticked in the side-by-side view: a matched pair of the scan on screen and an attribute.
struct TickedDriftItem {
    qint32 pair = -1;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
};

// The items ticked in the window, by pair then catalog order.
std::vector<TickedDriftItem> tickedDriftItems(const MainWindow& window);
// Unticks everything (after the batch was approved: those items are on their way).
void clearTickedDriftItems(const MainWindow& window);
// Ticks one item, as the check box in the side-by-side view does (tests, screenshots).
void tickDriftItem(const MainWindow& window, TickedDriftItem item);

} // namespace sunset
