// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

namespace sunset {
Q_DECLARE_LOGGING_CATEGORY(lcUi)
}
