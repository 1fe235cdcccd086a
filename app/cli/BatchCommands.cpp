// SPDX-License-Identifier: Apache-2.0
#include "BatchCommands.h"

#include "AdSourceOptions.h"
#include "BatchApplier.h"
#include "BatchModifies.h"
#include "BreakGlass.h"
#include "CliCommands.h"
#include "HistoryExport.h"
#include "HistoryStore.h"
#include "ScanRecording.h"
#include "TerminalReport.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSet>

#include <unistd.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QCommandLineOption dbOption()
{
    return QCommandLineOption(
        u"db"_s, u"History database (default: %1)."_s.arg(QDir::toNativeSeparators(HistoryStore::defaultPath())),
        u"FILE"_s);
}

// Parses; returns an exit code when the command is done (help, usage error), nullopt to go on.
std::optional<int> parse(QCommandLineParser& parser, const QString& name, const QStringList& args, QTextStream& out,
                         QTextStream& err)
{
    if (!parser.parse(QStringList{u"sunset-cli "_s + name} + args)) {
        err << "sunset-cli " << name << ": " << parser.errorText() << "\n\n" << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    return std::nullopt;
}

std::unique_ptr<HistoryStore> openStore(const QCommandLineParser& parser, const QString& name, QTextStream& err,
                                        const QString& bindIdentity = {})
{
    const QString path = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : HistoryStore::defaultPath();
    auto store = HistoryStore::open(path, HistoryActor::current(bindIdentity));
    if (!store) {
        err << "sunset-cli " << name << ": " << store.error().message << '\n';
        return nullptr;
    }
    return std::move(store.value());
}

std::optional<qint64> batchNumber(const QString& text)
{
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    return ok && n > 0 ? std::optional<qint64>(n) : std::nullopt;
}

void printBatch(const StoredBatch& batch, const std::vector<StoredChange>& changes, QTextStream& out)
{
    out << "Batch " << batch.id << ": " << batchStateName(batch.state) << ", created "
        << batch.createdAt.toString(Qt::ISODate) << " by " << batch.createdBy;
    if (batch.approvedAt.isValid())
        out << ", approved " << batch.approvedAt.toString(Qt::ISODate) << " by " << batch.approvedBy
            << (batch.approvedBind.isEmpty() ? QString() : u" (bound as "_s + batch.approvedBind + u')');
    if (batch.undoOf > 0)
        out << ", reverses batch " << batch.undoOf;
    out << '\n' << batch.objectCount << " objects, " << batch.valueCount << " values\n";
    for (const QString& w : batch.warnings)
        out << "warning: " << w << '\n';
    QString dn;
    for (const StoredChange& c : changes) {
        if (c.dn != dn) {
            dn = c.dn;
            out << '\n' << dn << '\n';
        }
        const QLatin1StringView name = AttributeCatalog::spec(c.attribute).ldapName;
        out << "  " << name << " [" << changeStateName(c.state) << "]";
        if (!c.ldapMessage.isEmpty())
            out << ' ' << c.ldapMessage;
        out << '\n';
        for (const QString& v : c.before)
            out << "    - \"" << v << "\"\n";
        for (const QString& v : c.after)
            out << "    + \"" << v << "\"\n";
    }
}

// What Cloud Sync could do for the batch, and the break-glass reason: as recorded at approval, or (not approved
// yet) as the batch's scan says now, with what approving takes.
void printBreakGlass(const HistoryStore& store, const StoredBatch& batch, const std::vector<StoredChange>& changes,
                     QTextStream& out)
{
    out << '\n' << breakGlassHeadline() << '\n';
    if (batch.approvedAt.isValid()) {
        out << "Break-glass reason: " << breakGlassReasonText(batch) << '\n';
        for (const QString& label : cloudSyncLabels(batch.breakGlassCloudSync))
            out << "  " << label << '\n';
        return;
    }
    const auto assessment = assessStoredBatch(store, batch, changes);
    if (!assessment) {
        out << "  What Cloud Sync can do is unknown: " << assessment.error().message << '\n';
        return;
    }
    for (const QString& label : assessment->labels())
        out << "  " << label << '\n';
    if (batch.state == BatchState::Planned)
        out << "Approving it takes the reason: 'sunset-cli batch approve " << batch.id << " --reason TEXT'.\n";
}

std::optional<AttributeId> attributeNamed(const QString& name, const QString& command, QTextStream& err)
{
    const auto id = AttributeCatalog::byLdapName(name);
    if (!id) {
        QStringList known;
        for (const AttributeSpec& spec : AttributeCatalog::all())
            if (spec.writableBySunset)
                known << QString(spec.ldapName);
        err << "sunset-cli " << command << ": --attribute '" << name
            << "' is not a catalog attribute. Sunset writes: " << known.join(u", "_s) << ".\n";
    }
    return id;
}

int planBatch(const QCommandLineParser& parser, QTextStream& out, QTextStream& err)
{
    PlanFilter filter;
    for (const QString& name : parser.values(u"attribute"_s)) {
        const auto id = attributeNamed(name, u"batch plan"_s, err);
        if (!id)
            return CliUsage;
        filter.attributes.push_back(*id);
    }
    filter.mailboxes = parser.values(u"mailbox"_s);
    qint64 scanId = 0;
    if (parser.isSet(u"scan"_s)) {
        const auto n = batchNumber(parser.value(u"scan"_s));
        if (!n) {
            err << "sunset-cli batch plan: --scan '" << parser.value(u"scan"_s) << "' is not a scan number.\n";
            return CliUsage;
        }
        scanId = *n;
    }
    WritebackBatchOptions options;
    if (parser.isSet(u"confirm-above"_s)) {
        bool ok = false;
        options.confirmAboveObjects = parser.value(u"confirm-above"_s).toLongLong(&ok);
        if (!ok || options.confirmAboveObjects < 0) {
            err << "sunset-cli batch plan: --confirm-above '" << parser.value(u"confirm-above"_s)
                << "' is not a count.\n";
            return CliUsage;
        }
    }
    auto store = openStore(parser, u"batch plan"_s, err, parser.value(u"bind"_s));
    if (!store)
        return CliBadInput;
    const auto plan = planFromScan(*store, scanId, filter);
    if (!plan) {
        err << "sunset-cli batch plan: " << plan.error().message << '\n';
        return CliBadInput;
    }
    if (!plan->unknownMailboxes.isEmpty()) {
        err << "sunset-cli batch plan: scan " << plan->scanId << " has no writable drift"
            << (filter.attributes.empty() ? QString() : u" of the attributes given"_s) << " for "
            << plan->unknownMailboxes.join(u", "_s) << ". Nothing was planned.\n";
        return CliBadInput;
    }
    const WritebackBatch batch = WritebackBatch::build(plan->selections, options);
    if (batch.isEmpty()) {
        err << "sunset-cli batch plan: nothing to write from scan " << plan->scanId;
        if (plan->ignored > 0)
            err << " (" << plan->ignored << " items ignored by decision)";
        err << ". Nothing was planned.\n" << batch.describe();
        return CliBadInput;
    }
    const auto id = store->createBatch(batch, plan->scanId);
    if (!id) {
        err << "sunset-cli batch plan: " << id.error().message << '\n';
        return CliBadInput;
    }
    out << "Batch " << id.value() << " planned from scan " << plan->scanId << ".\n";
    if (plan->ignored > 0)
        out << plan->ignored << " writable items left out: ignored by decision ('sunset-cli drift approve' takes an "
            << "ignore back).\n";
    out << batch.describe();
    out << "Review it with 'sunset-cli batch show " << id.value() << "', then 'sunset-cli batch approve " << id.value()
        << " --reason TEXT" << (batch.needsSecondConfirmation() ? " --confirm-large" : "")
        << "' (a direct LDAP write is Cloud Sync's break-glass path: the reason is kept in the history).\n";
    return CliOk;
}

} // namespace

int runBatchCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writeback batches: 'batch show N' prints what batch N sends (per DN: values deleted and added) and "
        "each change's state and what Cloud Sync can do for it; 'batch approve N --reason TEXT' approves a planned "
        "batch, a direct LDAP write and so Cloud Sync's break-glass path, with the reason kept in the history "
        "(--confirm-large when it changes more objects than the threshold); 'batch undo N' plans the reverse of an applied batch. Exit code 0 when done; 1 "
        "when refused or the history is unusable; 2 on "
        "wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    const QCommandLineOption confirm(u"confirm-large"_s, u"The second confirmation for a large batch."_s);
    const QCommandLineOption bind(u"bind"_s, u"Record the AD identity the batch will be applied with."_s, u"NAME"_s);
    const QCommandLineOption reason(
        u"reason"_s,
        u"approve: why this batch is written directly to AD, Cloud Sync's break-glass path (required; at least %1 "
        "characters; kept in the history with what Cloud Sync could do)."_s.arg(kBreakGlassReasonMinLength),
        u"TEXT"_s);
    parser.addOptions({db, confirm, bind, reason});
    const QCommandLineOption attribute(u"attribute"_s,
                                       u"plan: only this catalog attribute (LDAP name; repeat for more)."_s, u"A"_s);
    const QCommandLineOption mailbox(u"mailbox"_s,
                                     u"plan: only this mailbox (UPN or AD distinguished name; repeat for more)."_s,
                                     u"UPN"_s);
    const QCommandLineOption scanOption(u"scan"_s, u"plan: the recorded scan to plan from (default: the newest)."_s,
                                        u"N"_s);
    const QCommandLineOption confirmAbove(
        u"confirm-above"_s, u"plan: more objects than this need --confirm-large at approval (default 100)."_s,
        u"COUNT"_s);
    parser.addOptions({attribute, mailbox, scanOption, confirmAbove});
    parser.addPositionalArgument(u"action"_s, u"plan, show, approve or undo"_s);
    parser.addPositionalArgument(u"N"_s, u"the batch number (not for plan)"_s);
    if (const auto done = parse(parser, u"batch"_s, args, out, err))
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional == QStringList{u"plan"_s})
        return planBatch(parser, out, err);
    const auto id = positional.size() == 2 ? batchNumber(positional[1]) : std::nullopt;
    if (!id || (positional[0] != u"show"_s && positional[0] != u"approve"_s && positional[0] != u"undo"_s)) {
        err << "sunset-cli batch: expected 'plan', 'show N', 'approve N' or 'undo N'.\n\n" << parser.helpText();
        return CliUsage;
    }
    for (const QCommandLineOption& planOnly : {attribute, mailbox, scanOption, confirmAbove}) {
        if (parser.isSet(planOnly)) {
            err << "sunset-cli batch: --" << planOnly.names().first() << " is for 'batch plan'.\n";
            return CliUsage;
        }
    }
    if (positional[0] != u"approve"_s && parser.isSet(reason)) {
        err << "sunset-cli batch: --reason is for 'batch approve'.\n";
        return CliUsage;
    }
    if (positional[0] == u"approve"_s) {
        // Checked before the history is opened: a refused approval records nothing.
        if (const auto problem = breakGlassReasonProblem(parser.value(reason))) {
            err << "sunset-cli batch approve: --reason TEXT is required. " << *problem << " 'sunset-cli batch show "
                << *id << "' says what Cloud Sync can do for it; Ask Cloud Sync ('sunset-cli provision-on-demand') "
                << "is the supported way when it can.\n";
            return CliUsage;
        }
    }
    auto store = openStore(parser, u"batch"_s, err, parser.value(bind));
    if (!store)
        return CliBadInput;
    if (positional[0] == u"undo"_s) {
        const auto undo = store->createUndoBatch(*id);
        if (!undo) {
            err << "sunset-cli batch undo: " << undo.error().message << '\n';
            return CliBadInput;
        }
        out << "Batch " << undo.value() << " planned: it reverses batch " << *id << ". Review it with 'batch show "
            << undo.value() << "', then approve and apply it.\n";
        return CliOk;
    }
    if (positional[0] == u"approve"_s) {
        const auto planned = store->batch(*id);
        const auto plannedChanges = planned ? store->changes(*id) : HistoryResult<std::vector<StoredChange>>(planned.error());
        if (!plannedChanges) {
            err << "sunset-cli batch approve: " << plannedChanges.error().message << '\n';
            return CliBadInput;
        }
        const auto assessment = assessStoredBatch(*store, planned.value(), plannedChanges.value());
        if (!assessment) {
            err << "sunset-cli batch approve: " << assessment.error().message << '\n';
            return CliBadInput;
        }
        const BreakGlassApproval approval{parser.value(reason), assessment->cloudSyncJson()};
        if (const auto approved = store->approveBatch(*id, approval, parser.isSet(confirm)); !approved) {
            err << "sunset-cli batch approve: " << approved.error().message;
            // The store's refusal is the GUI's too: here the way to give the second confirmation is an option.
            if (const auto b = store->batch(*id); !parser.isSet(confirm) && b && b->state == BatchState::Planned &&
                                                  b->secondConfirmation)
                err << " Review it with 'sunset-cli batch show " << *id << "', then run 'sunset-cli batch approve "
                    << *id << " --reason TEXT --confirm-large'.";
            err << '\n';
            return CliBadInput;
        }
        out << "Batch " << *id << " approved as a break-glass write. Reason recorded: "
            << parser.value(reason).trimmed() << '\n';
        for (const QString& label : assessment->labels())
            out << "  " << label << '\n';
        return CliOk;
    }
    const auto batch = store->batch(*id);
    if (!batch) {
        err << "sunset-cli batch show: " << batch.error().message << '\n';
        return CliBadInput;
    }
    const auto changes = store->changes(*id);
    if (!changes) {
        err << "sunset-cli batch show: " << changes.error().message << '\n';
        return CliBadInput;
    }
    printBatch(batch.value(), changes.value(), out);
    printBreakGlass(*store, batch.value(), changes.value(), out);
    return CliOk;
}

int runApplyCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Applies an approved writeback batch to AD: every object is re-read first (a value changed since the scan "
        "is a conflict, nothing sent), each change is journalled before it is sent and settled with the server's "
        "answer. With --dry-run, prints the LDIF change file it would send (ldapmodify and ldifde accept it) and "
        "changes nothing. Exit code 0 when every object was applied (or the dry run printed); 1 otherwise; 2 on "
        "wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    const QCommandLineOption batchOption(u"batch"_s, u"The batch to apply."_s, u"N"_s);
    const QCommandLineOption dryRun(u"dry-run"_s, u"Print the LDIF that would be sent; change nothing."_s);
    const QCommandLineOption ad(u"ad"_s, u"The domain controller: ldaps://dc01.contoso.com[:port]."_s, u"URI"_s);
    parser.addOptions({db, batchOption, dryRun, ad});
    const AdSourceOptions live;
    parser.addOptions(live.options());
    if (const auto refused = AdSourceOptions::refusePasswordArgument(args)) {
        err << "sunset-cli apply: " << *refused << '\n';
        return CliUsage;
    }
    if (const auto done = parse(parser, u"apply"_s, args, out, err))
        return *done;
    const auto id = batchNumber(parser.value(batchOption));
    if (!id || !parser.positionalArguments().isEmpty()) {
        err << "sunset-cli apply: --batch N is required.\n\n" << parser.helpText();
        return CliUsage;
    }
    if (!parser.isSet(dryRun) && (!parser.isSet(ad) || !AdSourceOptions::isLdapUri(parser.value(ad)))) {
        err << "sunset-cli apply: --ad ldaps://… is required (or --dry-run).\n\n" << parser.helpText();
        return CliUsage;
    }
    AdLiveScanSettings settings;
    if (!parser.isSet(dryRun)) {
        if (const auto read = live.read(parser, parser.value(ad), err, settings); !read) {
            err << "sunset-cli apply: " << read.error().message << '\n';
            return read.error().exitCode;
        }
    }
    auto store = openStore(parser, u"apply"_s, err, settings.dc.kerberos ? u"kerberos"_s : settings.dc.bindName);
    if (!store)
        return CliBadInput;
    const auto batch = store->batch(*id);
    if (!batch) {
        err << "sunset-cli apply: " << batch.error().message << '\n';
        return CliBadInput;
    }
    const bool interrupted = batch->state == BatchState::Applying;
    if (batch->state != BatchState::Approved && batch->state != BatchState::Partial && !interrupted) {
        err << "sunset-cli apply: batch " << *id << " is " << batchStateName(batch->state)
            << ": only an approved batch is applied (sunset-cli batch approve " << *id << " --reason TEXT).\n";
        return CliBadInput;
    }
    if (interrupted && parser.isSet(dryRun)) {
        err << "sunset-cli apply: batch " << *id
            << " was interrupted while applying; run apply without --dry-run to "
               "settle it by re-reading AD first.\n";
        return CliBadInput;
    }
    const auto changes = store->changes(*id);
    if (!changes) {
        err << "sunset-cli apply: " << changes.error().message << '\n';
        return CliBadInput;
    }
    if (parser.isSet(dryRun)) {
        // What apply would send: the objects never sent (a partial batch resumes those only). Before sending,
        // apply also re-reads each one; a dry run cannot know what that finds.
        std::vector<StoredChange> unsent;
        QSet<qint64> objects;
        QSet<qint64> left;
        for (const StoredChange& c : changes.value()) {
            objects.insert(c.objectSeq);
            if (c.state == ChangeState::Planned || c.state == ChangeState::NotSent)
                unsent.push_back(c);
            else
                left.insert(c.objectSeq);
        }
        if (!left.isEmpty())
            err << "sunset-cli apply: batch " << *id << " is " << batchStateName(batch->state) << ": " << left.size()
                << " of " << objects.size() << " objects are left out of this dry run (sent before: applied, "
                << "conflict, error or refused; see 'sunset-cli batch show " << *id << "').\n";
        out << QString::fromUtf8(batchLdif(batch.value(), unsent));
        return CliOk;
    }
    LiveAd connected;
    if (const auto ready = connectLiveAd(settings, TerminalTicker(err).report(), connected); !ready) {
        err << "sunset-cli apply: " << ready.error() << '\n';
        return CliBadInput;
    }
    BatchApplier applier(*store, *connected.connection);
    if (interrupted) {
        // Killed mid-batch last time: settle every pending change by re-reading AD, then resume what was not sent.
        const auto settled = applier.settleInterrupted(*id);
        if (!settled) {
            err << "sunset-cli apply: " << settled.error().message << '\n';
            return CliBadInput;
        }
        out << settled->message << '\n';
        if (settled->notSent == 0)
            return settled->finalState == BatchState::Applied ? CliOk : CliBadInput;
    }
    const auto report = applier.apply(*id);
    if (!report) {
        err << "sunset-cli apply: " << report.error().message << '\n';
        return CliBadInput;
    }
    out << report->message << '\n';
    return report->finalState == BatchState::Applied ? CliOk : CliBadInput;
}

QList<QCommandLineOption> scanHistoryOptions()
{
    return {dbOption(),
            QCommandLineOption(u"no-history"_s,
                               u"Do not record this scan in the history (a one-off report; 'batch plan' cannot "
                               "use it)."_s)};
}

DiffHistory::DiffHistory(const QCommandLineParser& parser, QTextStream& err)
    : m_disabled(parser.isSet(u"no-history"_s))
{
    if (!m_disabled)
        m_store = openStore(parser, u"diff"_s, err);
}

DiffHistory::~DiffHistory() = default;

std::optional<SinceScan> DiffHistory::sinceLastScan(const ScanIdentity& current, QTextStream& err) const
{
    if (!m_store)
        return std::nullopt;
    auto since = sinceLatestScan(*m_store, current);
    if (!since) {
        err << "sunset-cli diff: " << since.error().message << '\n';
        return std::nullopt;
    }
    return std::move(since.value());
}

bool DiffHistory::record(const DriftReportInput& input, const ScanMailboxList& mailboxes, const QDateTime& started,
                         QTextStream& out, QTextStream& err)
{
    if (m_disabled)
        return true;
    if (!m_store) {
        err << "The scan was not recorded (reports were written); give another --db or --no-history.\n";
        return false;
    }
    const auto id = m_store->recordScan(scanRecord(input, started, QDateTime::currentDateTimeUtc(), &mailboxes));
    if (!id) {
        err << "sunset-cli diff: " << id.error().message << "\nThe scan was not recorded (reports were written).\n";
        return false;
    }
    out << "Recorded as scan " << id.value() << " in " << QDir::toNativeSeparators(m_store->path()) << '\n';
    return true;
}

int runDriftCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Decisions on drift items of a recorded scan (the newest unless --scan N): 'drift ignore --mailbox UPN "
        "--attribute A --reason TEXT' leaves the item out of every plan until 'drift approve --mailbox UPN "
        "--attribute A' takes it back. Each decision is recorded with the OS user and --bind identity. Exit code 0 "
        "when recorded; 1 when the item is not in the scan or the history is unusable; 2 on wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    const QCommandLineOption mailbox(u"mailbox"_s, u"The mailbox: UPN or AD distinguished name."_s, u"UPN"_s);
    const QCommandLineOption attribute(u"attribute"_s, u"The catalog attribute (LDAP name)."_s, u"A"_s);
    const QCommandLineOption reason(u"reason"_s, u"Why (required for ignore)."_s, u"TEXT"_s);
    const QCommandLineOption scanOption(u"scan"_s, u"The recorded scan (default: the newest)."_s, u"N"_s);
    const QCommandLineOption bind(u"bind"_s, u"Record the AD identity you act as."_s, u"NAME"_s);
    parser.addOptions({db, mailbox, attribute, reason, scanOption, bind});
    parser.addPositionalArgument(u"action"_s, u"ignore or approve"_s);
    if (const auto done = parse(parser, u"drift"_s, args, out, err))
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || (positional[0] != u"ignore"_s && positional[0] != u"approve"_s) ||
        !parser.isSet(mailbox) || !parser.isSet(attribute)) {
        err << "sunset-cli drift: expected 'ignore' or 'approve' with --mailbox UPN and --attribute A.\n\n"
            << parser.helpText();
        return CliUsage;
    }
    const DecisionKind kind = positional[0] == u"ignore"_s ? DecisionKind::Ignore : DecisionKind::Approve;
    if (kind == DecisionKind::Ignore && parser.value(reason).trimmed().isEmpty()) {
        err << "sunset-cli drift ignore: --reason TEXT is required (it goes into the audit trail).\n";
        return CliUsage;
    }
    const auto id = attributeNamed(parser.value(attribute), u"drift"_s, err);
    if (!id)
        return CliUsage;
    qint64 scanId = 0;
    if (parser.isSet(scanOption)) {
        const auto n = batchNumber(parser.value(scanOption));
        if (!n) {
            err << "sunset-cli drift: --scan '" << parser.value(scanOption) << "' is not a scan number.\n";
            return CliUsage;
        }
        scanId = *n;
    }
    auto store = openStore(parser, u"drift"_s, err, parser.value(bind));
    if (!store)
        return CliBadInput;
    const auto decision =
        recordDriftDecision(*store, scanId, parser.value(mailbox), *id, kind, parser.value(reason));
    if (!decision) {
        err << "sunset-cli drift " << positional[0] << ": " << decision.error().message << '\n';
        return CliBadInput;
    }
    out << "Decision " << decision.value() << " recorded: " << positional[0] << ' '
        << AttributeCatalog::spec(*id).ldapName << " of " << parser.value(mailbox) << ", by "
        << store->actor().osUser;
    if (!store->actor().bindIdentity.isEmpty())
        out << " (bound as " << store->actor().bindIdentity << ')';
    out << ".\n";
    return CliOk;
}

namespace {

std::optional<QDate> dateOption(const QCommandLineParser& parser, const QString& name, QTextStream& err, bool* bad)
{
    if (!parser.isSet(name))
        return std::nullopt;
    const QDate date = QDate::fromString(parser.value(name), Qt::ISODate);
    if (!date.isValid()) {
        err << "sunset-cli history export: --" << name << " '" << parser.value(name)
            << "' is not a date such as 2026-11-24.\n";
        *bad = true;
    }
    return date;
}

int exportHistory(const QCommandLineParser& parser, QTextStream& out, QTextStream& err)
{
    const QString format = parser.value(u"format"_s);
    const QStringList formats{u"csv"_s, u"json"_s, u"ldif"_s, u"pdf"_s};
    if (!formats.contains(format)) {
        err << "sunset-cli history export: --format csv, json, ldif or pdf is required.\n";
        return CliUsage;
    }
    const QString path = parser.value(u"out"_s);
    if (path.isEmpty()) {
        err << "sunset-cli history export: --out FILE is required ('-' for standard output, except for pdf).\n";
        return CliUsage;
    }
    if (format == u"pdf"_s && path == u"-"_s) {
        err << "sunset-cli history export: a PDF goes to a file: give --out FILE.pdf.\n";
        return CliUsage;
    }
    HistoryExportFilter filter;
    if (parser.isSet(u"batch"_s)) {
        const auto n = batchNumber(parser.value(u"batch"_s));
        if (!n) {
            err << "sunset-cli history export: --batch '" << parser.value(u"batch"_s) << "' is not a batch number.\n";
            return CliUsage;
        }
        filter.batchId = *n;
    }
    if ((format == u"ldif"_s || format == u"pdf"_s) && filter.batchId == 0) {
        err << "sunset-cli history export: --format " << format << " exports one batch: give --batch N.\n";
        return CliUsage;
    }
    bool bad = false;
    filter.since = dateOption(parser, u"since"_s, err, &bad);
    filter.until = dateOption(parser, u"until"_s, err, &bad);
    if (bad)
        return CliUsage;
    filter.object = parser.value(u"object"_s);
    if ((format == u"ldif"_s || format == u"pdf"_s) && (filter.since || filter.until || !filter.object.isEmpty())) {
        err << "sunset-cli history export: --since, --until and --object filter csv and json; a batch's " << format
            << " is always whole.\n";
        return CliUsage;
    }
    auto store = openStore(parser, u"history export"_s, err);
    if (!store)
        return CliBadInput;
    if (format == u"pdf"_s) {
        // A big batch's report takes a while (about 0.7 ms a change): on a terminal, the page being printed.
        HistoryExportProgress progress;
        const bool terminal = ::isatty(STDERR_FILENO);
        if (terminal)
            progress = [&err, batch = filter.batchId](int done, int total) {
                if (total == 0)
                    err << "\rLaying out the report of batch " << batch << " …" << Qt::flush;
                else
                    err << "\rPrinting page " << done << " of " << total << "          " << Qt::flush;
                return true;
            };
        const auto written = writeBatchReportPdf(*store, filter.batchId, path, progress);
        if (terminal)
            err << '\n' << Qt::flush;
        if (!written) {
            err << "sunset-cli history export: " << written.error().message << '\n';
            return CliOutputFailed;
        }
        out << "Wrote the report of batch " << filter.batchId << " to " << path << '\n';
        return CliOk;
    }
    const HistoryResult<QByteArray> bytes = format == u"csv"_s    ? historyCsv(*store, filter)
                                            : format == u"json"_s ? historyJson(*store, filter)
                                                                  : batchLdifExport(*store, filter.batchId);
    if (!bytes) {
        err << "sunset-cli history export: " << bytes.error().message << '\n';
        return CliBadInput;
    }
    if (path == u"-"_s) {
        out << QString::fromUtf8(bytes.value());
        out.flush();
        return CliOk;
    }
    if (const auto written = writeExportFile(path, bytes.value()); !written) {
        err << "sunset-cli history export: " << written.error().message << '\n';
        return CliOutputFailed;
    }
    out << "Wrote the " << format << " export to " << path << '\n';
    return CliOk;
}

} // namespace

int runHistoryCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"'history verify' checks that the audit log is intact: every event chained by its SHA-256 hash to the one "
        "before; it prints the event count and the head hash. Note that head (HASH:COUNT) somewhere Sunset cannot "
        "write (a change ticket, the JSON or PDF export in the CAB record): 'history verify --expect-head "
        "HASH:COUNT' then also fails when events were deleted from the end since. Exit code 0 when intact; 1 at "
        "the first broken link (named) or when the history is unusable; 2 on wrong usage.\n"
        "'history export --format csv|json|ldif|pdf --out FILE' exports the history (csv, json; filtered by "
        "--batch, --since, --until, --object) or one batch (ldif: the change file ldapmodify and ldifde accept; "
        "pdf: the printable report; both need --batch N). Files are written owner-only. Exit code 0 when written; "
        "1 when the history is unusable; 2 on wrong usage; 3 when the file could not be written."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    const QCommandLineOption expectHead(u"expect-head"_s,
                                        u"verify: the head noted earlier; fail when the chain no longer reaches it."_s,
                                        u"HASH[:COUNT]"_s);
    const QCommandLineOption format(u"format"_s, u"export: csv, json, ldif or pdf."_s, u"FORMAT"_s);
    const QCommandLineOption batchOption(u"batch"_s, u"export: only this batch (required for ldif and pdf)."_s,
                                         u"N"_s);
    const QCommandLineOption since(u"since"_s, u"export: from this date (UTC, inclusive)."_s, u"DATE"_s);
    const QCommandLineOption until(u"until"_s, u"export: up to this date (UTC, inclusive)."_s, u"DATE"_s);
    const QCommandLineOption object(u"object"_s, u"export: only records naming this DN or UPN (substring)."_s,
                                    u"X"_s);
    const QCommandLineOption outOption(u"out"_s, u"export: the file to write ('-': standard output)."_s, u"FILE"_s);
    parser.addOptions({db, expectHead, format, batchOption, since, until, object, outOption});
    parser.addPositionalArgument(u"action"_s, u"verify or export"_s);
    if (const auto done = parse(parser, u"history"_s, args, out, err))
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional == QStringList{u"export"_s}) {
        if (parser.isSet(expectHead)) {
            err << "sunset-cli history export: --expect-head is for 'history verify'.\n";
            return CliUsage;
        }
        return exportHistory(parser, out, err);
    }
    if (positional != QStringList{u"verify"_s}) {
        err << "sunset-cli history: expected 'verify' or 'export'.\n\n" << parser.helpText();
        return CliUsage;
    }
    for (const QCommandLineOption& exportOnly : {format, batchOption, since, until, object, outOption}) {
        if (parser.isSet(exportOnly)) {
            err << "sunset-cli history verify: --" << exportOnly.names().first() << " is for 'history export'.\n";
            return CliUsage;
        }
    }
    std::optional<HistoryAnchor> anchor;
    if (parser.isSet(expectHead)) {
        anchor = HistoryAnchor::parse(parser.value(expectHead));
        if (!anchor) {
            err << "sunset-cli history verify: --expect-head '" << parser.value(expectHead)
                << "' is not a head: 64 hexadecimal digits, optionally followed by ':' and the event count, as "
                   "'history verify' prints it.\n";
            return CliUsage;
        }
    }
    auto store = openStore(parser, u"history"_s, err);
    if (!store)
        return CliBadInput;
    const HistoryVerification result = store->verify(anchor);
    (result.intact() ? out : err) << result.message << '\n';
    if (result.intact())
        out << "Head: " << QString::fromLatin1(result.headHash) << ':' << result.events << '\n';
    return result.intact() ? CliOk : CliBadInput;
}

} // namespace sunset
