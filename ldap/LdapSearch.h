// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to ldap/: LdapConnection::search's engine.
#include "LdapConnection.h"

#include <QByteArray>

#include <deque>
#include <vector>

namespace sunset {

// One search on a bound connection: paged results (1.2.840.113556.1.4.319) until the cookie is empty, and each
// ranged attribute ("member;range=0-1499") completed by base-scope follow-up reads, so the handler sees the entry
// an LDIF export would hold. Apart from LdapConnection, which connects and binds (as KDE's kldap separates
// LdapConnection from LdapSearch), so that each can be read on its own.
class LdapSearch final {
public:
    explicit LdapSearch(LdapConnection& connection) : m_connection(connection) {}

    // Sends the request for the first page and returns without waiting for the answer, so that several searches
    // can be under way on the connection at once (LdapConnection::searchTogether); run() with the same request
    // then reads it. Without start(), run() sends it itself.
    LdapResult<void> start(const LdapSearchRequest& request);
    LdapResult<void> run(const LdapSearchRequest& request, const LdapEntryHandler& onEntry,
                         const LdapSearchProgress& progress, LdapSearchStats* stats);

private:
    LdapConnection& m_connection;
    struct Started {
        ::ldap* handle = nullptr; // the connection it was sent on
        int messageId = 0;        // 0: not started
    } m_started;
    // Per entry, reused: the attribute views handed to the caller and the bytes of follow-up reads.
    std::vector<LdifAttribute> m_attributes;
    std::deque<QByteArray> m_scratch; // a deque: growing it never moves what earlier views point into
};

} // namespace sunset
