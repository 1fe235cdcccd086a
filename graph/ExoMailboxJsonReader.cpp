#include "ExoMailboxJsonReader.h"
