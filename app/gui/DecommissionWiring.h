// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ChecklistChecks.h"

#include <QString>

#include <functional>
#include <optional>

class QWidget;

namespace sunset {

struct DecommissionWizardOptions {
    QString historyPath;                         // empty: HistoryStore::defaultPath() (the default profile)
    std::optional<ChecklistSources> fixedSources; // the demo's files; else the settings group "decommission"
    QString fixedSourcesDescription;             // what "Sources…" says about fixedSources
    std::function<void(qint64 scanId)> showScan; // the History window with that scan selected
};

// Makes the decommission wizard over the profile's history (the same file sunset-cli uses), with the checks
// reading, at each run, either options.fixedSources or the sources configured in the settings group
// "decommission" (the wizard's Sources dialog: adUri, bindUpn, passwordFile, caFile, kerberos, startTls, read into
// DcConnectionSettings, whose defaults a key not set keeps: StartTLS on for ldap://; tenant, clientId and the other
// keys of a profile's cloud part (CloudTenantSettingsKeys.h: signIn, certificateFile, endpoints), clientSecretFile;
// or snapshot files: configLdif (';'-separated), hybridFile, exoFile, adFile,
// graphFile, syncJobsFile, syncSchemaFile, groupsFile, contactsFile; agentAccount): secrets only from files, kept in
// memory. The verification page's "Run a fresh scan" records a scan through recordFreshScan (its reads and the
// recording off the GUI thread). nullptr (after telling the admin why) when the history cannot be opened.
QWidget* createDecommissionWizard(QWidget* parent, const DecommissionWizardOptions& options = {});

// The demo tenant's files (in demoDirectory) as every check's source: demo-config.ldif and demo-ad.ldif for AD's
// Exchange objects, demo-exo.json for Get-Mailbox, demo-hybrid.json for the hybrid cmdlets, and demo-ad.ldif,
// demo-exo.json and demo-graph.json for the fresh scan.
ChecklistSources demoChecklistSources(const QString& demoDirectory);
// Those files named for the admin (the wizard's "Sources…" in the demo).
QString describeDemoChecklistSources(const QString& demoDirectory);

// For docs/sunset-decommission.png (`sunset-screenshots decommission PNG`): a wizard over a history of
// its own (a temporary folder: the demo profile's history is neither read nor changed) on one step (the
// verification step records a fresh scan first), its checks run on options' sources, saved to path; then the
// application quits (exit code 1 on failure).
void takeDecommissionScreenshot(QWidget* parent, DecommissionWizardOptions options, ChecklistStep step,
                                const QString& path);

} // namespace sunset
