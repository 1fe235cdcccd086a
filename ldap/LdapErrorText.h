// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to ldap/: what libldap's result codes mean, said for an admin.
#include "LdapConnection.h"

namespace sunset {

LdapErrorCode codeForResult(int rc);

// The texts of one server's errors: what Sunset was doing, on which host, why, and what to do about it.
class LdapErrorText final {
public:
    // hostPort and hostName as the connection's URI names them; options for the CA file and the timeout.
    LdapErrorText(const LdapConnectionOptions& options, QString hostPort, QString hostName);

    // libldap's rc while doing something ("Reading the root DSE"; "%1" in doing stands for the host), with the
    // server's diagnostic message when it gave one.
    LdapError forResult(int rc, const QString& doing, const QString& serverMessage) const;
    // An error Sunset finds itself (malformed answers, cancel, limits).
    static LdapError own(LdapErrorCode code, const QString& message);

private:
    QString tlsFailureText() const;

    const LdapConnectionOptions& m_options;
    QString m_hostPort;
    QString m_hostName;
};

} // namespace sunset
