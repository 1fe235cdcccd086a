#include "JsonWriter.h"
