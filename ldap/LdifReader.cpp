#include "LdifReader.h"
