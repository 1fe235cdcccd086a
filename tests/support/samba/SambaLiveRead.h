// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Identity.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "SambaTestDomain.h"

// What the tests that watch AD's change metadata read from the test DC, one way for all of them.

// The DC's clock (rootDSE currentTime, whole seconds, in ms since the epoch), so that a test brackets a change
// with the clock that stamps it and never compares two clocks; -1 when it could not be read.
inline qint64 sambaDcTime(const SambaTestDomain& domain)
{
    const auto out = domain.runLdapTool(QStringLiteral("ldapsearch"),
                                        {QStringLiteral("-LLL"), QStringLiteral("-b"), QString(),
                                         QStringLiteral("-s"), QStringLiteral("base"), QStringLiteral("currentTime")});
    if (!out)
        return -1;
    for (const QByteArray& line : out->split('\n')) {
        if (line.startsWith("currentTime: "))
            return sunset::parseGeneralizedTime(line.sliced(13).trimmed()).value_or(-1);
    }
    return -1;
}

// The mailboxes below baseDn as Sunset reads them live (LDAPS, the CA checked), with or without replication
// metadata.
inline sunset::Result<sunset::Snapshot> readSambaSnapshot(const SambaTestDomain& domain, const QByteArray& baseDn,
                                                          bool replicationMetadata = true)
{
    sunset::LdapConnectionOptions options;
    options.uri = domain.ldapsUri();
    options.caFile = domain.caFile();
    sunset::LdapConnection connection(options);
    if (const auto bound = connection.simpleBind(domain.bindUpn(), domain.password()); !bound)
        return sunset::ImportError{options.uri, 0, {}, bound.error().toString()};
    sunset::AdLdapReadOptions read;
    read.replicationMetadata = replicationMetadata;
    return sunset::readAdSnapshotFromLdap(connection, baseDn, {}, read);
}
