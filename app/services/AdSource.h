// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdLiveScan.h"
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
// The settings are the live scan's (AdLiveScanSettings: the domain controller, the password, the incremental
// rescan's cursor directory), so the desktop app, sunset-cli and the wizard describe a DC one way.

struct LiveAd {
    std::unique_ptr<LdapConnection> connection; // bound
    QByteArray baseDn;
};

// Connects and binds (simple bind or Kerberos), checks the Exchange schema (a forest without it is an error;
// an incomplete one a warning to report), and settles the base DN. Fails with why not.
Expected<void, QString> connectLiveAd(const AdLiveScanSettings& settings, const SourceReport& report, LiveAd& live);

// Reads the mailboxes under live.baseDn. onEntry sees each entry as read; progress, when given, the entries read
// so far (false stops the read: a "cancelled" error).
Result<Snapshot> readLiveAdSnapshot(LiveAd& live, const std::function<void(const LdifEntry&)>& onEntry = {},
                                    const ReadProgress& progress = {});

// Reads the mailboxes as readLiveAdSnapshot does, incrementally when settings.stateDirectory holds a cursor that
// can be trusted (readAdSnapshotIncrementally); readNote gets the line that says which read it was and, for a
// full one, why. A cursor that cannot be kept is a warning to report.
Result<Snapshot> readLiveAdSnapshotIncrementally(LiveAd& live, const AdLiveScanSettings& settings,
                                                 const ReadProgress& progress, const SourceReport& report,
                                                 QString& readNote);

} // namespace sunset
