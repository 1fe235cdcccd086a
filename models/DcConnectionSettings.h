// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace sunset {

// Which domain controller and how to bind: the one type for the connection dialog's profile, sunset-cli's --ad
// options, the decommission wizard's settings and the live reads, with one set of defaults. Holds no secret (the
// password travels beside it, only as far as the bind). Here, in the lowest layer, because the dialog (ui/) reaches
// no further down; ldap/'s connectionOptionsFor() turns it into a connection's options.
struct DcConnectionSettings {
    QString uri;                         // ldaps://host[:port] (TLS from the start) or ldap://host[:port]
    bool startTls = true;                // for ldap://: upgrade with StartTLS before the bind (ldaps:// ignores it)
    QString caFile;                      // PEM file of the CA(s) to trust; empty: the system's trust store
    bool allowInsecurePlaintext = false; // a password bind over ldap:// without TLS: explicit, never the default
    bool kerberos = false;               // bind with the Kerberos ticket cache instead of a password
    QString bindName;                    // UPN or DN, for a simple bind
    QString baseDn;                      // where the mailboxes are read; empty: the domain's defaultNamingContext

    friend bool operator==(const DcConnectionSettings&, const DcConnectionSettings&) = default;
};

} // namespace sunset
