// SPDX-License-Identifier: Apache-2.0
#include "UiLogging.h"

namespace sunset {
Q_LOGGING_CATEGORY(lcUi, "sunset.ui")
}
