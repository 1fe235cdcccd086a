#pragma once

class QWidget;

namespace sunset {

// Makes the decommission wizard over the profile's history (the same file sunset-cli uses), with the checks
// reading, at each run, the sources configured in the settings group "decommission" (the wizard's Sources
// dialog: adUri, bindUpn, passwordFile, caFile,
// kerberos, startTls; tenant, clientId, clientSecretFile; exoFile; agentAccount): secrets only from files, kept
// in memory. nullptr (after telling the admin why) when the history cannot be opened.
QWidget* createDecommissionWizard(QWidget* parent);

} // namespace sunset
