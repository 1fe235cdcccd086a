#include "LdapSnapshotReader.h"

#include "AdSnapshotReader.h"
#include "AttributeCatalog.h"
#include "LdapConnection.h"

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

Result<Snapshot> readAdSnapshotFromLdap(LdapConnection& connection, const QByteArray& baseDn,
                                        const ReadProgress& progress, const AdLdapReadOptions& options)
{
    QString source = connection.options().uri;
    if (!source.endsWith(u'/'))
        source += u'/';
    source += QString::fromUtf8(baseDn);

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

    AdSnapshotReader reader(source);
    std::optional<ImportError> readerFailure;
    const auto failure = connection.search(
        request,
        [&](const LdifEntry& entry) -> std::optional<LdapError> {
            if (options.onEntry)
                options.onEntry(entry);
            if (auto e = reader.addEntry(entry)) {
                readerFailure = std::move(e);
                return LdapError{LdapErrorCode::InvalidResponse, 0, readerFailure->toString(), {}};
            }
            return std::nullopt;
        },
        progress ? LdapSearchProgress([&](qint64 entries) { return progress(entries); }) : LdapSearchProgress());
    if (readerFailure)
        return *readerFailure;
    if (failure)
        return ImportError{source, 0, {}, failure->toString()};
    return reader.finish();
}

} // namespace sunset
