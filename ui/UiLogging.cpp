#include "UiLogging.h"

namespace sunset {
Q_LOGGING_CATEGORY(lcUi, "sunset.ui")
}
