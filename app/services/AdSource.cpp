// SPDX-License-Identifier: Apache-2.0
#include "AdSource.h"

#include "AdIncrementalRead.h"
#include "ExchangeSchema.h"
#include "LdapSnapshotReader.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

Expected<void, QString> connectLiveAd(const AdLiveScanSettings& settings, const SourceReport& report, LiveAd& live)
{
    live.connection = std::make_unique<LdapConnection>(connectionOptionsFor(settings.dc));
    const auto bound = settings.dc.kerberos ? live.connection->kerberosBind()
                                            : live.connection->simpleBind(settings.dc.bindName, settings.password);
    if (!bound)
        return bound.error().toString();

    const auto schema = checkExchangeSchema(*live.connection);
    if (!schema) {
        report.warn(u"the schema could not be checked: "_s + schema.error().toString());
    } else if (!schema->complete()) {
        const QString message = describeSchemaCheck(schema.value());
        const bool noExchange = message.startsWith(u"This forest has no Exchange schema"_s);
        if (noExchange)
            return message;
        report.warn(message);
    }

    live.baseDn = settings.dc.baseDn.toUtf8();
    if (live.baseDn.isEmpty()) {
        const auto dse = live.connection->readRootDse();
        if (!dse)
            return dse.error().toString();
        if (dse->defaultNamingContext.isEmpty())
            return u"%1 names no default naming context in its root DSE; give the DN to read with --base."_s.arg(
                live.connection->host());
        live.baseDn = dse->defaultNamingContext;
    }
    return {};
}

Result<Snapshot> readLiveAdSnapshot(LiveAd& live, const std::function<void(const LdifEntry&)>& onEntry,
                                    const ReadProgress& progress)
{
    AdLdapReadOptions options;
    options.onEntry = onEntry;
    return readAdSnapshotFromLdap(*live.connection, live.baseDn, progress, options);
}

Result<Snapshot> readLiveAdSnapshotIncrementally(LiveAd& live, const AdLiveScanSettings& settings,
                                                 const ReadProgress& progress, const SourceReport& report,
                                                 QString& readNote)
{
    AdIncrementalOptions options;
    options.stateDirectory = settings.stateDirectory;
    options.forceFull = settings.fullRead;
    options.maxCursorAgeDays = settings.maxCursorAgeDays;
    auto result = readAdSnapshotIncrementally(*live.connection, live.baseDn, progress, options);
    if (!result)
        return result.error();
    readNote = result->describe();
    if (!result->stateWarning.isEmpty())
        report.warn(u"the AD cursor could not be kept ("_s + result->stateWarning +
                    u"); the next scan reads AD in full."_s);
    return std::move(result->snapshot);
}

} // namespace sunset
