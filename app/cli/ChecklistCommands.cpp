// SPDX-License-Identifier: Apache-2.0
#include "ChecklistCommands.h"
#include "platform/OwnerOnlyFile.h"

#include "ChecklistChecks.h"
#include "ChecklistStore.h"
#include "CliCommands.h"
#include "HistoryExport.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QPageSize>
#include <QPdfWriter>
#include <QTextDocument>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString kUsage = u"Usage: sunset-cli checklist status|check STEP|attest STEP ITEM|note STEP TEXT|"
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

QString levelTitle(FindingLevel level)
{
    switch (level) {
    case FindingLevel::Pass:
        return u"OK"_s;
    case FindingLevel::Info:
        return u"Info"_s;
    case FindingLevel::Warning:
        return u"Warning"_s;
    case FindingLevel::Blocking:
        return u"Blocking"_s;
    case FindingLevel::Unread:
        return u"Not read"_s;
    }
    return {};
}

QString stamp(const QDateTime& at, const QString& by)
{
    return at.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s) + u", "_s + by;
}

// The report as HTML for QTextDocument, which paginates it onto the PDF writer.
QString reportHtml(const Checklist& checklist, const QString& generatedBy)
{
    auto esc = [](const QString& s) { return s.toHtmlEscaped(); };
    QString html = u"<html><body style='font-family:sans-serif;font-size:9pt'>"
                   "<h1>Exchange Server decommission checklist</h1>"_s;
    html += u"<p>Generated %1 by %2. Overall: <b>%3</b>.</p>"_s.arg(
        QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s), esc(generatedBy),
        checklist.complete() ? u"every step passed or overridden"_s : u"not complete"_s);
    html += u"<table border='1' cellspacing='0' cellpadding='3'><tr><th>Step</th><th>Status</th></tr>"_s;
    for (const StepRecord& r : checklist.steps)
        html += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(esc(checklistStepTitle(r.step)),
                                                         stepStatusTitle(evaluateStep(r).status));
    html += u"</table>"_s;
    int number = 1;
    for (const StepRecord& r : checklist.steps) {
        const StepEvaluation e = evaluateStep(r);
        html += u"<h2>%1. %2 — %3</h2><p><i>%4</i></p>"_s.arg(number++)
                    .arg(esc(checklistStepTitle(r.step)), stepStatusTitle(e.status), esc(checklistStepPurpose(r.step)));
        if (!e.reasons.isEmpty()) {
            html += u"<p>Open:</p><ul>"_s;
            for (const QString& reason : e.reasons)
                html += u"<li>%1</li>"_s.arg(esc(reason));
            html += u"</ul>"_s;
        }
        if (const ChecklistRun* run = r.latestRun()) {
            html += u"<p><b>Latest checks</b> (%1; %2):</p><ul>"_s.arg(
                esc(stamp(run->at, run->by)),
                r.runs.size() == 1 ? u"the only run"_s : u"%1 runs in all"_s.arg(qint64(r.runs.size())));
            for (const QString& error : run->errors)
                html += u"<li><b>Error</b>: %1</li>"_s.arg(esc(error));
            for (const ChecklistFinding& f : run->findings) {
                html += u"<li><b>%1</b>: %2"_s.arg(levelTitle(f.level), esc(f.summary));
                if (!f.evidence.isEmpty()) {
                    html += u"<ul>"_s;
                    for (const QString& ev : f.evidence)
                        html += u"<li><tt>%1</tt></li>"_s.arg(esc(ev));
                    html += u"</ul>"_s;
                }
                html += u"</li>"_s;
            }
            html += u"</ul>"_s;
        }
        html += u"<p><b>Attestations</b>:</p><ul>"_s;
        for (const AttestationItem& item : attestationItems(r.step)) {
            QString when;
            for (auto it = r.attestations.rbegin(); it != r.attestations.rend(); ++it)
                if (it->key == item.key) {
                    when = stamp(it->at, it->by);
                    break;
                }
            if (!r.needsAttestation(item) && when.isEmpty()) {
                html += u"<li>[checked by the latest run] %1</li>"_s.arg(esc(item.text));
                continue;
            }
            html += u"<li>[%1] %2%3</li>"_s.arg(r.isAttested(item.key) ? u"x"_s : u" "_s, esc(item.text),
                                                 when.isEmpty() ? QString() : u" (%1)"_s.arg(esc(when)));
        }
        html += u"</ul>"_s;
        for (const ChecklistOverride& o : r.overrides)
            html += u"<p><b>Override</b> (%1): %2</p>"_s.arg(esc(stamp(o.at, o.by)), esc(o.reason));
        for (const ChecklistNote& n : r.notes)
            html += u"<p><b>Note</b> (%1): %2</p>"_s.arg(esc(stamp(n.at, n.by)), esc(n.text));
    }
    html += u"</body></html>"_s;
    return html;
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
            out << "     overridden " << stamp(o->at, o->by) << ": " << o->reason << '\n';
    }
    out << (checklist.complete() ? "All steps passed or overridden.\n" : "The checklist is not complete.\n");
}

void printRun(const ChecklistRun& run, QTextStream& out)
{
    for (const QString& error : run.errors)
        out << "  error: " << error << '\n';
    for (const ChecklistFinding& f : run.findings) {
        out << "  " << levelTitle(f.level).toLower() << ": " << f.summary << '\n';
        for (const QString& ev : f.evidence)
            out << "      " << ev << '\n';
    }
}

} // namespace

std::optional<QString> writeChecklistJson(const Checklist& checklist, const QString& path, const QString& generatedBy)
{
    if (std::optional<HistoryError> error =
            writeExportFile(path, checklistToJson(checklist, QDateTime::currentDateTimeUtc(), generatedBy)))
        return error->message;
    return std::nullopt;
}

std::optional<QString> writeChecklistPdf(const Checklist& checklist, const QString& path, const QString& generatedBy)
{
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return u"a PDF needs QtGui's application object; run the export through sunset-cli or the wizard"_s;
    OwnerOnlyFile file(path);
    if (auto error = file.open())
        return error->message;
    {
        QPdfWriter writer(file.device());
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setTitle(u"Exchange Server decommission checklist"_s);
        writer.setCreator(u"Sunset"_s);
        QTextDocument document;
        document.setHtml(reportHtml(checklist, generatedBy));
        document.print(&writer);
    }
    if (auto error = file.commit())
        return error->message;
    return std::nullopt;
}

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
        err << "sunset-cli checklist: " << parser.errorText() << "\n\n" << kUsage;
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << kUsage << '\n' << parser.helpText();
        return CliOk;
    }
    const QStringList pos = parser.positionalArguments();
    if (pos.isEmpty()) {
        err << kUsage;
        return CliUsage;
    }
    const QString action = pos.first();
    const QHash<QString, int> arity{{u"status"_s, 1}, {u"check"_s, 2}, {u"attest"_s, 3},
                                    {u"note"_s, 3},   {u"override"_s, 2}, {u"export"_s, 1}};
    if (!arity.contains(action) || pos.size() != arity.value(action)) {
        err << "sunset-cli checklist: wrong arguments for '" << action << "'.\n\n" << kUsage;
        return CliUsage;
    }
    std::optional<ChecklistStep> step;
    if (pos.size() > 1 && !(step = parseStep(pos.at(1), err)))
        return CliUsage;

    LiveAdSettings adSettings;
    const bool liveAd = parser.isSet(ad);
    if (liveAd) {
        if (auto error = adOptions.read(parser, parser.value(ad), err, adSettings)) {
            err << "sunset-cli checklist: " << error->message << '\n';
            return error->exitCode;
        }
    }
    const QString path = parser.isSet(db) ? parser.value(db) : HistoryStore::defaultPath();
    auto history = HistoryStore::open(path, HistoryActor::current(liveAd ? adSettings.bindName : QString()));
    if (!history) {
        err << "sunset-cli checklist: " << history.error().message << '\n';
        return CliBadInput;
    }
    ChecklistStore store(*history.value());
    auto recorded = [&](const std::optional<QString>& error, int failCode) {
        if (error) {
            err << "sunset-cli checklist: " << *error << '\n';
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
            if (auto error = cloudOptions.read(parser, err, cloud)) {
                err << "sunset-cli checklist: " << error->message << '\n';
                return error->exitCode;
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
            if (auto fresh = recordFreshScan(sources, *history.value())) {
                if (fresh->ok())
                    out << "Fresh scan recorded as scan " << fresh->value() << ".\n";
                else
                    scanErrors.append(fresh->error());
            }
        }
        HistoryResult<std::optional<ScanFacts>> scan = store.latestScan();
        if (!scan) {
            err << "sunset-cli checklist: " << scan.error().message << '\n';
            return CliBadInput;
        }
        sources.latestScan = scan.value();
        ChecklistRun run = runChecklistStep(*step, sources, store.actorName());
        run.errors = scanErrors + run.errors;
        if (int code = recorded(store.recordRun(*step, run), CliBadInput); code != CliOk)
            return code;
        out << checklistStepTitle(*step) << ": checks run " << stamp(run.at, run.by) << '\n';
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
    const std::optional<QString> error = fmt == u"json"_s
                                             ? writeChecklistJson(checklist.value(), parser.value(outFile), store.actorName())
                                             : writeChecklistPdf(checklist.value(), parser.value(outFile), store.actorName());
    if (error) {
        err << "sunset-cli checklist: " << *error << '\n';
        return CliOutputFailed;
    }
    out << "Wrote " << parser.value(outFile) << '\n';
    return CliOk;
}

} // namespace sunset
