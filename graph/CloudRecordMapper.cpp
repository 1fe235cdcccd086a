#include "CloudRecordMapper.h"
