// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>

class QWidget;

namespace sunset {

// How a decommission wizard over the profile's history is made: app/ knows the history and gives this to the main
// window (MainWindow::setDecommissionWizardFactory); ui/ only opens what it makes (openDecommissionWizard).
using DecommissionWizardFactory = std::function<QWidget*(QWidget* parent)>;

} // namespace sunset
