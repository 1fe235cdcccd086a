// SPDX-License-Identifier: Apache-2.0
// sunset-docgen: the man pages sunset(1) and sunset-cli(1) and sunset-cli's bash completion, made at build time
// from what the built programs print for --help (sunset-cli: its own and each command's). Nothing here lists an
// option: a new option shows in the man page and the completion with the next build.
#include "ProgramDocs.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSaveFile>

#include <cstdio>
#include <optional>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

[[noreturn]] void die(const QString& message)
{
    std::fprintf(stderr, "sunset-docgen: %s\n", qPrintable(message));
    std::exit(1);
}

HelpText helpOf(const QString& executable, const QStringList& arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s); // no display at build time; --help needs none anyway
    // Defaults that name the user's folders ("--db: default ~/.local/share/sunset/…") read as the reader's, not
    // as the builder's home.
    env.insert(u"HOME"_s, u"~"_s);
    env.remove(u"XDG_DATA_HOME"_s);
    env.remove(u"XDG_CONFIG_HOME"_s);
    process.setProcessEnvironment(env);
    process.start(executable, arguments);
    const QString command = executable + u' ' + arguments.join(u' ');
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        die(u"'%1' failed: %2"_s.arg(command, QString::fromLocal8Bit(process.readAllStandardError())));
    const auto parsed = parseHelpText(QString::fromUtf8(process.readAllStandardOutput()));
    if (const auto* error = std::get_if<HelpTextError>(&parsed))
        die(u"cannot read the output of '%1', line %2: %3"_s.arg(command).arg(error->line).arg(error->message));
    return std::get<HelpText>(parsed);
}

void write(const QString& path, const QString& text)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit())
        die(u"cannot write %1: %2"_s.arg(path, file.errorString()));
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Writes sunset.1, sunset-cli.1 and sunset-cli.bash from the programs' --help."_s);
    parser.addHelpOption();
    const QCommandLineOption cli(u"cli"_s, u"The built sunset-cli."_s, u"PATH"_s);
    const QCommandLineOption gui(u"gui"_s, u"The built sunset."_s, u"PATH"_s);
    const QCommandLineOption version(u"version"_s, u"Sunset's version."_s, u"V"_s);
    const QCommandLineOption date(u"date"_s, u"The release date, YYYY-MM-DD."_s, u"DATE"_s);
    const QCommandLineOption out(u"out"_s, u"The directory to write into."_s, u"DIR"_s);
    parser.addOptions({cli, gui, version, date, out});
    parser.process(app);
    for (const auto& required : {cli, gui, version, date, out})
        if (!parser.isSet(required))
            die(u"--%1 is required"_s.arg(required.names().first()));
    const QDir target(parser.value(out));
    if (!QDir().mkpath(target.path()))
        die(u"cannot create "_s + target.path());

    const QString history = u"~/.local/share/sunset/profiles/NAME/history.sqlite\tThe profile's history (scans, "
                            "decisions, batches, the hash-chained audit log; owner-only); profile default, or demo "
                            "for the demo tenant. $XDG_DATA_HOME replaces ~/.local/share."_s;
    ProgramHelp cliDocs;
    cliDocs.program = u"sunset-cli"_s;
    cliDocs.executable = parser.value(cli);
    cliDocs.summary = u"compare Active Directory with Exchange Online, and write approved fixes back to AD"_s;
    cliDocs.description = u"sunset-cli is the command-line twin of sunset(1): it reads Active Directory (LDIF "
                          "exports, or a domain controller over LDAPS or StartTLS) and Exchange Online (Get-Mailbox "
                          "exports, or the tenant live), reports every drifting attribute of cloud-managed "
                          "mailboxes, plans, approves and applies writeback batches with a crash-safe journal, runs "
                          "the Exchange Server decommission checklist, and keeps a hash-chained history of all of "
                          "it. Each command has its own options, listed below."_s;
    cliDocs.version = parser.value(version);
    cliDocs.date = parser.value(date);
    cliDocs.help = helpOf(cliDocs.executable, {u"--help"_s});
    if (cliDocs.help.commands.isEmpty())
        die(u"'sunset-cli --help' lists no commands"_s);
    for (const auto& [command, summary] : cliDocs.help.commands)
        cliDocs.commands.append({command, helpOf(cliDocs.executable, {command, u"--help"_s})});
    cliDocs.files = history + u"\n~/.local/share/sunset/profiles/NAME/cloud-state.json\tThe kept Graph delta state "
                              "(no token, no secret; owner-only)."_s;
    cliDocs.seeAlso = {u"sunset(1)"_s, u"ldapsearch(1)"_s, u"ldapmodify(1)"_s};

    ProgramHelp guiDocs;
    guiDocs.program = u"sunset"_s;
    guiDocs.executable = parser.value(gui);
    guiDocs.summary = u"review drift between Active Directory and Exchange Online, and retire the last Exchange "
                      "Server"_s;
    guiDocs.description = u"sunset is the desktop application: the mailbox list with search and filters, the "
                          "side-by-side comparison of Exchange Online and AD values, the drift overview, writeback "
                          "batches with review and approval, the history window and the decommission wizard. "
                          "File > Connect chooses the sources; sunset --demo opens the bundled demo tenant."_s;
    guiDocs.version = cliDocs.version;
    guiDocs.date = cliDocs.date;
    guiDocs.help = helpOf(guiDocs.executable, {u"--help"_s});
    guiDocs.files = history + u"\n~/.config/Sunset/Sunset.conf\tConnection profiles (no password or secret) and the "
                              "window layout.\n/usr/share/sunset/demo\tThe demo tenant sunset --demo opens."_s;
    guiDocs.seeAlso = {u"sunset-cli(1)"_s};

    write(target.filePath(u"sunset-cli.1"_s), manPage(cliDocs));
    write(target.filePath(u"sunset.1"_s), manPage(guiDocs));
    write(target.filePath(u"sunset-cli.bash"_s), bashCompletion(cliDocs));
    return 0;
}
