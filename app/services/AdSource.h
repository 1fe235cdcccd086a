// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdapConnection.h"
#include "Snapshot.h"
#include "SourceReport.h"

#include <functional>
#include <memory>
#include <optional>

namespace sunset {

// Active Directory read live (sunset-cli's diff, dump, apply, checklist and provision-on-demand, the decommission
// wizard): "connect, bind, check the schema, find the base DN", then read the mailboxes. Nothing here prints:
// warnings go to the caller's SourceReport, progress to its ReadProgress.
struct LiveAdSettings {
    QString uri; // ldaps://host[:port] or ldap://host[:port]
    QString bindName;
    QByteArray password;
    QString baseDn; // empty: the root DSE's defaultNamingContext
    QString caFile;
    bool startTls = false;
    bool kerberos = false;
    bool insecurePlaintext = false;
    // Incremental rescans (diff, rollback-impact): the profile's directory for the AD cursor and kept entries
    // (empty: a full read, nothing kept), --ad-full, --ad-cursor-max-days.
    QString stateDirectory;
    bool fullRead = false;
    int maxCursorAgeDays = 7;
};

struct LiveAd {
    std::unique_ptr<LdapConnection> connection; // bound
    QByteArray baseDn;
};

// Connects and binds (simple bind or Kerberos), checks the Exchange schema (a forest without it is an error;
// an incomplete one a warning to report), and settles the base DN. nullopt when connected, else why not.
std::optional<QString> connectLiveAd(const LiveAdSettings& settings, const SourceReport& report, LiveAd& live);

// Reads the mailboxes under live.baseDn. onEntry sees each entry as read; progress, when given, the entries read
// so far (false stops the read: a "cancelled" error).
Result<Snapshot> readLiveAdSnapshot(LiveAd& live, const std::function<void(const LdifEntry&)>& onEntry = {},
                                    const ReadProgress& progress = {});

// Reads the mailboxes as readLiveAdSnapshot does, incrementally when settings.stateDirectory holds a cursor that
// can be trusted (readAdSnapshotIncrementally); readNote gets the line that says which read it was and, for a
// full one, why. A cursor that cannot be kept is a warning to report.
Result<Snapshot> readLiveAdSnapshotIncrementally(LiveAd& live, const LiveAdSettings& settings,
                                                 const ReadProgress& progress, const SourceReport& report,
                                                 QString& readNote);

} // namespace sunset
