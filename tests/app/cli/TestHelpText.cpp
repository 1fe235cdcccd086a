// SPDX-License-Identifier: Apache-2.0
// sunset-docgen reads the programs' --help back (app/docs/HelpText): every option, its value name and its whole
// description come back from QCommandLineParser's wrapped layout, and a layout it cannot read is an error.
#include "HelpText.h"
#include "ProgramDocs.h"

#include <QCommandLineParser>
#include <QRandomGenerator>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

HelpText parsed(const QString& text)
{
    const auto result = parseHelpText(text);
    if (const auto* error = std::get_if<HelpTextError>(&result))
        qFatal("line %d: %s", error->line, qPrintable(error->message));
    return std::get<HelpText>(result);
}

// Words like the programs' descriptions use: short ones, options, and long unbreakable ones (URLs, DNs) that Qt
// cuts in the middle. Words as long as a cut piece, whole or as the tail of a cut word, are left out: Qt's output
// cannot tell one from a cut piece (HelpText.cpp, appendChunk). No one-character words: Qt 6.4 drops one that
// ends a description on a line of its own (none of Sunset's descriptions ends so).
QString randomDescription(QRandomGenerator& random, int lineWidth)
{
    static const QStringList words{u"the"_s,
                                   u"history"_s,
                                   u"--db"_s,
                                   u"FILE"_s,
                                   u"(default:"_s,
                                   u"profile's)."_s,
                                   u"ldaps://dc01.contoso.com[:port]"_s,
                                   u"'-'"_s,
                                   u"ldap://…"_s,
                                   u"écrit"_s};
    QStringList out;
    const int count = 1 + random.bounded(40);
    for (int i = 0; i < count; ++i) {
        QString word = words[random.bounded(words.size())];
        if (random.bounded(10) == 0) // cut once, its tail well short of a line
            word = QString(qsizetype(lineWidth + 2 + random.bounded(quint32(lineWidth / 2))), u'x') + u"/end"_s;
        if (word.size() == lineWidth || word.size() == lineWidth + 1)
            word += u"!!"_s;
        out.append(word);
    }
    return out.join(u' ');
}

} // namespace

class TestHelpText final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsBackWhatQtWrapped()
    {
        QRandomGenerator random(20261207);
        for (int round = 0; round < 200; ++round) {
            QCommandLineParser parser;
            parser.setApplicationDescription(u"Line one of the description.\nLine two."_s);
            parser.addHelpOption();
            QList<QCommandLineOption> options;
            const int count = 1 + random.bounded(8);
            for (int i = 0; i < count; ++i) {
                const QString name =
                    u"option-%1"_s.arg(QString(qsizetype(random.bounded(1, 25)), u'n')) + QString::number(i);
                // The description column moves with the longest name; descriptions are filled in below.
                options.append(random.bounded(2) ? QCommandLineOption(name, u"x"_s, u"VALUE%1"_s.arg(i))
                                                 : QCommandLineOption(name, u"x"_s));
            }
            // The width of a description line depends on the longest names: render once to learn it.
            QCommandLineParser probe;
            probe.addHelpOption();
            probe.addOptions(options);
            const QString probeLine = probe.helpText().split(u'\n').filter(u"--help"_s).value(0);
            const int column = int(probeLine.indexOf(u"Displays"_s));
            QVERIFY(column > 0);
            QStringList descriptions;
            for (QCommandLineOption& option : options) {
                descriptions.append(randomDescription(random, 79 - column));
                option.setDescription(descriptions.last());
            }
            parser.addOptions(options);
            parser.addPositionalArgument(u"action"_s, u"plan, show, approve or undo"_s);

            const HelpText help = parsed(parser.helpText());
            QList<HelpEntry> read = help.options;
            read.removeIf([](const HelpEntry& e) { return e.names.last().startsWith(u"--help"_s); });
            QCOMPARE(read.size(), options.size());
            for (int i = 0; i < options.size(); ++i) {
                const HelpEntry& entry = read[i];
                QCOMPARE(entry.names, QStringList{u"--"_s + options[i].names().first()});
                QCOMPARE(entry.valueName, options[i].valueName());
                QCOMPARE(entry.description, descriptions[i]);
            }
            QCOMPARE(help.arguments.size(), 1);
            QCOMPARE(help.arguments.first().names, QStringList{u"action"_s});
            QVERIFY(help.preamble.contains(u"Line two."_s));
        }
    }

    void readsSunsetCliCommandList()
    {
        const HelpText help = parsed(u"Usage: sunset-cli <command> [options]\n\nCommands:\n"
                                     "  diff         compare AD with Exchange Online\n"
                                     "  dump         read AD live\n\n"
                                     "Options:\n  -h, --help     Displays this help.\n"
                                     "  -v, --version  Displays the version.\n\n"
                                     "Run 'sunset-cli <command> --help' for the options of a command.\n"_s);
        QCOMPARE(help.commands.size(), 2);
        QCOMPARE(help.commands[1].first, u"dump"_s);
        QCOMPARE(help.commands[1].second, u"read AD live"_s);
        QCOMPARE(optionNames(help), (QStringList{u"-h"_s, u"--help"_s, u"-v"_s, u"--version"_s}));
    }

    void refusesWhatItCannotPlace()
    {
        // Qt wraps option names past 50 characters onto a line of their own: read as nothing, it would drop an
        // option from the man page, so it is an error naming the line.
        QCommandLineParser parser;
        parser.addHelpOption();
        parser.addOption(QCommandLineOption(QString(60, u'x'), u"Too long a name."_s, u"V"_s));
        const auto result = parseHelpText(parser.helpText());
        const auto* error = std::get_if<HelpTextError>(&result);
        QVERIFY(error);
        QVERIFY2(error->line > 2, qPrintable(error->message));
    }

    void manPageEscapesForTroff()
    {
        ProgramHelp program;
        program.program = u"sunset-cli"_s;
        program.executable = u"/usr/bin/sunset-cli"_s;
        program.summary = u"compare"_s;
        program.version = u"1.0"_s;
        program.date = u"2026-12-07"_s;
        program.help = parsed(u"Usage: /usr/bin/sunset-cli [options]\n.dot starts this line \\ back\n\nOptions:\n"
                              "  -h, --help           Displays help.\n"
                              "  --db <FILE>          History database.\n"_s);
        const QString page = manPage(program);
        QVERIFY(!page.contains(u"/usr/bin/sunset-cli [options]"_s)); // Qt's usage line names the build's path
        QVERIFY(page.contains(u"\\&.dot starts this line \\e back"_s));
        QVERIFY(page.contains(u"\\fB\\-\\-db\\fR \\fIFILE\\fR\nHistory database."_s));
        QVERIFY(page.contains(u".TH SUNSET\\-CLI 1 \"2026-12-07\" \"Sunset 1.0\""_s));
    }

    void completionOffersCommandsOptionsAndActions()
    {
        ProgramHelp program;
        program.program = u"sunset-cli"_s;
        program.help = parsed(u"Commands:\n  batch  plan a batch\n\nOptions:\n  -h, --help  Help.\n"_s);
        program.commands.append(
            {u"batch"_s, parsed(u"Options:\n  --db <FILE>      History.\n  --confirm-large  Yes.\n\n"
                                "Arguments:\n  action  plan, show, approve or undo\n"_s)});
        const QString script = bashCompletion(program);
        QVERIFY(script.contains(u"compgen -W 'batch -h --help '"_s));
        QVERIFY(script.contains(u"switches='--confirm-large'"_s));
        QVERIFY(script.contains(u"valued='--db'"_s));
        QVERIFY(script.contains(u"actions='plan show approve undo'"_s));
        QVERIFY(script.contains(u"complete -F _sunset_cli sunset-cli"_s));
    }
};

QTEST_GUILESS_MAIN(TestHelpText)
#include "TestHelpText.moc"
