// SPDX-License-Identifier: Apache-2.0
#include "ChecklistCommands.h"

#include "AdSourceOptions.h"
#include "ChecklistChecks.h"
#include "ChecklistReport.h"
#include "ChecklistStore.h"
#include "CliCommands.h"
#include "CliEdge.h"
#include "CloudSourceOptions.h"
#include "FreshScan.h"

#include <QCommandLineParser>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString kChecklistUsage = u"Usage: sunset-cli checklist status|check STEP|attest STEP ITEM|note STEP TEXT|"
                       "override STEP --reason TEXT|export --format json|pdf --out FILE [--db FILE]\n"
                       "STEP: prerequisites, verification, hybrid-cleanup, uninstall, post-uninstall-cleanup (or 1-5).\n"_s;

QString stepKeys()
{
    QStringList keys;
    for (ChecklistStep s : kChecklistSteps)
        keys.append(checklistStepKey(s));
    return keys.join(u", "_s);
}

std::optional<ChecklistStep> parseStep(const QString& text, QTextStream& err)
{
    const std::optional<ChecklistStep> step = checklistStepFromKey(text);
    if (!step)
        err << "sunset-cli checklist: unknown step '" << text << "'; the steps are " << stepKeys() << " (or 1-5).\n";
    return step;
}

void printStatus(const Checklist& checklist, QTextStream& out)
{
    int number = 1;
    for (const StepRecord& r : checklist.steps) {
        const StepEvaluation e = evaluateStep(r);
        out << number++ << ". " << checklistStepTitle(r.step) << " (" << checklistStepKey(r.step)
            << "): " << stepStatusTitle(e.status) << '\n';
        for (const QString& reason : e.reasons)
            out << "     - " << reason << '\n';
        if (const ChecklistOverride* o = r.currentOverride())
            out << "     overridden " << checklistStamp(o->at, o->by) << ": " << o->reason << '\n';
    }
    out << (checklist.complete() ? "All steps passed or overridden.\n" : "The checklist is not complete.\n");
}

void printRun(const ChecklistRun& run, QTextStream& out)
{
    for (const QString& error : run.errors)
        out << "  error: " << error << '\n';
    for (const ChecklistFinding& f : run.findings) {
        out << "  " << checklistLevelTitle(f.level).toLower() << ": " << f.summary << '\n';
        for (const QString& ev : f.evidence)
            out << "      " << ev << '\n';
    }
}

} // namespace

int runChecklistCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The Exchange Server decommission checklist."_s);
    parser.addHelpOption();
    const QCommandLineOption db(u"db"_s, u"History database (default: the profile's)."_s, u"FILE"_s);
    const QCommandLineOption json(u"json"_s, u"status: print the checklist as JSON."_s);
    const QCommandLineOption reason(u"reason"_s, u"override: why the step may be skipped, and who decided."_s,
                                    u"TEXT"_s);
    const QCommandLineOption withdraw(u"withdraw"_s, u"attest: withdraw the attestation."_s);
    const QCommandLineOption format(u"format"_s, u"export: json or pdf."_s, u"FORMAT"_s);
    const QCommandLineOption outFile(u"out"_s, u"export: the file to write."_s, u"FILE"_s);
    const QCommandLineOption ad(u"ad"_s, u"check: AD read live, ldaps://dc… (with --bind/--password-file or --kerberos)."_s,
                                u"URI"_s);
    const QCommandLineOption exo(u"exo"_s, u"check prerequisites: a Get-Mailbox export instead of --tenant."_s,
                                 u"FILE"_s);
    const QCommandLineOption agent(u"agent-account"_s,
                                   u"check prerequisites: the Cloud Sync agent's gMSA, if not provAgentgMSA."_s,
                                   u"NAME"_s);
    const QCommandLineOption configLdif(
        u"config-ldif"_s,
        u"check: AD's Exchange objects from an LDIF export instead of --ad (repeatable: the configuration "
        "partition's CN=Microsoft Exchange, the domain's users)."_s,
        u"FILE"_s);
    const QCommandLineOption hybridJson(
        u"hybrid-json"_s,
        u"check hybrid-cleanup: the hybrid cmdlets' answers from a file instead of --tenant."_s, u"FILE"_s);
    const QCommandLineOption adFile(u"ad-ldif"_s, u"check verification: the fresh scan's AD side from an LDIF export."_s,
                                    u"FILE"_s);
    const QCommandLineOption graphFile(u"graph"_s, u"check verification: Graph users for the fresh scan's anchors."_s,
                                       u"FILE"_s);
    const QCommandLineOption syncJobs(
        u"sync-jobs"_s,
        u"check prerequisites: Cloud Sync's jobs as GET /servicePrincipals/{id}/synchronization/jobs returns them: "
        "each domain's writeback job must exist, be active, not quarantined, and have run within two intervals."_s,
        u"FILE"_s);
    const QCommandLineOption syncSchema(
        u"sync-schema"_s,
        u"check prerequisites: each writeback job's schema (GET …/jobs/{jobId}/schema): all 24 attributes mapped. "
        "Needs --sync-jobs."_s,
        u"FILE"_s);
    const QCommandLineOption groups(
        u"groups"_s,
        u"check prerequisites: synced groups not yet cloud-managed, as GET /beta/groups?$filter=onPremisesSyncBehavior/"
        "isCloudManaged eq false returns them (pages concatenated): distribution lists and mail-enabled security "
        "groups block."_s,
        u"FILE"_s);
    const QCommandLineOption contacts(
        u"contacts"_s,
        u"check prerequisites: synced mail contacts not yet cloud-managed (GET /beta/contacts, filtered the same "
        "way): each blocks."_s,
        u"FILE"_s);
    parser.addOptions({db, json, reason, withdraw, format, outFile, ad, exo, agent, configLdif, hybridJson, adFile,
                       graphFile, syncJobs, syncSchema, groups, contacts});
    const AdSourceOptions adOptions;
    const CloudSourceOptions cloudOptions;
    parser.addOptions(adOptions.options());
    parser.addOptions(cloudOptions.options());
    parser.addPositionalArgument(u"action"_s, u"status, check, attest, note, override or export"_s);
    if (auto refused = AdSourceOptions::refusePasswordArgument(args)) {
        err << "sunset-cli checklist: " << *refused << '\n';
        return CliUsage;
    }
    if (!parser.parse(QStringList{u"sunset-cli checklist"_s} + args)) {
        err << "sunset-cli checklist: " << parser.errorText() << "\n\n" << kChecklistUsage;
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << kChecklistUsage << '\n' << parser.helpText();
        return CliOk;
    }
    const QStringList pos = parser.positionalArguments();
    if (pos.isEmpty()) {
        err << kChecklistUsage;
        return CliUsage;
    }
    const QString action = pos.first();
    const QHash<QString, int> arity{{u"status"_s, 1}, {u"check"_s, 2}, {u"attest"_s, 3},
                                    {u"note"_s, 3},   {u"override"_s, 2}, {u"export"_s, 1}};
    if (!arity.contains(action) || pos.size() != arity.value(action)) {
        err << "sunset-cli checklist: wrong arguments for '" << action << "'.\n\n" << kChecklistUsage;
        return CliUsage;
    }
    std::optional<ChecklistStep> step;
    if (pos.size() > 1 && !(step = parseStep(pos.at(1), err)))
        return CliUsage;

    AdLiveScanSettings adSettings;
    const bool liveAd = parser.isSet(ad);
    if (liveAd) {
        if (const auto read = adOptions.read(parser, parser.value(ad), err, adSettings); !read) {
            err << "sunset-cli checklist: " << read.error().message << '\n';
            return read.error().exitCode;
        }
    }
    const QString path = parser.isSet(db) ? parser.value(db) : HistoryStore::defaultPath();
    const HistoryActor actor = HistoryActor::current(liveAd ? adSettings.dc.bindName : QString());
    auto history = HistoryStore::open(path, actor);
    if (!history) {
        err << "sunset-cli checklist: " << history.error().message << '\n';
        return CliBadInput;
    }
    ChecklistStore store(*history.value());
    auto recorded = [&](const Expected<void, QString>& journalled, int failCode) {
        if (!journalled) {
            err << "sunset-cli checklist: " << journalled.error() << '\n';
            return failCode;
        }
        return int(CliOk);
    };

    if (action == u"check"_s) {
        ChecklistSources sources;
        if (liveAd)
            sources.ad = adSettings;
        if (cloudOptions.isSet(parser)) {
            CloudSettings cloud;
            if (const auto read = cloudOptions.read(parser, err, cloud); !read) {
                err << "sunset-cli checklist: " << read.error().message << '\n';
                return read.error().exitCode;
            }
            sources.cloud = cloud;
        }
        sources.exoFile = parser.value(exo);
        sources.configLdifFiles = parser.values(configLdif);
        sources.hybridFile = parser.value(hybridJson);
        sources.adFile = parser.value(adFile);
        sources.graphFile = parser.value(graphFile);
        sources.syncJobsFile = parser.value(syncJobs);
        sources.syncSchemaFile = parser.value(syncSchema);
        sources.groupsFile = parser.value(groups);
        sources.contactsFile = parser.value(contacts);
        if (parser.isSet(agent))
            sources.agentAccountName = parser.value(agent);
        QStringList scanErrors;
        if (*step == ChecklistStep::Verification) {
            if (canRecordFreshScan(sources)) {
                const Expected<qint64, QString> fresh = waitAtCliEdge(recordFreshScan(sources, path, actor));
                if (fresh)
                    out << "Fresh scan recorded as scan " << fresh.value() << ".\n";
                else
                    scanErrors.append(fresh.error());
            }
        }
        HistoryResult<std::optional<ScanFacts>> scan = store.latestScan();
        if (!scan) {
            err << "sunset-cli checklist: " << scan.error().message << '\n';
            return CliBadInput;
        }
        sources.latestScan = scan.value();
        ChecklistRun run = waitAtCliEdge(runChecklistStep(*step, sources, store.actorName()));
        run.errors = scanErrors + run.errors;
        if (int code = recorded(store.recordRun(*step, run), CliBadInput); code != CliOk)
            return code;
        out << checklistStepTitle(*step) << ": checks run " << checklistStamp(run.at, run.by) << '\n';
        printRun(run, out);
        const Expected<Checklist, QString> checklist = store.load();
        if (!checklist)
            return recorded(checklist.error(), CliBadInput);
        const StepEvaluation e = evaluateStep(checklist->step(*step));
        out << "Status: " << stepStatusTitle(e.status) << '\n';
        if (!run.errors.isEmpty())
            return CliBadInput;
        return e.status == StepStatus::Passed || e.status == StepStatus::Overridden ? CliOk : kChecklistNotPassed;
    }
    if (action == u"attest"_s) {
        const bool given = !parser.isSet(withdraw);
        if (int code = recorded(store.recordAttestation(*step, pos.at(2), given), CliUsage); code != CliOk)
            return code;
        out << checklistStepTitle(*step) << ": " << (given ? "attested" : "withdrawn") << " '" << pos.at(2) << "'.\n";
        return CliOk;
    }
    if (action == u"note"_s) {
        if (int code = recorded(store.recordNote(*step, pos.at(2)), CliBadInput); code != CliOk)
            return code;
        out << checklistStepTitle(*step) << ": note recorded.\n";
        return CliOk;
    }
    if (action == u"override"_s) {
        if (!parser.isSet(reason)) {
            err << "sunset-cli checklist: override needs --reason TEXT: say why the step may be skipped and who "
                   "decided.\n";
            return CliUsage;
        }
        if (int code = recorded(store.recordOverride(*step, parser.value(reason)), CliUsage); code != CliOk)
            return code;
        out << checklistStepTitle(*step) << ": override recorded.\n";
        return CliOk;
    }
    const Expected<Checklist, QString> checklist = store.load();
    if (!checklist)
        return recorded(checklist.error(), CliBadInput);
    if (action == u"status"_s) {
        if (parser.isSet(json))
            out << checklistToJson(checklist.value(), QDateTime::currentDateTimeUtc(), store.actorName());
        else
            printStatus(checklist.value(), out);
        return CliOk;
    }
    // export
    const QString fmt = parser.value(format);
    if ((fmt != u"json"_s && fmt != u"pdf"_s) || !parser.isSet(outFile)) {
        err << "sunset-cli checklist: export needs --format json|pdf and --out FILE.\n";
        return CliUsage;
    }
    const auto written = fmt == u"json"_s
                             ? writeChecklistJson(checklist.value(), parser.value(outFile), store.actorName())
                             : writeChecklistPdf(checklist.value(), parser.value(outFile), store.actorName());
    if (!written) {
        err << "sunset-cli checklist: " << written.error() << '\n';
        return CliOutputFailed;
    }
    out << "Wrote " << parser.value(outFile) << '\n';
    return CliOk;
}

} // namespace sunset
