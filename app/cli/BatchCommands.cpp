#include "BatchCommands.h"

#include "AdSource.h"
#include "BatchApplier.h"
#include "CliCommands.h"
#include "HistoryStore.h"

#include <QCommandLineParser>
#include <QDir>

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

} // namespace

int runBatchCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writeback batches: 'batch show N' prints what batch N sends (per DN: values deleted and added) and "
        "each change's state; 'batch approve N' approves a planned batch (--confirm-large when it changes more "
        "objects than the threshold); 'batch undo N' plans the reverse of an applied batch. Exit code 0 when done; 1 "
        "when refused or the history is unusable; 2 on "
        "wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    const QCommandLineOption confirm(u"confirm-large"_s, u"The second confirmation for a large batch."_s);
    const QCommandLineOption bind(u"bind"_s, u"Record the AD identity the batch will be applied with."_s, u"NAME"_s);
    parser.addOptions({db, confirm, bind});
    parser.addPositionalArgument(u"action"_s, u"show, approve or undo"_s);
    parser.addPositionalArgument(u"N"_s, u"the batch number"_s);
    if (const auto done = parse(parser, u"batch"_s, args, out, err))
        return *done;
    const QStringList positional = parser.positionalArguments();
    const auto id = positional.size() == 2 ? batchNumber(positional[1]) : std::nullopt;
    if (!id || (positional[0] != u"show"_s && positional[0] != u"approve"_s && positional[0] != u"undo"_s)) {
        err << "sunset-cli batch: expected 'show N', 'approve N' or 'undo N'.\n\n" << parser.helpText();
        return CliUsage;
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
        if (const auto refused = store->approveBatch(*id, parser.isSet(confirm))) {
            err << "sunset-cli batch approve: " << refused->message << '\n';
            return CliBadInput;
        }
        out << "Batch " << *id << " approved.\n";
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
    LiveAdSettings settings;
    if (!parser.isSet(dryRun)) {
        if (const auto failure = live.read(parser, parser.value(ad), err, settings)) {
            err << "sunset-cli apply: " << failure->message << '\n';
            return failure->exitCode;
        }
    }
    auto store = openStore(parser, u"apply"_s, err, settings.kerberos ? u"kerberos"_s : settings.bindName);
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
            << ": only an approved batch is applied (sunset-cli batch approve " << *id << ").\n";
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
        out << QString::fromUtf8(batchLdif(batch.value(), changes.value()));
        return CliOk;
    }
    LiveAd connected;
    if (const auto failure = connectLiveAd(settings, err, connected)) {
        err << "sunset-cli apply: " << failure->message << '\n';
        return failure->exitCode;
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

int runHistoryCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"'history verify' checks that the audit log is intact: every event chained by its SHA-256 hash to the one "
        "before. Exit code 0 when intact; 1 at the first broken link (named) or when the history is unusable; 2 on "
        "wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption db = dbOption();
    parser.addOption(db);
    parser.addPositionalArgument(u"verify"_s, u"the action"_s);
    if (const auto done = parse(parser, u"history"_s, args, out, err))
        return *done;
    if (parser.positionalArguments() != QStringList{u"verify"_s}) {
        err << "sunset-cli history: expected 'verify'.\n\n" << parser.helpText();
        return CliUsage;
    }
    auto store = openStore(parser, u"history"_s, err);
    if (!store)
        return CliBadInput;
    const HistoryVerification result = store->verify();
    (result.intact() ? out : err) << result.message << '\n';
    return result.intact() ? CliOk : CliBadInput;
}

} // namespace sunset
