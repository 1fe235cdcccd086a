// SPDX-License-Identifier: Apache-2.0
#include "HelpText.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// QCommandLineParser (Qt 6.4, qcommandlineparser.cpp wrapText) wraps descriptions at the last space so that a line
// ends by column 79; a word longer than that is cut where the first line is full, and on later lines one character
// further (seen with Qt 6.4.2; TestHelpText checks it against the Qt in use).
constexpr int kHelpWidth = 79;

bool hasSpace(const QString& s)
{
    return std::any_of(s.begin(), s.end(), [](QChar c) { return c.isSpace(); });
}

// Joins a wrapped description: with a space where Qt broke at one, directly where it cut a long word (a chunk
// without a space as long as a cut piece). A word of exactly that length followed by a space reads the same as a
// cut piece and is joined without the space: Qt's output does not tell them apart.
void appendChunk(QString& description, const QString& previousChunk, bool previousWasFirst, const QString& chunk,
                 int lineWidth)
{
    const int cutPiece = previousWasFirst ? lineWidth : lineWidth + 1;
    if (description.isEmpty())
        description = chunk;
    else if (!hasSpace(previousChunk) && previousChunk.size() >= cutPiece)
        description += chunk;
    else
        description += u' ' + chunk;
}

HelpEntry entryFrom(const QString& names, bool positional)
{
    HelpEntry entry;
    QString list = names;
    if (!positional && list.endsWith(u'>')) {
        const qsizetype open = list.lastIndexOf(u" <"_s);
        if (open > 0) {
            entry.valueName = list.mid(open + 2, list.size() - open - 3);
            list.truncate(open);
        }
    }
    entry.names = positional ? QStringList{list} : list.split(u", "_s);
    return entry;
}

} // namespace

std::variant<HelpText, HelpTextError> parseHelpText(const QString& text)
{
    enum class Section { None, Options, Arguments, Commands };
    HelpText help;
    Section section = Section::None;
    bool sectionSeen = false;
    int column = -1; // where descriptions start in the current section
    QString lastChunk;
    bool lastWasFirst = false; // lastChunk is an entry's first line
    QString* description = nullptr;
    QStringList preamble;
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString& line = lines[i];
        auto fail = [&](const QString& why) { return HelpTextError{i + 1, why + u": \""_s + line + u'"'}; };
        if (line == u"Options:"_s || line == u"Arguments:"_s || line == u"Commands:"_s) {
            section = line == u"Options:"_s     ? Section::Options
                      : line == u"Arguments:"_s ? Section::Arguments
                                                : Section::Commands;
            sectionSeen = true;
            column = -1;
            description = nullptr;
            continue;
        }
        if (section == Section::None) {
            if (!sectionSeen)
                preamble.append(line);
            continue; // after the sections: "Run 'sunset-cli <command> --help' …"
        }
        if (line.trimmed().isEmpty()) {
            section = Section::None;
            continue;
        }
        if (!line.startsWith(u"  "_s))
            return fail(u"expected an indented entry"_s);
        if (column < 0) {
            // The first entry sets the column: its names, then two or more spaces, then its description.
            const qsizetype gap = line.indexOf(u"  "_s, 2);
            if (gap < 0)
                return fail(u"expected names and a description"_s);
            column = int(gap);
            while (column < line.size() && line.at(column) == u' ')
                ++column;
        }
        const QString names = line.left(column).trimmed();
        const QString chunk = line.mid(column).trimmed();
        // Qt pads the names to one more than the longest (at most 50) and wraps longer ones onto lines of their own.
        if (!line.left(column).endsWith(u' ') || names.size() >= column - 3)
            return fail(u"option names as long as the column (Qt wraps names past 50 characters) are not read"_s);
        if (section == Section::Options && !names.isEmpty() && !names.startsWith(u'-'))
            return fail(u"expected an option"_s);
        if (names.isEmpty()) {
            if (!description)
                return fail(u"a continuation line without an entry"_s);
            appendChunk(*description, lastChunk, lastWasFirst, chunk, kHelpWidth - column);
            lastChunk = chunk;
            lastWasFirst = false;
            continue;
        }
        if (section == Section::Commands) {
            help.commands.append({names, chunk});
            description = &help.commands.last().second;
        } else {
            QList<HelpEntry>& list = section == Section::Options ? help.options : help.arguments;
            list.append(entryFrom(names, section == Section::Arguments));
            list.last().description = chunk;
            description = &list.last().description;
        }
        lastChunk = chunk;
        lastWasFirst = true;
    }
    while (!preamble.isEmpty() && preamble.last().trimmed().isEmpty())
        preamble.removeLast();
    help.preamble = preamble.join(u'\n');
    return help;
}

} // namespace sunset
