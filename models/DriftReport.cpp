#include "DriftReport.h"
