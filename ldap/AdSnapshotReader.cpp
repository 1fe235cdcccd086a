#include "AdSnapshotReader.h"
