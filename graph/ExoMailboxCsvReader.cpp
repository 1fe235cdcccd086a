#include "ExoMailboxCsvReader.h"
