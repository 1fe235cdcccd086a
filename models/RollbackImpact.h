// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QString>
#include <QStringList>

#include <array>
#include <span>
#include <vector>

namespace sunset {

class DriftScan;

// What setting IsExchangeCloudManaged back to False costs, before the admin does it: once a mailbox is no longer
// cloud-managed, AD is again the source of its Exchange attributes and the next sync cycle (Entra Connect Sync,
// or Cloud Sync from AD) replaces the cloud's values with AD's [documented: Learn, "Enable Exchange attributes
// cloud management": "export cloud values first"]. Built from a finished scan's drift: every attribute where AD
// and the cloud differ under the catalog's rule is a cloud value that will be lost. Values equal under the rule
// (an address differing only in letter case, a type AD holds as the matching remote type) are not listed: what
// the sync writes then says the same thing.

// Whether the first sync after the switch overwrites the cloud's value of this catalog attribute with AD's.
// Connect Sync's attribute list for Exchange Online names all of extensionAttribute1-15,
// msExchExtensionCustomAttribute1-5, proxyAddresses, msExchRecipientTypeDetails, msExchRecipientDisplayType,
// msExchHideFromAddressLists, mailNickname, msExchRemoteRecipientType and targetAddress [documented: Learn,
// reference-connect-sync-attributes-synchronized]; mail flows to Entra for every workload [documented, same page].
// That the switch back lets every one of them flow again, not only Cloud Sync's 24, is [assumed]: Microsoft's
// page says "cloud values" without a list, and community tools say "the cloud Exchange attributes" [observed].
// targetAddress and msExchRemoteRecipientType are left out: Exchange Online keeps no value of its own for a
// cloud mailbox that Sunset reads for them (their drift compares AD with what the mailbox type and addresses
// imply), so no cloud value is lost there; their drift is an AD problem the switch does not change [assumed].
bool overwrittenOnRollback(AttributeId attribute);

// One attribute of one mailbox whose cloud value the sync replaces.
struct RollbackChange {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    // One of Cloud Sync's 24 written-back attributes. When false, the cloud value never reached AD by design: it
    // lives only in the cloud and is lost for good unless written to AD first.
    bool writtenBack = true;
    QStringList cloud;  // the cloud's values now: what is lost
    QStringList ad;     // AD's values: what wins
    QStringList lost;   // cloud values AD has no equivalent of (for a multi-valued attribute: which ones)
    QStringList gained; // AD values the cloud has no equivalent of
};

// One cloud-managed mailbox and what the switch would change on it.
struct RollbackMailbox {
    qint32 row = -1; // index into DriftScan::rows()
    QString displayName;
    QString userPrincipalName;
    QString distinguishedName;
    std::vector<RollbackChange> changes; // catalog order
};

struct RollbackSummary {
    qint64 mailboxesConsidered = 0; // cloud-managed mailboxes matched to AD (of the selection)
    qint64 mailboxesAffected = 0;   // of those, with at least one value to lose
    qint64 changes = 0;             // attributes overwritten, over all mailboxes
    qint64 cloudOnlyChanges = 0;    // of those, on attributes Cloud Sync never writes back
    qint64 valuesLost = 0;          // cloud values with no equivalent in AD
    qint64 valuesGained = 0;        // AD values with no equivalent in the cloud
    std::array<qint64, kAttributeCount> changesByAttribute{};
    // Mailboxes of the selection left out, and why:
    qint64 notCloudManaged = 0;       // AD is already the source: the switch changes nothing
    qint64 cloudManagedUnknown = 0;   // the cloud export does not say whether it is cloud-managed
    qint64 withoutAdMatch = 0;        // cloud-managed but not matched to one AD object: AD's values are unknown
};

struct RollbackImpact {
    std::vector<RollbackMailbox> mailboxes; // affected mailboxes only, in the scan's row order
    RollbackSummary summary;
};

// The rows of the scan a name an admin types stands for: a user principal name, primary SMTP address or AD
// distinguished name of either side, or the Entra object id, compared without regard to case. Usually one row;
// none when unknown.
std::vector<qint32> scanRowsNamed(const DriftScan& scan, QStringView name);

// Every mailbox of the scan.
RollbackImpact computeRollbackImpact(const DriftScan& scan);
// Only these rows (indices into scan.rows(): a selection in the GUI, --mailbox in the CLI).
RollbackImpact computeRollbackImpact(const DriftScan& scan, std::span<const qint32> rows);

} // namespace sunset
