// SPDX-License-Identifier: Apache-2.0
#include "CsvCell.h"

using namespace Qt::Literals::StringLiterals;

namespace sunset {

namespace {

bool runsAsFormula(const QString& text)
{
    if (text.isEmpty())
        return false;
    const QChar first = text.front();
    return first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t' || first == u'\r';
}

QString escapedValue(const QString& value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        if (c == u'\\')
            out += u"\\\\"_s;
        else if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\r')
            out += u"\\r"_s;
        else
            out += c;
    }
    return out;
}

} // namespace

QString csvCell(const QString& text)
{
    QString quoted;
    quoted.reserve(text.size() + 3);
    quoted += u'"';
    if (runsAsFormula(text))
        quoted += u'\'';
    for (const QChar c : text) {
        if (c == u'"')
            quoted += u'"';
        quoted += c;
    }
    quoted += u'"';
    return quoted;
}

QString csvValuesCell(const QStringList& values)
{
    QStringList escaped;
    escaped.reserve(values.size());
    for (const QString& v : values)
        escaped << escapedValue(v);
    return csvCell(escaped.join(u'\n'));
}

QStringList parseCsvValues(const QString& cellText)
{
    // A cell defused for spreadsheets keeps its apostrophe: the reader sees what the spreadsheet shows.
    QStringList values;
    if (cellText.isEmpty())
        return values;
    QString current;
    for (qsizetype i = 0; i < cellText.size(); ++i) {
        const QChar c = cellText[i];
        if (c == u'\n') {
            values << current;
            current.clear();
        } else if (c == u'\\' && i + 1 < cellText.size()) {
            const QChar next = cellText[++i];
            current += next == u'n' ? QChar(u'\n') : next == u'r' ? QChar(u'\r') : next;
        } else {
            current += c;
        }
    }
    values << current;
    return values;
}

} // namespace sunset
