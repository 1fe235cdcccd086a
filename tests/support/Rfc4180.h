// SPDX-License-Identifier: Apache-2.0
#pragma once

// Sunset's CSV reports (the diff report, the history export) read back strictly, as a spreadsheet would.
#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sunset::test {

// RFC 4180 reader for the tests: rows of cells, CRLF line ends, "" inside quotes; a stray CR or LF outside
// quotes, or a last row without CRLF, is a problem (set, with nothing returned for a stray one).
inline QList<QStringList> parseCsv(const QByteArray& bytes, QString* problem)
{
    using namespace Qt::Literals::StringLiterals;
    QList<QStringList> rows;
    const QString text = QString::fromUtf8(bytes);
    QStringList row;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                cell += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row << cell;
            cell.clear();
        } else if (c == u'\r') {
            if (i + 1 >= text.size() || text[i + 1] != u'\n') {
                *problem = u"a CR without LF at %1"_s.arg(i);
                return {};
            }
            row << cell;
            cell.clear();
            rows << row;
            row.clear();
            ++i;
        } else if (c == u'\n') {
            *problem = u"a bare LF at %1"_s.arg(i);
            return {};
        } else {
            cell += c;
        }
    }
    if (quoted || !row.isEmpty() || !cell.isEmpty())
        *problem = u"the last row is not terminated by CRLF"_s;
    return rows;
}

} // namespace sunset::test
