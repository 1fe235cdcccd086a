// SPDX-License-Identifier: Apache-2.0
#include "Checklist.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array kStepKeys{"prerequisites"_L1, "verification"_L1, "hybrid-cleanup"_L1, "uninstall"_L1,
                               "post-uninstall-cleanup"_L1};
constexpr std::array kStatusNames{"not-started"_L1, "passed"_L1, "failed"_L1, "overridden"_L1};
constexpr std::array kLevelNames{"pass"_L1, "info"_L1, "warning"_L1, "blocking"_L1, "unread"_L1};

// HCW names its objects with the on-premises organization's GUID (8-4-4-4-12 hex).
const QString kGuid = u"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"_s;

bool matchesHcwName(const QString& name, QLatin1StringView prefix)
{
    static const QRegularExpression guid(u"^\\s*"_s + kGuid + u"\\s*$"_s);
    return name.startsWith(prefix, Qt::CaseInsensitive) && guid.match(name.mid(prefix.size())).hasMatch();
}

QString isoUtc(const QDateTime& at)
{
    return at.toUTC().toString(Qt::ISODate);
}

} // namespace

QLatin1StringView checklistStepKey(ChecklistStep step)
{
    return kStepKeys[size_t(step)];
}

QString checklistStepTitle(ChecklistStep step)
{
    switch (step) {
    case ChecklistStep::Prerequisites:
        return u"Prerequisites"_s;
    case ChecklistStep::Verification:
        return u"Verification"_s;
    case ChecklistStep::HybridCleanup:
        return u"Hybrid cleanup"_s;
    case ChecklistStep::Uninstall:
        return u"Uninstall"_s;
    case ChecklistStep::PostUninstallCleanup:
        return u"Post-uninstall cleanup"_s;
    }
    return {};
}

QString checklistStepPurpose(ChecklistStep step)
{
    switch (step) {
    case ChecklistStep::Prerequisites:
        return u"Every directory-synced mailbox is cloud-managed (IsExchangeCloudManaged), and Entra Cloud Sync "
               "writes Exchange attributes back to AD."_s;
    case ChecklistStep::Verification:
        return u"A recent scan shows no critical drift between Exchange Online and AD, and the remaining drift has "
               "been reviewed."_s;
    case ChecklistStep::HybridCleanup:
        return u"The hybrid organization relationship and connectors are gone from Exchange Online, and the "
               "on-premises hybrid configuration object from AD."_s;
    case ChecklistStep::Uninstall:
        return u"No Exchange server is registered in AD's configuration partition, and no Autodiscover service "
               "connection point remains."_s;
    case ChecklistStep::PostUninstallCleanup:
        return u"No Exchange organization objects linger in AD; the Exchange schema and the msExch* values on "
               "recipients stay, as writeback and recipient management need them."_s;
    }
    return {};
}

std::optional<ChecklistStep> checklistStepFromKey(QStringView key)
{
    for (size_t i = 0; i < kStepKeys.size(); ++i) {
        if (key.compare(kStepKeys[i], Qt::CaseInsensitive) == 0 || key == QString::number(i + 1))
            return ChecklistStep(i);
    }
    return std::nullopt;
}

QLatin1StringView stepStatusName(StepStatus status)
{
    return kStatusNames[size_t(status)];
}

QString stepStatusTitle(StepStatus status)
{
    switch (status) {
    case StepStatus::NotStarted:
        return u"Not started"_s;
    case StepStatus::Passed:
        return u"Passed"_s;
    case StepStatus::Failed:
        return u"Failed"_s;
    case StepStatus::Overridden:
        return u"Overridden"_s;
    }
    return {};
}

QLatin1StringView findingLevelName(FindingLevel level)
{
    return kLevelNames[size_t(level)];
}

std::optional<FindingLevel> findingLevelFromName(QStringView name)
{
    for (size_t i = 0; i < kLevelNames.size(); ++i) {
        if (name == kLevelNames[i])
            return FindingLevel(i);
    }
    return std::nullopt;
}

bool ChecklistRun::blocked() const
{
    if (!errors.isEmpty())
        return true;
    return std::any_of(findings.begin(), findings.end(),
                       [](const ChecklistFinding& f) { return f.level == FindingLevel::Blocking; });
}

QList<AttestationItem> attestationItems(ChecklistStep step)
{
    switch (step) {
    case ChecklistStep::Prerequisites:
        // Asked only when the checks could not read it: the writeback jobs from Cloud Sync's own state, groups
        // and contacts from Graph's onPremisesSyncBehavior.
        return {{"cloud-sync-writeback"_L1,
                 u"Entra Cloud Sync's Exchange Online attribute writeback is configured (provisioning agent "
                 "1.1.1107.0 or later) and Entra Connect Sync stays installed."_s,
                 {kWritebackJobChecks.begin(), kWritebackJobChecks.end()}},
                {"groups-contacts-soa"_L1,
                 u"Groups and contacts have had their source of authority transferred to the cloud as well."_s,
                 {"groups-contacts-cloud-managed"_L1}}};
    case ChecklistStep::Verification:
        return {{"drift-reviewed"_L1, u"The remaining drift of the latest scan has been reviewed."_s},
                {"writeback-observed"_L1,
                 u"A change made in Exchange Online was seen arriving in AD within a sync cycle."_s}};
    case ChecklistStep::HybridCleanup:
        return {{"dns-points-to-exo"_L1, u"MX and Autodiscover DNS records point to Exchange Online."_s},
                {"public-folders-not-remote"_L1, u"Public folders are no longer 'Remote' (or there are none)."_s},
                {"hybrid-removed"_L1,
                 u"IntraOrganizationConnectors are disabled on both sides; the federation trust and the hybrid "
                 "application are removed."_s}};
    case ChecklistStep::Uninstall:
        return {{"attributes-exported"_L1,
                 u"The Exchange attributes of all recipients were exported before the uninstall."_s},
                {"exchange-uninstalled"_L1, u"Exchange Server was uninstalled from the last server."_s}};
    case ChecklistStep::PostUninstallCleanup:
        return {{"management-in-cloud"_L1,
                 u"All recipient management now happens in Exchange Online; no on-premises Exchange tools are in "
                 "use."_s}};
    }
    return {};
}

std::optional<AttestationItem> attestationItem(ChecklistStep step, QStringView key)
{
    for (const AttestationItem& item : attestationItems(step)) {
        if (key == item.key)
            return item;
    }
    return std::nullopt;
}

std::optional<QString> checkOverrideReason(const QString& reason)
{
    const QString trimmed = reason.simplified();
    if (trimmed.isEmpty())
        return u"An override needs a written reason: say why the step may be skipped and who decided."_s;
    if (trimmed.size() < kMinimumOverrideReasonLength)
        return u"The reason '%1' is too short to explain an override later (at least %2 characters): say why the "
               "step may be skipped and who decided."_s.arg(trimmed)
            .arg(kMinimumOverrideReasonLength);
    return std::nullopt;
}

bool StepRecord::isAttested(QAnyStringView key) const
{
    for (auto it = attestations.rbegin(); it != attestations.rend(); ++it) {
        if (QAnyStringView::equal(it->key, key))
            return it->given;
    }
    return false;
}

bool StepRecord::needsAttestation(const AttestationItem& item) const
{
    const ChecklistRun* run = latestRun();
    if (item.checkedBy.isEmpty() || !run)
        return true;
    return std::any_of(item.checkedBy.begin(), item.checkedBy.end(), [run](QLatin1StringView check) {
        return std::none_of(run->findings.begin(), run->findings.end(), [check](const ChecklistFinding& f) {
                   return f.check == check;
               }) ||
               std::any_of(run->findings.begin(), run->findings.end(), [check](const ChecklistFinding& f) {
                   return f.check == check && f.level == FindingLevel::Unread;
               });
    });
}

StepEvaluation evaluateStep(const StepRecord& record)
{
    StepEvaluation e;
    const ChecklistRun* run = record.latestRun();
    if (!run) {
        e.reasons.append(u"The automatic checks have not run."_s);
    } else {
        for (const QString& error : run->errors)
            e.reasons.append(u"A check could not run: "_s + error);
        for (const ChecklistFinding& finding : run->findings) {
            if (finding.level == FindingLevel::Blocking)
                e.reasons.append(finding.summary);
        }
    }
    bool anyAttested = false;
    for (const AttestationItem& item : attestationItems(record.step)) {
        if (record.isAttested(item.key))
            anyAttested = true;
        else if (record.needsAttestation(item))
            e.reasons.append(u"Not attested: "_s + item.text);
    }
    if (e.reasons.isEmpty())
        e.status = StepStatus::Passed;
    else if (record.currentOverride())
        e.status = StepStatus::Overridden;
    else if (run || anyAttested)
        e.status = StepStatus::Failed;
    else
        e.status = StepStatus::NotStarted;
    return e;
}

Checklist::Checklist()
{
    for (ChecklistStep s : kChecklistSteps)
        steps[size_t(s)].step = s;
}

bool Checklist::complete() const
{
    return std::all_of(steps.begin(), steps.end(), [](const StepRecord& r) {
        const StepStatus s = evaluateStep(r).status;
        return s == StepStatus::Passed || s == StepStatus::Overridden;
    });
}

QByteArray checklistToJson(const Checklist& checklist, const QDateTime& generatedAt, const QString& generatedBy)
{
    QJsonArray steps;
    for (const StepRecord& record : checklist.steps) {
        const StepEvaluation e = evaluateStep(record);
        QJsonArray runs;
        for (const ChecklistRun& run : record.runs) {
            QJsonArray findings;
            for (const ChecklistFinding& f : run.findings)
                findings.append(QJsonObject{{u"check"_s, f.check},
                                            {u"level"_s, QString(findingLevelName(f.level))},
                                            {u"summary"_s, f.summary},
                                            {u"evidence"_s, QJsonArray::fromStringList(f.evidence)}});
            runs.append(QJsonObject{{u"at"_s, isoUtc(run.at)},
                                    {u"by"_s, run.by},
                                    {u"findings"_s, findings},
                                    {u"errors"_s, QJsonArray::fromStringList(run.errors)}});
        }
        QJsonArray attestations;
        for (const AttestationItem& item : attestationItems(record.step)) {
            QJsonObject a{{u"item"_s, QString(item.key)}, {u"text"_s, item.text},
                          {u"attested"_s, record.isAttested(item.key)},
                          {u"needed"_s, record.needsAttestation(item)}}; // false: the latest run checked it
            for (auto it = record.attestations.rbegin(); it != record.attestations.rend(); ++it) {
                if (it->key == item.key) {
                    a.insert(u"at"_s, isoUtc(it->at));
                    a.insert(u"by"_s, it->by);
                    break;
                }
            }
            attestations.append(a);
        }
        QJsonArray notes;
        for (const ChecklistNote& n : record.notes)
            notes.append(QJsonObject{{u"at"_s, isoUtc(n.at)}, {u"by"_s, n.by}, {u"text"_s, n.text}});
        QJsonArray overrides;
        for (const ChecklistOverride& o : record.overrides)
            overrides.append(QJsonObject{{u"at"_s, isoUtc(o.at)}, {u"by"_s, o.by}, {u"reason"_s, o.reason}});
        steps.append(QJsonObject{{u"step"_s, QString(checklistStepKey(record.step))},
                                 {u"title"_s, checklistStepTitle(record.step)},
                                 {u"status"_s, QString(stepStatusName(e.status))},
                                 {u"reasons"_s, QJsonArray::fromStringList(e.reasons)},
                                 {u"runs"_s, runs},
                                 {u"attestations"_s, attestations},
                                 {u"notes"_s, notes},
                                 {u"overrides"_s, overrides}});
    }
    const QJsonObject root{{u"format"_s, u"sunset.decommission-checklist"_s},
                           {u"formatVersion"_s, 1},
                           {u"generatedAt"_s, isoUtc(generatedAt)},
                           {u"generatedBy"_s, generatedBy},
                           {u"complete"_s, checklist.complete()},
                           {u"steps"_s, steps}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

// ---- findings ----

ChecklistFinding findCloudManagedExceptions(const std::vector<CloudMailboxState>& mailboxes)
{
    ChecklistFinding f{u"mailboxes-cloud-managed"_s, FindingLevel::Pass, {}, {}};
    qint64 synced = 0;
    qint64 unknown = 0;
    for (const CloudMailboxState& m : mailboxes) {
        if (!m.dirSynced)
            continue;
        ++synced;
        if (m.cloudManaged.value_or(false))
            continue;
        if (!m.cloudManaged)
            ++unknown;
        f.evidence.append(u"%1 <%2>%3"_s.arg(m.displayName, m.primarySmtpAddress,
                                               m.cloudManaged ? QString() : u" (IsExchangeCloudManaged not reported)"_s));
    }
    if (f.evidence.isEmpty()) {
        f.summary = u"All %1 directory-synced mailboxes are cloud-managed (of %2 mailboxes read)."_s.arg(synced).arg(
            qint64(mailboxes.size()));
        if (mailboxes.empty()) {
            f.level = FindingLevel::Blocking;
            f.summary = u"Exchange Online reported no mailboxes, so nothing shows that they are cloud-managed."_s;
        }
        return f;
    }
    f.level = FindingLevel::Blocking;
    f.summary = u"%1 of %2 directory-synced mailboxes are not cloud-managed%3: convert them with "
                "Set-Mailbox -IsExchangeCloudManaged $true first."_s.arg(qint64(f.evidence.size()))
                    .arg(synced)
                    .arg(unknown ? u" (%1 without an IsExchangeCloudManaged value)"_s.arg(unknown) : QString());
    return f;
}

std::vector<CloudMailboxState> cloudMailboxStates(const Snapshot& cloud)
{
    std::vector<CloudMailboxState> states;
    states.reserve(cloud.records.size());
    auto flag = [](const MailboxRecord& r, IdentityField f) -> std::optional<bool> {
        if (!r.has(f))
            return std::nullopt;
        return r.identity(f).compare("true", Qt::CaseInsensitive) == 0;
    };
    for (const MailboxRecord& r : cloud.records) {
        QString name = r.identityText(IdentityField::DisplayName);
        if (name.isEmpty())
            name = r.label();
        states.push_back({name, r.identityText(IdentityField::PrimarySmtpAddress),
                          flag(r, IdentityField::DirSynced).value_or(true), flag(r, IdentityField::CloudManaged)});
    }
    return states;
}

namespace {

QString utcMinutes(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm 'UTC'"_s);
}

// "2 h 5 min", "35 min", "3 d 4 h": an age or interval as an admin reads it.
QString spanText(qint64 msecs)
{
    const qint64 minutes = std::max<qint64>(0, msecs / 60'000);
    if (minutes < 60)
        return u"%1 min"_s.arg(minutes);
    if (minutes < 48 * 60)
        return minutes % 60 ? u"%1 h %2 min"_s.arg(minutes / 60).arg(minutes % 60) : u"%1 h"_s.arg(minutes / 60);
    return u"%1 d %2 h"_s.arg(minutes / 1440).arg((minutes % 1440) / 60);
}

QString jobLabel(const WritebackJob& job)
{
    return (job.domain.isEmpty() ? u"(job without DomainFQDN)"_s : job.domain) + u" (job "_s + job.id + u')';
}

ChecklistFinding unreadFinding(QLatin1StringView check, const QString& what, const QString& hint)
{
    return {QString(check), FindingLevel::Unread, what + u" were not read: "_s + hint, {}};
}

bool isPausedOrDisabled(const WritebackJob& job)
{
    return job.code == SyncJobCode::Paused || job.scheduleState.compare("Paused"_L1, Qt::CaseInsensitive) == 0 ||
           job.scheduleState.compare("Disabled"_L1, Qt::CaseInsensitive) == 0;
}

ChecklistFinding findJobsActive(const std::vector<const WritebackJob*>& jobs)
{
    ChecklistFinding f{QString(kWritebackJobChecks[1]), FindingLevel::Pass, {}, {}};
    qint64 quarantined = 0;
    qint64 stopped = 0;
    for (const WritebackJob* job : jobs) {
        const QString schedule = job->scheduleState.isEmpty() ? u"not stated"_s : job->scheduleState;
        QString line = u"%1: status %2, schedule %3"_s.arg(
            jobLabel(*job), job->statusCodeText.isEmpty() ? u"not stated"_s : job->statusCodeText, schedule);
        if (job->code == SyncJobCode::Quarantine || job->quarantine) {
            ++quarantined;
            line += u"; "_s + job->unhealthyReason();
        } else if (isPausedOrDisabled(*job) || job->code == SyncJobCode::NotConfigured) {
            ++stopped;
            line += u"; not running"_s;
        }
        f.evidence.append(line);
    }
    if (quarantined + stopped == 0) {
        f.summary = jobs.size() == 1 ? u"The writeback job is active and not quarantined."_s
                                     : u"All %1 writeback jobs are active and not quarantined."_s.arg(jobs.size());
        return f;
    }
    f.level = FindingLevel::Blocking;
    QStringList parts;
    if (quarantined)
        parts << u"%1 quarantined (fix the cause the quarantine names, then restart the job: Entra admin center, "
                 "Cloud Sync, the configuration, Restart sync)"_s.arg(quarantined);
    if (stopped)
        parts << u"%1 paused, disabled or not configured (start it: Entra admin center, Cloud Sync, the "
                 "configuration, Enable)"_s.arg(stopped);
    f.summary = u"Writeback jobs not running: "_s + parts.join(u"; "_s) + u'.';
    return f;
}

ChecklistFinding findJobMappings(const std::vector<const WritebackJob*>& jobs, const QString& hint)
{
    ChecklistFinding f{QString(kWritebackJobChecks[2]), FindingLevel::Pass, {}, {}};
    qint64 incomplete = 0;
    qint64 unread = 0;
    for (const WritebackJob* job : jobs) {
        if (!job->schemaRead) {
            ++unread;
            f.evidence.append(jobLabel(*job) + u": schema not read"_s);
            continue;
        }
        QStringList missing;
        for (const AttributeSpec& spec : AttributeCatalog::all())
            if (spec.writtenBackByCloudSync && !job->maps(spec.id))
                missing << spec.ldapName;
        if (missing.isEmpty()) {
            f.evidence.append(jobLabel(*job) + u": all %1 attributes mapped"_s.arg(AttributeCatalog::writtenBackCount()));
        } else {
            ++incomplete;
            f.evidence.append(jobLabel(*job) + u": not mapped: "_s + missing.join(u", "_s));
        }
    }
    if (incomplete > 0) {
        f.level = FindingLevel::Blocking;
        f.summary = u"%1 writeback job%2 do%3 not map all %4 Exchange attributes, so Cloud Sync leaves those "
                    "attributes stale in AD: open the job's attribute mapping in the Entra admin center and choose "
                    "\"Restore default mappings\" (this restarts the job: the next cycle evaluates every object "
                    "again). Jobs configured before 2026-08-03 lack mail until then."_s.arg(incomplete)
                        .arg(incomplete == 1 ? QString() : u"s"_s, incomplete == 1 ? u"es"_s : QString())
                        .arg(AttributeCatalog::writtenBackCount());
    } else if (unread > 0) {
        f.level = FindingLevel::Unread;
        f.summary = u"The schema of %1 writeback job%2 was not read, so its attribute mappings are unknown: "_s.arg(
                        unread)
                        .arg(unread == 1 ? QString() : u"s"_s) +
                    hint;
    } else {
        f.summary = u"Every writeback job maps all %1 Exchange attributes."_s.arg(AttributeCatalog::writtenBackCount());
    }
    return f;
}

ChecklistFinding findJobsRecentRun(const std::vector<const WritebackJob*>& jobs, qint64 nowMsecs)
{
    ChecklistFinding f{QString(kWritebackJobChecks[3]), FindingLevel::Pass, {}, {}};
    qint64 late = 0;
    qint64 unread = 0;
    for (const WritebackJob* job : jobs) {
        if (job->statusCodeText.isEmpty() && !job->lastSuccessfulExecution) {
            // An answer saved with $select and no status: its runs are unknown, not "never".
            ++unread;
            f.evidence.append(jobLabel(*job) + u": the job's status was not in the answer read"_s);
            continue;
        }
        const bool assumed = job->scheduleIntervalMsecs <= 0;
        const qint64 interval = assumed ? kAssumedWritebackIntervalMsecs : job->scheduleIntervalMsecs;
        const QString intervalText =
            u"interval %1%2"_s.arg(spanText(interval), assumed ? u" (not in the answer; PT20M assumed)"_s : QString());
        const qint64 last = job->lastSuccessfulRunMsecs();
        QString line = jobLabel(*job) + u": "_s;
        if (last <= 0) {
            ++late;
            line += u"has never run successfully, "_s + intervalText;
        } else {
            const qint64 age = nowMsecs - last;
            const bool recent = age <= kWritebackIntervalsAllowed * interval;
            late += !recent;
            line += u"last successful run %1 (%2 ago), %3: %4"_s.arg(
                utcMinutes(last), spanText(age), intervalText,
                recent ? u"within %1 intervals"_s.arg(kWritebackIntervalsAllowed)
                       : u"more than %1 intervals ago"_s.arg(kWritebackIntervalsAllowed));
        }
        if (job->lastExecution && !job->lastExecution->state.isEmpty() &&
            job->lastExecution->state.compare("Succeeded"_L1, Qt::CaseInsensitive) != 0)
            line += u"; last run %1 %2%3"_s.arg(job->lastExecution->state, utcMinutes(job->lastExecution->whenMsecs()),
                                                job->lastExecution->errorCode.isEmpty()
                                                    ? QString()
                                                    : u" ("_s + job->lastExecution->errorCode + u')');
        if (job->countSuccessiveCompleteFailures > 0)
            line += u"; %1 whole runs in a row failed"_s.arg(job->countSuccessiveCompleteFailures);
        f.evidence.append(line);
    }
    if (late > 0) {
        f.level = FindingLevel::Blocking;
        f.summary = u"%1 writeback job%2 ha%3 not run successfully within %4 schedule intervals: cloud changes are "
                    "not reaching AD. Open the job's provisioning logs in the Entra admin center for the failing "
                    "runs."_s.arg(late)
                        .arg(late == 1 ? QString() : u"s"_s, late == 1 ? u"s"_s : u"ve"_s)
                        .arg(kWritebackIntervalsAllowed);
    } else if (unread > 0) {
        f.level = FindingLevel::Unread;
        f.summary = u"The last successful run of %1 writeback job%2 is unknown: read the jobs with their status "
                    "(GET …/synchronization/jobs without $select)."_s.arg(unread)
                        .arg(unread == 1 ? QString() : u"s"_s);
    } else {
        f.summary = u"Every writeback job ran successfully within %1 schedule intervals."_s.arg(kWritebackIntervalsAllowed);
    }
    return f;
}

} // namespace

std::vector<ChecklistFinding> findWritebackJobs(const CloudSyncState* state,
                                                const std::optional<std::vector<WritebackDomain>>& domains,
                                                const QDateTime& now, const QString& missingHint)
{
    const QString jobsWhat = u"Cloud Sync's writeback jobs"_s;
    if (!state || !state->jobsRead) {
        const QString hint = state && !state->jobsMissingReason.isEmpty() ? state->jobsMissingReason : missingHint;
        std::vector<ChecklistFinding> unread;
        for (QLatin1StringView check : kWritebackJobChecks)
            unread.push_back(unreadFinding(check, jobsWhat, hint));
        return unread;
    }
    std::vector<const WritebackJob*> judged;
    ChecklistFinding perDomain{QString(kWritebackJobChecks[0]), FindingLevel::Pass, {}, {}};
    if (!domains) {
        for (const WritebackJob& job : state->jobs)
            judged.push_back(&job);
        perDomain.level = FindingLevel::Unread;
        perDomain.summary = u"Which AD domains hold the mailboxes was not read (AD was not given), so whether every "
                            "domain has its writeback job is unknown; the %1 job%2 read %3 judged below."_s.arg(
                                state->jobs.size())
                                .arg(state->jobs.size() == 1 ? QString() : u"s"_s,
                                     state->jobs.size() == 1 ? u"is"_s : u"are"_s);
        for (const WritebackJob& job : state->jobs)
            perDomain.evidence.append(jobLabel(job));
        if (state->jobs.empty()) {
            perDomain.level = FindingLevel::Blocking;
            perDomain.summary = u"No Cloud Sync writeback job (template Entra2ADExchangeOnlineAttributeWriteback) was "
                                "read from %1: configure Exchange attribute writeback in Cloud Sync for each AD "
                                "domain with mailboxes."_s.arg(state->jobsSource);
        }
    } else {
        qint64 missing = 0;
        for (const WritebackDomain& d : *domains) {
            const qint32 index = state->jobIndexForDomain(d.domain);
            const QString recipients = u"%1 (%2 recipient%3 with Exchange values)"_s.arg(d.domain)
                                           .arg(d.recipients)
                                           .arg(d.recipients == 1 ? QString() : u"s"_s);
            if (index < 0) {
                ++missing;
                perDomain.evidence.append(recipients + u": no writeback job"_s);
                continue;
            }
            const WritebackJob* job = &state->jobs[size_t(index)];
            if (std::find(judged.begin(), judged.end(), job) == judged.end())
                judged.push_back(job);
            perDomain.evidence.append(recipients + u": job "_s + job->id);
        }
        if (missing > 0) {
            perDomain.level = FindingLevel::Blocking;
            perDomain.summary = u"%1 AD domain%2 with mailboxes ha%3 no Cloud Sync writeback job (read from %4), so "
                                "nothing writes Exchange attributes back there: configure Exchange attribute "
                                "writeback for %5 in Cloud Sync."_s.arg(missing)
                                    .arg(missing == 1 ? QString() : u"s"_s, missing == 1 ? u"s"_s : u"ve"_s,
                                         state->jobsSource, missing == 1 ? u"it"_s : u"each"_s);
        } else if (domains->empty()) {
            perDomain.level = FindingLevel::Info;
            perDomain.summary = u"No AD domain with Exchange recipients was read, so no writeback job is needed."_s;
        } else {
            perDomain.summary = u"Every AD domain with mailboxes has its writeback job (read from %1)."_s.arg(
                state->jobsSource);
        }
    }
    std::vector<ChecklistFinding> findings{perDomain};
    if (judged.empty()) {
        // Nothing to judge: the per-domain finding said why; the others have no job to speak of.
        for (size_t i = 1; i < kWritebackJobChecks.size(); ++i)
            findings.push_back({QString(kWritebackJobChecks[i]), perDomain.level == FindingLevel::Blocking
                                                                     ? FindingLevel::Blocking
                                                                     : FindingLevel::Info,
                                u"No writeback job to judge."_s, {}});
        return findings;
    }
    findings.push_back(findJobsActive(judged));
    findings.push_back(findJobMappings(judged, state->schemaSource.isEmpty() ? missingHint : u"the schema read from "_s +
                                                                                  state->schemaSource +
                                                                                  u" has none for it."_s));
    findings.push_back(findJobsRecentRun(judged, now.toMSecsSinceEpoch()));
    return findings;
}

QString syncedObjectKindText(SyncedObjectKind kind)
{
    switch (kind) {
    case SyncedObjectKind::DistributionList:
        return u"distribution list"_s;
    case SyncedObjectKind::MailEnabledSecurityGroup:
        return u"mail-enabled security group"_s;
    case SyncedObjectKind::MailContact:
        return u"mail contact"_s;
    case SyncedObjectKind::Other:
        break;
    }
    return u"other object"_s;
}

SyncedObjectKind groupKind(bool mailEnabled, bool securityEnabled, const QStringList& groupTypes)
{
    if (!mailEnabled || groupTypes.contains(u"Unified"_s, Qt::CaseInsensitive))
        return SyncedObjectKind::Other;
    return securityEnabled ? SyncedObjectKind::MailEnabledSecurityGroup : SyncedObjectKind::DistributionList;
}

bool SyncedDirectoryObject::blocksDecommission() const
{
    return kind != SyncedObjectKind::Other && onPremisesSyncEnabled.value_or(false) && !cloudManaged.value_or(false);
}

ChecklistFinding findGroupsAndContactsNotCloudManaged(const SyncedObjectsRead& groups,
                                                      const SyncedObjectsRead& contacts)
{
    ChecklistFinding f{QString(kGroupsContactsCheck), FindingLevel::Pass, {}, {}};
    qint64 groupCount = 0;
    qint64 contactCount = 0;
    for (const SyncedObjectsRead* read : {&groups, &contacts}) {
        for (const SyncedDirectoryObject& o : read->objects) {
            if (!o.blocksDecommission())
                continue;
            (o.kind == SyncedObjectKind::MailContact ? contactCount : groupCount) += 1;
            f.evidence.append(u"%1: %2%3 (id %4)"_s.arg(syncedObjectKindText(o.kind), o.displayName,
                                                          o.mail.isEmpty() ? QString() : u" <"_s + o.mail + u'>',
                                                          o.id));
        }
    }
    QStringList unread;
    if (!groups.read)
        unread << u"groups: "_s + groups.missingReason;
    if (!contacts.read)
        unread << u"contacts: "_s + contacts.missingReason;
    if (groupCount + contactCount > 0) {
        f.level = FindingLevel::Blocking;
        f.summary = u"%1 synced mail-enabled group%2 and %3 mail contact%4 still have their source of authority "
                    "on-premises: transfer it to the cloud (PATCH …/onPremisesSyncBehavior {\"isCloudManaged\":true}, "
                    "or the Entra admin center) before retiring Exchange, or they can no longer be managed."_s
                        .arg(groupCount)
                        .arg(groupCount == 1 ? QString() : u"s"_s)
                        .arg(contactCount)
                        .arg(contactCount == 1 ? QString() : u"s"_s);
        for (const QString& u : unread)
            f.evidence.append(u"not read: "_s + u);
        return f;
    }
    if (!unread.isEmpty()) {
        f.level = FindingLevel::Unread;
        f.summary = u"The source of authority of groups and contacts was not read ("_s + unread.join(u"; "_s) +
                    u"). Until it is, confirm the transfer below (attestation 'groups-contacts-soa')."_s;
        return f;
    }
    f.summary = u"No synced distribution list, mail-enabled security group or mail contact is left with its source of "
                "authority on-premises (read from %1 and %2)."_s.arg(groups.source, contacts.source);
    return f;
}

ChecklistFinding findWritebackAgent(const QStringList& agentAccountDns)
{
    if (agentAccountDns.isEmpty())
        return {u"cloud-sync-agent"_s, FindingLevel::Blocking,
                u"No Entra Cloud Sync agent account (group managed service account provAgentgMSA$) was found in AD: "
                "install the provisioning agent before retiring Exchange, or writeback cannot happen."_s,
                {}};
    return {u"cloud-sync-agent"_s, FindingLevel::Pass,
            u"The Entra Cloud Sync agent's account is in AD."_s, agentAccountDns};
}

std::vector<ChecklistFinding> findScanState(const std::optional<ScanFacts>& latest, const QDateTime& now)
{
    if (!latest)
        return {{u"recent-scan"_s, FindingLevel::Blocking,
                 u"No drift scan is recorded in the history: run a scan of AD against Exchange Online first."_s,
                 {}}};
    std::vector<ChecklistFinding> findings;
    const QString scan = u"scan %1, finished %2"_s.arg(latest->id).arg(isoUtc(latest->finished));
    const qint64 ageDays = latest->finished.daysTo(now);
    if (!latest->finished.isValid() || latest->finished.secsTo(now) > kRecentScanDays * 86400)
        findings.push_back({u"recent-scan"_s, FindingLevel::Blocking,
                            u"The latest scan is older than %1 days (%2 days): run a fresh scan."_s
                                .arg(kRecentScanDays)
                                .arg(ageDays),
                            {scan}});
    else
        findings.push_back({u"recent-scan"_s, FindingLevel::Pass, u"The latest scan is recent."_s, {scan}});
    const QString counts = u"%1 matched mailboxes, %2 drift items, %3 critical"_s.arg(latest->matched)
                               .arg(latest->driftItems)
                               .arg(latest->criticalItems);
    if (latest->criticalItems > 0)
        findings.push_back({u"critical-drift"_s, FindingLevel::Blocking,
                            u"The latest scan found %1 critical drift items: AD does not hold what Exchange Online "
                            "holds for addresses or recipient types."_s.arg(latest->criticalItems),
                            {scan, counts}});
    else if (latest->driftItems > 0)
        findings.push_back({u"critical-drift"_s, FindingLevel::Warning,
                            u"No critical drift; %1 other drift items remain to be reviewed."_s.arg(
                                latest->driftItems),
                            {scan, counts}});
    else
        findings.push_back({u"critical-drift"_s, FindingLevel::Pass, u"The latest scan found no drift."_s,
                            {scan, counts}});
    return findings;
}

std::optional<qint64> judgedScanId(const ChecklistRun& run)
{
    // findScanState's evidence starts "scan <id>, finished <time>".
    static const QRegularExpression scanEvidence(u"^scan (\\d+), finished "_s);
    for (const ChecklistFinding& f : run.findings) {
        if (f.check != u"recent-scan"_s)
            continue;
        for (const QString& evidence : f.evidence)
            if (const QRegularExpressionMatch m = scanEvidence.match(evidence); m.hasMatch())
                return m.captured(1).toLongLong();
    }
    return std::nullopt;
}

bool isHybridOrganizationRelationship(const QString& name)
{
    return matchesHcwName(name, "O365 to On-premises - "_L1);
}

bool isHybridInboundConnector(const QString& name)
{
    return matchesHcwName(name, "Inbound from "_L1);
}

bool isHybridOutboundConnector(const QString& name)
{
    return matchesHcwName(name, "Outbound to "_L1);
}

namespace {
QString describe(const CloudHybridObject& o)
{
    return u"%1 (%2)"_s.arg(o.name, o.enabled ? u"enabled"_s : u"disabled"_s);
}
} // namespace

ChecklistFinding findOrganizationRelationships(const std::vector<CloudHybridObject>& relationships)
{
    ChecklistFinding f{u"organization-relationship"_s, FindingLevel::Pass, {}, {}};
    qint64 hybrid = 0;
    for (const CloudHybridObject& r : relationships) {
        const bool isHybrid = isHybridOrganizationRelationship(r.name);
        hybrid += isHybrid;
        f.evidence.append((isHybrid ? u"hybrid: "_s : u"other: "_s) + describe(r));
    }
    if (hybrid > 0) {
        f.level = FindingLevel::Blocking;
        f.summary = u"The hybrid organization relationship is still in Exchange Online: remove it with "
                    "Remove-OrganizationRelationship."_s;
    } else if (!relationships.empty()) {
        f.level = FindingLevel::Info;
        f.summary = u"No hybrid organization relationship; %1 other relationships (partners) stay."_s.arg(
            qint64(relationships.size()));
    } else {
        f.summary = u"No organization relationship is left in Exchange Online."_s;
    }
    return f;
}

ChecklistFinding findHybridConnectors(const std::vector<CloudHybridObject>& inbound,
                                      const std::vector<CloudHybridObject>& outbound)
{
    ChecklistFinding f{u"hybrid-connectors"_s, FindingLevel::Pass, {}, {}};
    qint64 hybrid = 0;
    qint64 other = 0;
    for (const CloudHybridObject& c : inbound) {
        const bool isHybrid = isHybridInboundConnector(c.name);
        (isHybrid ? hybrid : other) += 1;
        f.evidence.append((isHybrid ? u"hybrid inbound: "_s : u"other inbound: "_s) + describe(c));
    }
    for (const CloudHybridObject& c : outbound) {
        const bool isHybrid = isHybridOutboundConnector(c.name);
        (isHybrid ? hybrid : other) += 1;
        f.evidence.append((isHybrid ? u"hybrid outbound: "_s : u"other outbound: "_s) + describe(c));
    }
    if (hybrid > 0) {
        f.level = FindingLevel::Blocking;
        f.summary = u"%1 hybrid connectors (made by the Hybrid Configuration Wizard) remain in Exchange Online: "
                    "remove them with Remove-InboundConnector / Remove-OutboundConnector."_s.arg(hybrid);
    } else if (other > 0) {
        f.level = FindingLevel::Info;
        f.summary = u"No hybrid connector; %1 other connectors stay (check that none routes to the on-premises "
                    "server)."_s.arg(other);
    } else {
        f.summary = u"No connector is left in Exchange Online."_s;
    }
    return f;
}

ChecklistFinding findHybridConfigurationObjects(const QStringList& dns)
{
    if (dns.isEmpty())
        return {u"hybrid-configuration-object"_s, FindingLevel::Pass,
                u"No hybrid configuration object is left in AD's configuration partition."_s, {}};
    return {u"hybrid-configuration-object"_s, FindingLevel::Blocking,
            u"The on-premises hybrid configuration object is still in AD (Remove-HybridConfiguration on the "
            "Exchange server removes it)."_s,
            dns};
}

ChecklistFinding findRegisteredServers(const std::vector<ExchangeServerObject>& servers)
{
    if (servers.empty())
        return {u"exchange-servers"_s, FindingLevel::Pass,
                u"No Exchange server is registered in AD's configuration partition."_s, {}};
    ChecklistFinding f{u"exchange-servers"_s, FindingLevel::Blocking,
                       (servers.size() == 1
                            ? u"1 Exchange server is still registered in AD: uninstall Exchange Server from it "
                              "(setup /mode:uninstall) rather than deleting its objects by hand."_s
                            : u"%1 Exchange servers are still registered in AD: uninstall Exchange Server from them "
                              "(setup /mode:uninstall) rather than deleting the objects by hand."_s.arg(
                                  qint64(servers.size()))),
                       {}};
    for (const ExchangeServerObject& s : servers)
        f.evidence.append(s.version.isEmpty() ? s.dn : u"%1, %2"_s.arg(s.dn, s.version));
    return f;
}

ChecklistFinding findAutodiscoverScps(const std::vector<ServiceConnectionPoint>& scps)
{
    ChecklistFinding f{u"autodiscover-scp"_s, FindingLevel::Pass, {}, {}};
    for (const ServiceConnectionPoint& scp : scps) {
        const bool autodiscover = std::any_of(scp.keywords.begin(), scp.keywords.end(), [](const QString& k) {
            return k.compare(kAutodiscoverScpKeyword, Qt::CaseInsensitive) == 0 ||
                   k.compare(kAutodiscoverSiteScpKeyword, Qt::CaseInsensitive) == 0;
        });
        if (!autodiscover)
            continue;
        f.evidence.append(scp.bindingInformation.isEmpty()
                              ? scp.dn
                              : u"%1 -> %2"_s.arg(scp.dn, scp.bindingInformation.join(u", "_s)));
    }
    if (f.evidence.isEmpty()) {
        f.summary = u"No Autodiscover service connection point remains in AD."_s;
        return f;
    }
    f.level = FindingLevel::Blocking;
    f.summary = (f.evidence.size() == 1
                     ? u"1 Autodiscover service connection point remains: domain-joined Outlook clients still look "
                       "it up (Set-ClientAccessService -AutoDiscoverServiceInternalUri $null before the uninstall)."_s
                     : u"%1 Autodiscover service connection points remain: domain-joined Outlook clients still look "
                       "them up (Set-ClientAccessService -AutoDiscoverServiceInternalUri $null before the "
                       "uninstall)."_s.arg(qint64(f.evidence.size())));
    return f;
}

std::vector<ChecklistFinding> findLingeringExchangeObjects(const ExchangeAdInventory& inventory)
{
    std::vector<ChecklistFinding> findings;
    // Must stay: the schema and the recipients' values. Removing either breaks writeback (which needs the
    // schema) and recipient management from the cloud.
    if (inventory.schemaExtended)
        findings.push_back({u"keep-exchange-schema"_s, FindingLevel::Pass,
                            u"Keep: the Exchange schema extensions are present, as Cloud Sync writeback needs."_s,
                            {}});
    else
        findings.push_back({u"keep-exchange-schema"_s, FindingLevel::Blocking,
                            u"The Exchange schema extensions are missing: Cloud Sync cannot write Exchange "
                            "attributes back (run Exchange setup /PrepareSchema)."_s,
                            {}});
    findings.push_back({u"keep-recipient-attributes"_s, FindingLevel::Info,
                        u"Keep: %1 recipients carry msExch*/extensionAttribute* values; they must stay for recipient "
                        "management and writeback."_s.arg(inventory.recipientsWithExchangeAttributes),
                        {}});
    // Should go: what uninstalling the last server removes (third-party test plans; to be confirmed against
    // Microsoft's page, see decommission.md). Their presence means the uninstall did not finish its AD part.
    QStringList leftovers;
    for (const QString& dn : inventory.exchangeContainers)
        leftovers.append(u"organization: "_s + dn);
    for (const QString& dn : inventory.systemObjects)
        leftovers.append(u"system objects: "_s + dn);
    for (const QString& dn : inventory.securityGroupContainers)
        leftovers.append(u"security groups: "_s + dn);
    if (leftovers.isEmpty())
        findings.push_back({u"remove-exchange-organization"_s, FindingLevel::Pass,
                            u"No Exchange organization objects linger in AD."_s, {}});
    else
        findings.push_back({u"remove-exchange-organization"_s, FindingLevel::Blocking,
                            u"%1 Exchange organization objects linger in AD (the organization under CN=Services, "
                            "Microsoft Exchange System Objects, the Exchange security groups): they should go with "
                            "the last server."_s.arg(qint64(leftovers.size())),
                            leftovers});
    return findings;
}

} // namespace sunset
