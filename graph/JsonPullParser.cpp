#include "JsonPullParser.h"
