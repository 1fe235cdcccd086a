// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAnyStringView>
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include "CloudSyncState.h"
#include "Snapshot.h"

#include <array>
#include <optional>
#include <vector>

namespace sunset {

// The decommission checklist (../shared/reference/decommission.md): the five steps of Microsoft's guide for
// retiring the last Exchange Server, what Sunset checks by itself in each, what the admin must attest, and how a
// step's status follows from both. Pure domain: the checks' I/O lives in ldap/, graph/ and app/; this file only
// turns what they read into findings and findings into a status.

enum class ChecklistStep : quint8 { Prerequisites, Verification, HybridCleanup, Uninstall, PostUninstallCleanup };
inline constexpr std::array kChecklistSteps{ChecklistStep::Prerequisites, ChecklistStep::Verification,
                                            ChecklistStep::HybridCleanup, ChecklistStep::Uninstall,
                                            ChecklistStep::PostUninstallCleanup};

// "prerequisites", "verification", "hybrid-cleanup", "uninstall", "post-uninstall-cleanup": stable, in the
// history and on the command line.
QLatin1StringView checklistStepKey(ChecklistStep step);
QString checklistStepTitle(ChecklistStep step);
QString checklistStepPurpose(ChecklistStep step); // one or two sentences for the wizard page
std::optional<ChecklistStep> checklistStepFromKey(QStringView key); // also accepts 1..5

enum class StepStatus : quint8 { NotStarted, Passed, Failed, Overridden };
QLatin1StringView stepStatusName(StepStatus status); // "not-started", "passed", "failed", "overridden"
QString stepStatusTitle(StepStatus status);          // "Not started", …

// How much a finding weighs: Blocking fails the step; Warning and Info are shown and exported but do not.
// Unread: the check's source was not given or could not be read; the finding says what to provide, and the
// attestation the check stands for (AttestationItem::checkedBy) is asked for instead. Appended last: the names
// are stored in the history, and an older Sunset reads the unknown "unread" as blocking.
enum class FindingLevel : quint8 { Pass, Info, Warning, Blocking, Unread };
QLatin1StringView findingLevelName(FindingLevel level);
std::optional<FindingLevel> findingLevelFromName(QStringView name);

// One automatic check's result: what was checked, the verdict in words, and the evidence (DNs, names, counts)
// an auditor can verify by hand.
struct ChecklistFinding {
    QString check; // stable key, e.g. "mailboxes-cloud-managed"
    FindingLevel level = FindingLevel::Pass;
    QString summary;
    QStringList evidence;

    friend bool operator==(const ChecklistFinding&, const ChecklistFinding&) = default;
};

// One run of a step's checks. A source that could not be read (AD unreachable, sign-in refused) is an error of
// the run, which fails the step: an unread source proves nothing.
struct ChecklistRun {
    QDateTime at; // UTC
    QString by;   // "osUser (bindIdentity)"
    std::vector<ChecklistFinding> findings;
    QStringList errors;

    bool blocked() const; // an error, or a Blocking finding
};

// What the admin must confirm by hand in a step (what Sunset cannot see: DNS, the uninstall itself, …).
struct AttestationItem {
    QLatin1StringView key; // stable, e.g. "mx-points-to-exo"
    QString text;
    // The checks that read what the item states: when the latest run has a finding of each, none of them Unread,
    // the checks decide and the item is not asked for. Empty: always asked (nothing Sunset reads shows it).
    QList<QLatin1StringView> checkedBy = {};
};
QList<AttestationItem> attestationItems(ChecklistStep step);
std::optional<AttestationItem> attestationItem(ChecklistStep step, QStringView key);

struct Attestation {
    QString key;
    bool given = true; // false: withdrawn later
    QDateTime at;
    QString by;
};

struct ChecklistOverride {
    QString reason;
    QDateTime at;
    QString by;
};
// Why a reason is not acceptable (nullopt: it is): an override is a decision someone must be able to defend
// later, so it needs real words, not "ok".
std::optional<QString> checkOverrideReason(const QString& reason);
inline constexpr int kMinimumOverrideReasonLength = 15;

struct ChecklistNote {
    QString text;
    QDateTime at;
    QString by;
};

// Everything recorded for one step, in the order it happened. Earlier runs are kept: the latest decides.
struct StepRecord {
    ChecklistStep step = ChecklistStep::Prerequisites;
    std::vector<ChecklistRun> runs;
    std::vector<Attestation> attestations; // as given and withdrawn, in order
    std::vector<ChecklistNote> notes;
    std::vector<ChecklistOverride> overrides;

    const ChecklistRun* latestRun() const { return runs.empty() ? nullptr : &runs.back(); }
    bool isAttested(QAnyStringView key) const; // the last word on key was "given"
    // Whether the item must be attested: it is not checked by a finding of the latest run (see checkedBy).
    bool needsAttestation(const AttestationItem& item) const;
    QString currentNote() const { return notes.empty() ? QString() : notes.back().text; }
    const ChecklistOverride* currentOverride() const { return overrides.empty() ? nullptr : &overrides.back(); }
};

struct StepEvaluation {
    StepStatus status = StepStatus::NotStarted;
    QStringList reasons; // why not passed (blocking findings, errors, attestations outstanding); empty when passed
};

// The status from the record: Passed when the latest run has no error and no Blocking finding and every
// attestation still needed (StepRecord::needsAttestation) is given; otherwise Overridden when an override (with its reason) was recorded; otherwise Failed
// once anything was done (a run or an attestation), NotStarted before.
StepEvaluation evaluateStep(const StepRecord& record);

struct Checklist {
    std::array<StepRecord, kChecklistSteps.size()> steps;
    Checklist();
    StepRecord& step(ChecklistStep s) { return steps[size_t(s)]; }
    const StepRecord& step(ChecklistStep s) const { return steps[size_t(s)]; }
    bool complete() const; // every step passed or overridden
};

// The whole checklist for a change-advisory board: format "sunset.decommission-checklist", version 1; every
// step with its status and reasons, all runs with their findings, attestations, notes and overrides.
QByteArray checklistToJson(const Checklist& checklist, const QDateTime& generatedAt, const QString& generatedBy);

// ---- The findings: pure functions of what the checks read ----

// Prerequisites. One mailbox as Get-Mailbox reports it; cloudManaged is nullopt when the answer lacked it.
struct CloudMailboxState {
    QString displayName;
    QString primarySmtpAddress;
    bool dirSynced = false;
    std::optional<bool> cloudManaged;
};
// Every directory-synced mailbox must be cloud-managed; the exceptions are listed (all of them: they are the
// work left). Cloud-only mailboxes are outside the question.
ChecklistFinding findCloudManagedExceptions(const std::vector<CloudMailboxState>& mailboxes);
// The states of a cloud snapshot's mailboxes (Get-Mailbox, read live or from an export). A mailbox whose source
// does not say IsDirSynced counts as synced: the check would rather list one mailbox too many than miss one.
std::vector<CloudMailboxState> cloudMailboxStates(const Snapshot& cloud);
// The Cloud Sync agent's gMSA DNs found in AD (provAgentgMSA$ by default): none blocks writeback.
ChecklistFinding findWritebackAgent(const QStringList& agentAccountDns);

// Cloud Sync's Exchange attribute writeback, checked from its own state (the writeback jobs and their schemas,
// read live from Graph or from the saved answers) instead of attested. Each check is one finding with a line of
// evidence per job or domain; a part not read is an Unread finding that names what to provide.
// An AD domain whose cloud-managed mailboxes need a writeback job (one job per domain [documented]).
struct WritebackDomain {
    QString domain;         // lower-case DNS name, e.g. "emea.contoso.com"
    qint64 recipients = 0;  // AD recipients with Exchange values in it (the evidence of why it needs a job)
};
// A job must have succeeded within this many schedule intervals (issue 14: "run successfully within two
// intervals"): one late run is tolerated, a second is not.
inline constexpr qint64 kWritebackIntervalsAllowed = 2;
// The interval assumed when a job's schedule does not say: PT20M, the interval Cloud Sync's jobs show
// [observed: ../shared/reference/sync-engine.md §1]; the evidence says it was assumed.
inline constexpr qint64 kAssumedWritebackIntervalMsecs = 20 * 60 * 1000;
// The check keys, in the order findWritebackJobs returns them.
inline constexpr std::array kWritebackJobChecks{QLatin1StringView("writeback-job-per-domain"),
                                                QLatin1StringView("writeback-job-active"),
                                                QLatin1StringView("writeback-job-mappings"),
                                                QLatin1StringView("writeback-job-recent-run")};
// state nullptr (or its jobs not read): every check Unread, naming missingHint (what to give: options, or the
// permission a live read lacked). domains nullopt: which domains hold mailboxes was not read (no AD source), so
// every job read is judged and the per-domain check is Unread. now is the time "within two intervals" counts to.
std::vector<ChecklistFinding> findWritebackJobs(const CloudSyncState* state,
                                                const std::optional<std::vector<WritebackDomain>>& domains,
                                                const QDateTime& now, const QString& missingHint);

// Groups and contacts whose source of authority is still on-premises (Microsoft's guide: object SOA before the
// decommission). Read from Graph beta: groups and orgContacts with onPremisesSyncBehavior/isCloudManaged false
// (../shared/reference/sync-engine.md §3), live or from the saved answers.
enum class SyncedObjectKind : quint8 { DistributionList, MailEnabledSecurityGroup, MailContact, Other };
QString syncedObjectKindText(SyncedObjectKind kind); // "distribution list", …
// A distribution list is mailEnabled && !securityEnabled && not "Unified"; a mail-enabled security group
// mailEnabled && securityEnabled && not "Unified" [documented]; Microsoft 365 groups and the rest are Other.
SyncedObjectKind groupKind(bool mailEnabled, bool securityEnabled, const QStringList& groupTypes);
struct SyncedDirectoryObject {
    QString id;
    QString displayName;
    QString mail;
    SyncedObjectKind kind = SyncedObjectKind::Other;
    std::optional<bool> onPremisesSyncEnabled; // true synced, false formerly synced, null never [documented]
    // onPremisesSyncBehavior.isCloudManaged when the answer carried it; nullopt when only the query's filter
    // (isCloudManaged eq false) said so.
    std::optional<bool> cloudManaged;

    // Still on-premises: a synced mail-enabled group or contact, not cloud-managed.
    bool blocksDecommission() const;
};
// One kind of object as read: from a file or Graph, or not (missingReason says why: not given, a permission).
struct SyncedObjectsRead {
    bool read = false;
    QString source;
    QString missingReason;
    std::vector<SyncedDirectoryObject> objects;
};
inline constexpr QLatin1StringView kGroupsContactsCheck{"groups-contacts-cloud-managed"};
// Blocking, listing every synced mail-enabled group and mail contact not yet cloud-managed; Unread (naming what
// is missing) when either list was not read and the other shows none.
ChecklistFinding findGroupsAndContactsNotCloudManaged(const SyncedObjectsRead& groups,
                                                      const SyncedObjectsRead& contacts);

// Verification: the latest scan in the history.
struct ScanFacts {
    qint64 id = 0;
    QDateTime finished;
    qint64 driftItems = 0;
    qint64 criticalItems = 0;
    qint64 matched = 0;
};
inline constexpr qint64 kRecentScanDays = 7;
// No scan, a scan older than kRecentScanDays, or critical drift: blocking. Other drift: a warning (to review).
std::vector<ChecklistFinding> findScanState(const std::optional<ScanFacts>& latest, const QDateTime& now);
// The history's id of the scan a verification run judged (from its findings' evidence), nullopt when it judged none.
std::optional<qint64> judgedScanId(const ChecklistRun& run);

// Hybrid cleanup. Exchange Online's side, as Get-OrganizationRelationship / Get-*Connector report it.
struct CloudHybridObject {
    QString name;
    QString identity;
    bool enabled = true;
};
// The Hybrid Configuration Wizard's names: "O365 to On-premises - <guid>", "Inbound from <guid>",
// "Outbound to <guid>". Other relationships and connectors (partners, smart hosts) are not hybrid leftovers.
bool isHybridOrganizationRelationship(const QString& name);
bool isHybridInboundConnector(const QString& name);
bool isHybridOutboundConnector(const QString& name);
ChecklistFinding findOrganizationRelationships(const std::vector<CloudHybridObject>& relationships);
ChecklistFinding findHybridConnectors(const std::vector<CloudHybridObject>& inbound,
                                      const std::vector<CloudHybridObject>& outbound);
// The on-premises hybrid configuration object(s) (msExchHybridConfiguration) still in the configuration NC.
ChecklistFinding findHybridConfigurationObjects(const QStringList& dns);

// Uninstall.
struct ExchangeServerObject {
    QString dn;
    QString name;
    QString version; // serialNumber, e.g. "Version 15.2 (Build 1544.4)"
};
ChecklistFinding findRegisteredServers(const std::vector<ExchangeServerObject>& servers);
struct ServiceConnectionPoint {
    QString dn;
    QStringList keywords;
    QStringList bindingInformation; // serviceBindingInformation: the Autodiscover URL
};
inline constexpr QLatin1StringView kAutodiscoverScpKeyword{"77378F46-2C66-4aa9-A6A6-3E7A48B19596"};
inline constexpr QLatin1StringView kAutodiscoverSiteScpKeyword{"67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"};
ChecklistFinding findAutodiscoverScps(const std::vector<ServiceConnectionPoint>& scps);

// Post-uninstall cleanup: what of Exchange is left in AD, sorted into what must stay and what should go.
struct ExchangeAdInventory {
    bool schemaExtended = false;      // the Exchange schema (e.g. ms-Exch-Extension-Attribute-1) is present
    qint64 recipientsWithExchangeAttributes = 0; // users/contacts/groups with msExch* or extensionAttribute* values
    QStringList exchangeContainers;   // CN=Microsoft Exchange,CN=Services,… and the organization below it
    QStringList systemObjects;        // CN=Microsoft Exchange System Objects,<domain>
    QStringList securityGroupContainers; // OU=Microsoft Exchange Security Groups,<domain>
};
std::vector<ChecklistFinding> findLingeringExchangeObjects(const ExchangeAdInventory& inventory);

} // namespace sunset
