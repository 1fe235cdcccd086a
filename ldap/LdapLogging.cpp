// SPDX-License-Identifier: Apache-2.0
#include "LdapLogging.h"

Q_LOGGING_CATEGORY(lcLdap, "sunset.ldap")
