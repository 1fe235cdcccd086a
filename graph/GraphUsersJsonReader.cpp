#include "GraphUsersJsonReader.h"
