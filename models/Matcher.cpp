#include "Matcher.h"
