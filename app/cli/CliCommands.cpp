// SPDX-License-Identifier: Apache-2.0
#include "CliCommands.h"
#include "platform/OwnerOnlyFile.h"

#include "BatchCommands.h"
#include "ChecklistCommands.h"

#include "AdSourceOptions.h"
#include "CloudSourceOptions.h"
#include "DemoTenantGenerator.h"
#include "DriftReportWriter.h"
#include "DriftScan.h"
#include "HistoryExport.h"
#include "Identity.h"
#include "LdapSnapshotReader.h"
#include "LdifWriter.h"
#include "RollbackImpactWriter.h"
#include "ScanInputOptions.h"
#include "ScanRecording.h"
#include "OnDemandCommands.h"
#include "SnapshotFiles.h"
#include "TerminalReport.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileDevice>
#include <QSaveFile>

#include <cstdio>
#include <unistd.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString kUsage = u"Usage: sunset-cli <command> [options]\n\n"
                       "Commands:\n"
                       "  diff                 compare AD (an export, or read live) with Exchange Online and report the drift\n"
                       "  dump                 read AD live and write what Sunset read as LDIF\n"
                       "  rollback-impact      list the cloud values lost if IsExchangeCloudManaged is set back to False\n"
                       "  demo-tenant          write the deterministic demo tenant (or a bigger one for benchmarks)\n"
                       "  drift                record a decision on a drift item of the latest scan (drift ignore|approve)\n"
                       "  batch                plan, show, approve or undo a writeback batch (batch plan, batch show N, …)\n"
                       "  apply                apply an approved batch to AD (--dry-run prints its LDIF)\n"
                       "  provision-on-demand  ask Cloud Sync to write the cloud's values back to AD now\n"
                       "  history              check or export the history (history verify, history export)\n"
                       "  checklist            the Exchange Server decommission checklist (status, check, attest, export)\n"
                       "  secret               forget a secret 'diff --remember-secret' kept in the desktop keyring\n\n"
                       "Options:\n"
                       "  -h, --help     Displays this help.\n"
                       "  -v, --version  Displays the version, the licence and the libraries in use.\n\n"
                       "Run 'sunset-cli <command> --help' for the options of a command.\n"_s;

// A report file, or stdout for "-". The file goes through OwnerOnlyFile: its temporary file is 0600 from its
// first byte whatever the umask (a report lists directory data), it is renamed over the target whole (a crash
// never leaves half a report; a symlink at the target is replaced, not followed), and errors name the path.
class OutputFile final {
public:
    OutputFile(const QString& path, QTextStream& out) : m_path(path), m_stdout(path == u"-"_s), m_out(out), m_file(path)
    {
        if (!m_stdout) {
            if (auto opened = m_file.open(); !opened)
                m_error = opened.error().message;
        }
    }
    bool ok() const { return m_error.isEmpty(); }
    // Names the path and what to do.
    const QString& errorString() const { return m_error; }
    void write(const QByteArray& chunk)
    {
        if (m_stdout) {
            m_out << QString::fromUtf8(chunk);
            return;
        }
        if (ok() && m_file.device()->write(chunk) != chunk.size()) {
            // A write cut short sets no error (the system wrote what fit: a full disk, a file size limit), and
            // errorString() would then say "Unknown error".
            const auto* device = qobject_cast<const QFileDevice*>(m_file.device());
            const QString why = device && device->error() == QFileDevice::NoError
                                    ? u"only part of it could be written (is the disk full?)"_s
                                    : m_file.device()->errorString();
            m_error = u"Writing %1 failed: %2; the file was not changed."_s.arg(QDir::toNativeSeparators(m_path), why);
        }
    }
    bool commit()
    {
        if (m_stdout) {
            m_out.flush();
            return true;
        }
        if (!ok())
            return false;
        if (auto committed = m_file.commit(); !committed) {
            m_error = committed.error().message;
            return false;
        }
        return true;
    }
    const QString& path() const { return m_path; }

private:
    QString m_path;
    bool m_stdout;
    QTextStream& m_out;
    OwnerOnlyFile m_file;
    QString m_error;
};

bool writeReport(const QString& path, QTextStream& out, QTextStream& err,
                 const std::function<void(const ReportSink&)>& produce)
{
    OutputFile file(path, out);
    if (!file.ok()) {
        err << "sunset-cli: " << file.errorString() << '\n';
        return false;
    }
    produce([&file](const QByteArray& chunk) { file.write(chunk); });
    if (!file.commit()) {
        err << "sunset-cli: " << file.errorString() << '\n';
        return false;
    }
    return true;
}

// Progress on a terminal only: scripts and CI logs get the summary, not a ticker.
LoadProgress terminalProgress(QTextStream& err)
{
    if (!::isatty(STDERR_FILENO))
        return {};
    auto lastPercent = std::make_shared<int>(-1);
    return [&err, lastPercent](const QString& file, double fraction) {
        const int percent = int(fraction * 100);
        if (percent != *lastPercent) {
            *lastPercent = percent;
            err << "\rReading " << file << " … " << percent << "%   " << Qt::flush;
            if (percent >= 100)
                err << '\n';
        }
        return true;
    };
}

int runDiff(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Compares the mailboxes of Active Directory with those of Exchange Online, matches them "
        "(source anchor, objectSid, ExternalDirectoryObjectId, then UPN and primary SMTP as soft matches) "
        "and reports every differing catalog attribute. Exit code 0 when the comparison ran, drift or not; "
        "1 on unreadable input; 2 on wrong usage; 3 when a report could not be written."_s);
    parser.addHelpOption();
    ScanInputOptions inputOptions(u"diff"_s);
    inputOptions.addTo(parser);
    const QCommandLineOption json(u"json"_s, u"Write the JSON report to OUT ('-' for standard output)."_s, u"OUT"_s);
    const QCommandLineOption csv(u"csv"_s, u"Write one CSV row per drift item to OUT ('-' for standard output)."_s,
                                 u"OUT"_s);
    parser.addOptions({json, csv});
    parser.addOptions(scanHistoryOptions());
    if (const auto done = inputOptions.parse(parser, args, out, err))
        return *done;
    // With a report on standard output, the summary goes to standard error so the report stays parseable.
    const bool reportOnStdout = parser.value(json) == u"-"_s || parser.value(csv) == u"-"_s;
    QTextStream& summaryOut = reportOnStdout ? err : out;
    const LoadProgress progress = terminalProgress(err);
    const QDateTime started = QDateTime::currentDateTimeUtc();
    ScanInputs inputs;
    if (const auto failure = inputOptions.load(parser, progress, err, inputs))
        return *failure;
    const ReportSources& sources = inputs.sources;
    const DriftOptions& options = inputs.options;
    const Snapshot& adSide = inputs.ad;
    const Snapshot& cloudSide = inputs.cloud;
    const DriftReport report = computeDrift(adSide, cloudSide, matchMailboxes(adSide.records, cloudSide.records), options);
    const DriftSummary summary = summarize(report, adSide, cloudSide);
    summaryOut << formatSummaryText(summary, sources) << '\n' << formatCloudSyncText(*report.cloudSync) << Qt::flush;
    if (!inputs.adReadNote.isEmpty())
        summaryOut << inputs.adReadNote << '\n' << Qt::flush;

    DriftReportInput input{report, adSide, cloudSide, summary, sources};
    DiffHistory history(parser, err);
    // Its mailbox list (about 40 MB at 600,000 mailboxes) is made only for a history to compare with and keep.
    const ScanIdentity identity = history.used() ? scanIdentity(input) : ScanIdentity();
    const std::optional<SinceScan> since = history.sinceLastScan(identity, err);
    if (since) {
        summaryOut << formatSinceScanText(*since) << Qt::flush;
        input.sinceScan = &*since;
    }
    bool written = true;
    if (parser.isSet(json))
        written &= writeReport(parser.value(json), out, err,
                               [&](const ReportSink& sink) { writeDriftReportJson(input, sink); });
    if (parser.isSet(csv))
        written &= writeReport(parser.value(csv), out, err,
                               [&](const ReportSink& sink) { writeDriftReportCsv(input, sink); });
    written &= history.record(input, identity.mailboxes.value_or(ScanMailboxList()), started, summaryOut, err);
    return written ? CliOk : CliOutputFailed;
}

int runRollbackImpact(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Lists, before IsExchangeCloudManaged is set back to False, the cloud values the next sync cycle would "
        "overwrite with AD's: per cloud-managed mailbox, each attribute where AD and Exchange Online differ, the "
        "cloud value lost and the AD value that wins (for proxyAddresses, the addresses lost and gained). "
        "Attributes Cloud Sync never writes back (msExchHideFromAddressLists, mailNickname) are marked: their cloud "
        "value exists nowhere else. Reads the same inputs as 'diff'. Exit code 0 when the list was made, values "
        "to lose or not; 1 on unreadable input or a --mailbox the scan does not hold; 2 on wrong usage; 3 when "
        "the output could not be written."_s);
    parser.addHelpOption();
    ScanInputOptions inputOptions(u"rollback-impact"_s);
    inputOptions.addTo(parser);
    const QCommandLineOption format(u"format"_s, u"text (default), csv (one RFC 4180 row per attribute overwritten) "
                                                 "or json (format sunset.rollback-impact)."_s,
                                    u"FORMAT"_s, u"text"_s);
    const QCommandLineOption output(u"output"_s, u"Write to OUT instead of standard output."_s, u"OUT"_s, u"-"_s);
    const QCommandLineOption mailbox(u"mailbox"_s,
                                     u"Only this mailbox: UPN, primary SMTP address, AD distinguished name or Entra "
                                     "object id (repeat for more). Default: every cloud-managed mailbox."_s,
                                     u"NAME"_s);
    parser.addOptions({format, output, mailbox});
    if (const auto done = inputOptions.parse(parser, args, out, err))
        return *done;
    const QString formatName = parser.value(format).toLower();
    if (formatName != u"text"_s && formatName != u"csv"_s && formatName != u"json"_s) {
        err << "sunset-cli rollback-impact: --format '" << parser.value(format) << "' is not text, csv or json.\n";
        return CliUsage;
    }
    ScanInputs inputs;
    if (const auto failure = inputOptions.load(parser, terminalProgress(err), err, inputs))
        return *failure;
    const DriftOptions options = inputs.options;
    const auto scan = DriftScan::compute(std::move(inputs.ad), std::move(inputs.cloud), inputs.sources, options);

    RollbackImpact impact;
    if (parser.isSet(mailbox)) {
        std::vector<qint32> rows;
        QStringList unknown;
        for (const QString& name : parser.values(mailbox)) {
            const std::vector<qint32> named = scanRowsNamed(*scan, name);
            if (named.empty())
                unknown << name;
            rows.insert(rows.end(), named.begin(), named.end());
        }
        if (!unknown.isEmpty()) {
            err << "sunset-cli rollback-impact: no mailbox of the scan is named " << unknown.join(u", "_s)
                << " (give a UPN, primary SMTP address, AD distinguished name or Entra object id).\n";
            return CliBadInput;
        }
        impact = computeRollbackImpact(*scan, rows);
    } else {
        impact = computeRollbackImpact(*scan);
    }
    const RollbackReportInput report{impact, scan->sources, scan->report.asOfMsecs};
    const QString target = parser.value(output);
    const bool written = writeReport(target, out, err, [&](const ReportSink& sink) {
        if (formatName == u"json"_s)
            writeRollbackImpactJson(report, sink);
        else if (formatName == u"csv"_s)
            writeRollbackImpactCsv(report, sink);
        else
            sink(formatRollbackImpactText(report).toUtf8());
    });
    if (!written)
        return CliOutputFailed;
    // The counts where the admin reads them: after a file, or beside a CSV or JSON on standard output.
    if (target != u"-"_s)
        out << formatRollbackSummaryText(impact.summary) << "Written to " << target << ".\n";
    else if (formatName != u"text"_s)
        err << formatRollbackSummaryText(impact.summary);
    return CliOk;
}

int runDump(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Reads the mailboxes of Active Directory live, as 'diff --ad ldaps://…' does, and writes every entry "
        "read as LDIF (RFC 2849), to keep or to compare offline: 'diff --ad dump.ldif' gives the same report. "
        "Each mailbox carries its replication metadata (replPropertyMetaData), preceded by the schema and domain "
        "controller entries that decode it. "
        "Exit code 0 when written; 1 when AD could not be read; 2 on wrong usage; 3 when the file could not be "
        "written."_s);
    parser.addHelpOption();
    const QCommandLineOption ad(u"ad"_s,
                                u"The domain controller: ldaps://dc01.contoso.com[:port] (ldap://… with "
                                "--starttls)."_s,
                                u"URI"_s);
    const QCommandLineOption ldif(u"ldif"_s, u"Write the LDIF to OUT ('-' for standard output)."_s, u"OUT"_s);
    parser.addOptions({ad, ldif});
    const AdSourceOptions live;
    parser.addOptions(live.options());
    if (const auto refused = AdSourceOptions::refusePasswordArgument(args)) {
        err << "sunset-cli dump: " << *refused << '\n';
        return CliUsage;
    }
    if (!parser.parse(QStringList{u"sunset-cli dump"_s} + args)) {
        err << "sunset-cli dump: " << parser.errorText() << "\n\n" << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    if (!parser.isSet(ad) || !parser.isSet(ldif) || !AdSourceOptions::isLdapUri(parser.value(ad))) {
        err << "sunset-cli dump: --ad ldaps://… and --ldif OUT are required.\n\n" << parser.helpText();
        return CliUsage;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << "sunset-cli dump: unexpected argument '" << parser.positionalArguments().first() << "'.\n";
        return CliUsage;
    }
    AdLiveScanSettings settings;
    if (const auto read = live.read(parser, parser.value(ad), err, settings); !read) {
        err << "sunset-cli dump: " << read.error().message << '\n';
        return read.error().exitCode;
    }
    LiveAd connected;
    TerminalTicker ticker(err);
    if (const auto ready = connectLiveAd(settings, ticker.report(), connected); !ready) {
        err << "sunset-cli dump: " << ready.error() << '\n';
        return CliBadInput;
    }
    OutputFile file(parser.value(ldif), out);
    if (!file.ok()) {
        err << "sunset-cli dump: " << file.errorString() << '\n';
        return CliOutputFailed;
    }
    QString source = settings.dc.uri;
    if (!source.endsWith(u'/'))
        source += u'/';
    source += QString::fromUtf8(connected.baseDn);
    const QByteArray comment = "Sunset dump of " + source.toUtf8() + "\nRead at " +
                               QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8() + " with the filter " +
                               QByteArray(kAdMailboxFilter) +
                               "\nFirst the schema and domain controller entries that decode the mailboxes' "
                               "replPropertyMetaData";
    LdifWriter writer([&file](const QByteArray& chunk) { file.write(chunk); }, comment);
    auto snapshot = readLiveAdSnapshot(connected, [&writer](const LdifEntry& entry) { writer.writeEntry(entry); },
                                       ticker.adEntries(connected.connection->host()));
    ticker.end();
    if (!snapshot) {
        err << "sunset-cli dump: " << snapshot.error().toString() << " Nothing was written.\n";
        return CliBadInput;
    }
    if (!file.commit()) {
        err << "sunset-cli dump: " << file.errorString() << '\n';
        return CliOutputFailed;
    }
    QTextStream& summaryOut = file.path() == u"-"_s ? err : out;
    summaryOut << "Wrote " << writer.entries() << " entries (" << snapshot->records.size() << " mailboxes) from "
               << source << " to " << file.path() << '\n';
    return CliOk;
}

int runDemoTenant(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writes a deterministic tenant: demo-ad.ldif, demo-exo.json, demo-exo.csv, demo-graph.json, "
        "demo-config.ldif and demo-hybrid.json (the decommission checklist's sources), demo-sync-jobs.json, "
        "demo-sync-schema.json and demo-provisioning.json (Cloud Sync's state) and planted-drift.json (what 'sunset-cli diff' must find). The defaults give the bundled demo tenant."_s);
    parser.addHelpOption();
    const QCommandLineOption dir(u"out"_s, u"Directory to write into (created if missing)."_s, u"DIR"_s);
    const QCommandLineOption count(u"mailboxes"_s, u"Number of mailboxes (default 3000)."_s, u"N"_s, u"3000"_s);
    const QCommandLineOption seed(u"seed"_s, u"Random seed (default 20261124)."_s, u"S"_s, u"20261124"_s);
    const QCommandLineOption randomDrift(u"random-drift"_s, u"Percent of mailboxes given a random custom-attribute "
                                                            "drift (default 0)."_s,
                                         u"PCT"_s, u"0"_s);
    const QCommandLineOption noScenarios(u"no-scenarios"_s, u"Do not plant the demo's drift scenarios."_s);
    parser.addOptions({dir, count, seed, randomDrift, noScenarios});
    const bool parsed = parser.parse(QStringList{u"sunset-cli demo-tenant"_s} + args);
    if (parsed && parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    if (!parsed || !parser.isSet(dir)) {
        err << "sunset-cli demo-tenant: " << (parser.errorText().isEmpty() ? u"--out is required."_s : parser.errorText())
            << "\n\n" << parser.helpText();
        return CliUsage;
    }
    DemoTenantOptions options;
    bool ok1 = false, ok2 = false, ok3 = false;
    options.mailboxes = parser.value(count).toInt(&ok1);
    options.seed = parser.value(seed).toULongLong(&ok2);
    options.randomDriftPercent = parser.value(randomDrift).toDouble(&ok3);
    if (!ok1 || !ok2 || !ok3 || options.mailboxes < 40 || options.mailboxes > 1000000) {
        err << "sunset-cli demo-tenant: --mailboxes must be 40..1000000, --seed a number, --random-drift a percentage.\n";
        return CliUsage;
    }
    options.plantScenarios = !parser.isSet(noScenarios);
    const QDir target(parser.value(dir));
    if (!QDir().mkpath(target.path())) {
        err << "sunset-cli demo-tenant: cannot create " << target.path() << '\n';
        return CliOutputFailed;
    }
    std::vector<std::unique_ptr<QSaveFile>> files;
    auto sinkFor = [&](const QString& name) {
        files.push_back(std::make_unique<QSaveFile>(target.filePath(name)));
        QSaveFile* f = files.back().get();
        f->open(QIODevice::WriteOnly);
        return [f](const QByteArray& chunk) { f->write(chunk); };
    };
    generateDemoTenant(options, {sinkFor(u"demo-ad.ldif"_s), sinkFor(u"demo-exo.json"_s), sinkFor(u"demo-exo.csv"_s),
                                 sinkFor(u"demo-graph.json"_s), sinkFor(u"planted-drift.json"_s),
                                 sinkFor(u"demo-config.ldif"_s), sinkFor(u"demo-hybrid.json"_s),
                                 sinkFor(u"demo-sync-jobs.json"_s), sinkFor(u"demo-sync-schema.json"_s),
                                 sinkFor(u"demo-provisioning.json"_s)});
    for (auto& f : files)
        if (!f->commit()) {
            err << "sunset-cli demo-tenant: writing " << f->fileName() << " failed: " << f->errorString() << '\n';
            return CliOutputFailed;
        }
    out << "Wrote the demo tenant (" << options.mailboxes << " mailboxes) to " << target.path() << '\n';
    return CliOk;
}

} // namespace

bool cliNeedsGui(const QStringList& arguments)
{
    if (arguments.size() < 2 || (arguments.first() != u"history"_s && arguments.first() != u"checklist"_s))
        return false;
    const QStringList rest = arguments.mid(1);
    const qsizetype format = rest.indexOf(u"--format"_s);
    const bool pdf = rest.contains(u"--format=pdf"_s) || (format >= 0 && rest.value(format + 1) == u"pdf"_s);
    return pdf && rest.contains(u"export"_s);
}

int runCli(const QStringList& arguments, QTextStream& out, QTextStream& err)
{
    if (arguments.isEmpty() || arguments.first() == u"--help"_s || arguments.first() == u"-h"_s ||
        arguments.first() == u"help"_s) {
        (arguments.isEmpty() ? err : out) << kUsage;
        return arguments.isEmpty() ? CliUsage : CliOk;
    }
    const QString command = arguments.first();
    const QStringList rest = arguments.mid(1);
    if (command == u"diff"_s)
        return runDiff(rest, out, err);
    if (command == u"dump"_s)
        return runDump(rest, out, err);
    if (command == u"rollback-impact"_s)
        return runRollbackImpact(rest, out, err);
    if (command == u"demo-tenant"_s)
        return runDemoTenant(rest, out, err);
    if (command == u"batch"_s)
        return runBatchCommand(rest, out, err);
    if (command == u"drift"_s)
        return runDriftCommand(rest, out, err);
    if (command == u"apply"_s)
        return runApplyCommand(rest, out, err);
    if (command == u"history"_s)
        return runHistoryCommand(rest, out, err);
    if (command == u"provision-on-demand"_s)
        return runProvisionOnDemandCommand(rest, out, err);
    if (command == u"checklist"_s)
        return runChecklistCommand(rest, out, err);
    if (command == u"secret"_s)
        return runSecretCommand(rest, out, err);
    err << "sunset-cli: unknown command '" << command << "'.\n\n" << kUsage;
    return CliUsage;
}

} // namespace sunset
