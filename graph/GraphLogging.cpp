#include "GraphLogging.h"

Q_LOGGING_CATEGORY(lcGraph, "sunset.graph")
