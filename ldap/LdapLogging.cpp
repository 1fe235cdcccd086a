#include "LdapLogging.h"

Q_LOGGING_CATEGORY(lcLdap, "sunset.ldap")
