#pragma once

#include <QLoggingCategory>

namespace sunset {
Q_DECLARE_LOGGING_CATEGORY(lcUi)
}
