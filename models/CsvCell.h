// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

// RFC 4180 cells for the reports an admin opens in a spreadsheet (the diff report, the history export). The
// values come from AD and Exchange Online, which Sunset does not control, so both helpers defuse formulas and
// keep every value recoverable.
namespace sunset {

// One cell, always quoted ("" inside). Text a spreadsheet would run as a formula (starting with =, +, -, @, a tab
// or a carriage return) gets a leading apostrophe, as OWASP's CSV injection advice says.
QString csvCell(const QString& text);

// The values of one attribute in one cell: one value per line (LF), and inside a value a backslash, line feed and
// carriage return written as \\, \n and \r, so a value that holds "; " or a line break is never mistaken for
// two. parseCsvValues reverses it; an empty list and a lone empty value both give an empty cell (AD and Exchange
// Online keep no empty values).
QString csvValuesCell(const QStringList& values);
QStringList parseCsvValues(const QString& cellText);

} // namespace sunset
