// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdapConnection.h"
#include "LdifReader.h"
#include "Snapshot.h"

#include <QByteArray>
#include <QByteArrayList>

namespace sunset {

// Mail-enabled users: what Sunset reads from AD. The same filter serves ldapsearch/ldifde exports.
inline constexpr char kAdMailboxFilter[] =
    "(&(objectClass=user)(|(msExchRecipientTypeDetails=*)(proxyAddresses=*)(mailNickname=*)(targetAddress=*)))";

// The attributes read for each mailbox: the identity attributes, then every catalog attribute.
QByteArrayList adSnapshotAttributes();
// What each mailbox is asked for besides, when the read carries replication metadata.
QByteArrayList adReplicationMetadataAttributes();

struct AdLdapReadOptions {
    int pageSize = 1000;
    // > 0: ask multi-valued catalog attributes N values at a time (";range=0-(N-1)", then follow-ups), as AD
    // does by itself at 1,500. Tests use it against servers that do not cut (Samba).
    int forcedRange = 0;
    // Sees every entry as read, ranged attributes completed, before the snapshot takes it: e.g. to write what
    // was read as LDIF (sunset-cli dump). The views are valid only during the call.
    std::function<void(const LdifEntry& entry)> onEntry;
    // Also read each mailbox's replication metadata (replPropertyMetaData; msDS-ReplAttributeMetaData is not asked
    // for, see adReplicationMetadataAttributes) and, before the mailboxes, what decodes it: the catalog attributes' attributeSchema
    // entries and the DCs' server and nTDSDSA entries under CN=Sites (onEntry sees those too, so a dump carries
    // them). Fills Snapshot::changeMetadata.
    bool replicationMetadata = true;
};

// What a snapshot read from LDAP names as its source: the LDAP URL with the base DN.
QString adLdapSourceName(const LdapConnection& connection, const QByteArray& baseDn);
// The search that reads every mailbox under baseDn (kAdMailboxFilter, adSnapshotAttributes, paged, ranged as the
// options say, replication metadata when asked): shared by the full and the incremental read.
LdapSearchRequest adMailboxSearchRequest(const QByteArray& baseDn, const AdLdapReadOptions& options);
// The searches for the entries that decode replication metadata (the catalog attributes' attributeSchema entries,
// the DCs' server and nTDSDSA entries), for a caller that sends them together with its own
// (LdapConnection::searchTogether: one round trip); empty when the root DSE cannot be read (logged). A failed one
// is logged with the next function, not returned (the metadata then stays undecoded).
std::vector<LdapSearchRequest> adMetadataDictionarySearches(LdapConnection& connection);
void logAdMetadataDictionaryFailure(const LdapSearchRequest& request, const LdapError& failure);

// Reads every mailbox under baseDn over a bound connection into the same Snapshot an LDIF export of the same
// objects gives (AdSnapshotReader does the mapping for both). progress is called after each page with the
// number of entries read so far; returning false cancels. The snapshot's source is the LDAP URL.
Result<Snapshot> readAdSnapshotFromLdap(LdapConnection& connection, const QByteArray& baseDn,
                                        const ReadProgress& progress = {}, const AdLdapReadOptions& options = {});

} // namespace sunset
