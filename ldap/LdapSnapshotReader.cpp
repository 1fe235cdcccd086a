// SPDX-License-Identifier: Apache-2.0
#include "LdapSnapshotReader.h"

#include "AdSnapshotReader.h"
#include "AttributeCatalog.h"
#include "LdapConnection.h"
#include "LdapEscape.h"
#include "LdapLogging.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QByteArrayList adSnapshotAttributes()
{
    // The identity attributes AdSnapshotReader knows, then the catalog.
    QByteArrayList attributes = {"objectClass",       "homeMDB",
                                 "userPrincipalName", "displayName",
                                 "objectGUID",        "mS-DS-ConsistencyGuid",
                                 "objectSid",         "msDS-ExternalDirectoryObjectId",
                                 "whenChanged"};
    for (const AttributeSpec& spec : AttributeCatalog::all())
        attributes << QByteArray(spec.ldapName.data(), spec.ldapName.size());
    return attributes;
}

// The searches for the entries that decode replication metadata: the catalog attributes' schema entries
// (attributeID, msDS-IntId) and the DCs' server and nTDSDSA entries (dNSHostName, invocationId). A forest
// where the bound account may not read them still scans; the metadata then stays undecoded (and says so in the
// log), because it is evidence for explaining drift, not what the scan is for.
std::vector<LdapSearchRequest> adMetadataDictionarySearches(LdapConnection& connection)
{
    const auto rootDse = connection.readRootDse();
    if (!rootDse) {
        qCWarning(lcLdap).noquote() << "replication metadata not decoded:" << rootDse.error().toString();
        return {};
    }
    LdapSearchRequest schema;
    schema.baseDn = rootDse->schemaNamingContext;
    schema.scope = LdapScope::OneLevel;
    schema.filter = "(&(objectClass=attributeSchema)(|";
    for (const AttributeSpec& spec : AttributeCatalog::all())
        schema.filter += "(lDAPDisplayName=" + escapeFilterValue(QByteArrayView(spec.ldapName.data(), spec.ldapName.size())) + ')';
    schema.filter += "))";
    schema.attributes = {"objectClass", "lDAPDisplayName", "attributeID", "msDS-IntId"};

    LdapSearchRequest sites;
    sites.baseDn = "CN=Sites," + rootDse->configurationNamingContext;
    sites.filter = "(|(objectClass=server)(objectClass=nTDSDSA))";
    sites.attributes = {"objectClass", "dNSHostName", "invocationId"};
    return {schema, sites};
}

// Failures of the dictionary's searches are logged, not returned: see adMetadataDictionarySearches.
void logAdMetadataDictionaryFailure(const LdapSearchRequest& request, const LdapError& failure)
{
    qCWarning(lcLdap).noquote() << "replication metadata: reading" << QString::fromUtf8(request.baseDn)
                                << "failed:" << failure.toString();
}

QByteArrayList adReplicationMetadataAttributes()
{
    // The binary replPropertyMetaData only. Windows also constructs msDS-ReplAttributeMetaData, but as one XML
    // value per attribute of the object, about ten times the blob's size for the same facts [shared reference,
    // section 4]: at 600,000 mailboxes that is gigabytes more on the wire. The DC names the XML would add come
    // from the nTDSDSA entries read once per scan. The XML is still read where an export carries it.
    return {"replPropertyMetaData"};
}

QString adLdapSourceName(const LdapConnection& connection, const QByteArray& baseDn)
{
    QString source = connection.options().uri;
    if (!source.endsWith(u'/'))
        source += u'/';
    return source + QString::fromUtf8(baseDn);
}

LdapSearchRequest adMailboxSearchRequest(const QByteArray& baseDn, const AdLdapReadOptions& options)
{
    LdapSearchRequest request;
    request.baseDn = baseDn;
    request.filter = kAdMailboxFilter;
    request.attributes = adSnapshotAttributes();
    request.pageSize = options.pageSize;
    if (options.forcedRange > 0) {
        request.rangeStep = options.forcedRange;
        for (QByteArray& name : request.attributes) {
            const auto id = AttributeCatalog::byLdapName(QByteArrayView(name));
            if (id && AttributeCatalog::spec(*id).multiValued)
                name += ";range=0-" + QByteArray::number(options.forcedRange - 1);
        }
    }

    if (options.replicationMetadata) {
        // Returned only when asked for by name. replPropertyMetaData: observed on Samba 4.17 (whole, never
        // ranged); Windows returns it too [the shared reference, unconfirmed here]. A ranged answer is completed by
        // LdapConnection like any other attribute.
        request.attributes << adReplicationMetadataAttributes();
    }
    return request;
}

Result<Snapshot> readAdSnapshotFromLdap(LdapConnection& connection, const QByteArray& baseDn,
                                        const ReadProgress& progress, const AdLdapReadOptions& options)
{
    const QString source = adLdapSourceName(connection, baseDn);
    LdapSearchRequest request = adMailboxSearchRequest(baseDn, options);

    AdSnapshotReader reader(source);
    std::optional<ImportError> readerFailure; // why the reader refused an entry that a search handed it
    const LdapEntryHandler onEntry = [&](const LdifEntry& entry) -> LdapResult<void> {
        if (readerFailure) // an entry of an earlier search failed: the searches after it stop at once
            return LdapError{LdapErrorCode::InvalidResponse, 0, readerFailure->toString(), {}};
        if (options.onEntry)
            options.onEntry(entry);
        if (auto added = reader.addEntry(entry); !added) {
            readerFailure = added.error();
            return LdapError{LdapErrorCode::InvalidResponse, 0, readerFailure->toString(), {}};
        }
        return {};
    };
    // The dictionary's searches and the mailboxes' go out together, in one round trip instead of one each; the
    // dictionary's entries still come first (searchTogether reads the searches in turn).
    std::vector<LdapSearchJob> searches;
    if (options.replicationMetadata) {
        // (the mailbox request asks for the metadata itself: adMailboxSearchRequest)
        for (LdapSearchRequest& dictionary : adMetadataDictionarySearches(connection))
            searches.push_back(LdapSearchJob{std::move(dictionary), onEntry, {}});
    }
    searches.push_back(LdapSearchJob{
        request, onEntry,
        progress ? LdapSearchProgress([&](qint64 entries) { return progress(entries); }) : LdapSearchProgress()});
    const std::vector<LdapResult<void>> searched = connection.searchTogether(searches);
    for (size_t i = 0; i + 1 < searched.size(); ++i) {
        if (!searched[i] && !readerFailure)
            logAdMetadataDictionaryFailure(searches[i].request, searched[i].error());
    }
    const LdapResult<void>& mailboxesSearched = searched.back();
    if (readerFailure)
        return *readerFailure;
    if (!mailboxesSearched)
        return ImportError{source, 0, {}, mailboxesSearched.error().toString()};
    return reader.finish();
}

} // namespace sunset
