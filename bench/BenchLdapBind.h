// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LdapConnection.h"

#include <QString>

#include <memory>

namespace sunset {

// The benchmarks' bind to the test DC (simple bind over the given URI, the DC's own CA): the connection, or null
// with the reason in *error.
inline std::unique_ptr<LdapConnection> bindForBench(const QString& uri, const QString& caFile, const QString& upn,
                                                    const QByteArray& password, QString* error)
{
    LdapConnectionOptions options;
    options.uri = uri;
    options.caFile = caFile;
    auto connection = std::make_unique<LdapConnection>(options);
    if (const auto bound = connection->simpleBind(upn, password); !bound) {
        *error = bound.error().toString();
        return nullptr;
    }
    return connection;
}

} // namespace sunset
