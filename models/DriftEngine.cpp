#include "DriftEngine.h"
