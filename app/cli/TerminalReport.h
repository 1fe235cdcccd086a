// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudSource.h"
#include "LdapSnapshotReader.h"
#include "SourceReport.h"

#include <QString>
#include <QTextStream>

#include <functional>

namespace sunset {

// How sunset-cli shows a service's read on stderr: on a terminal a progress line that rewrites itself ("\rReading
// dc01 … 2000 entries"), and under it the read's warnings ("sunset-cli: warning: …") and notes, each on a line of
// its own. Off a terminal (scripts, CI logs, tests) no ticker, only the warnings and notes.
class TerminalTicker final {
public:
    explicit TerminalTicker(QTextStream& err);
    ~TerminalTicker() { end(); }
    TerminalTicker(const TerminalTicker&) = delete;
    TerminalTicker& operator=(const TerminalTicker&) = delete;

    // Shows line in place of the last one; a different topic (another service) starts a new line.
    void show(const QString& topic, const QString& line);
    // Ends the open progress line, if any.
    void end();

    SourceReport report();
    // AD entries read from host ("Reading host … N entries"); never cancels.
    std::function<bool(const QString& host, qint64 entries)> adEntries();
    ReadProgress adEntries(const QString& host);
    CloudScanProgress cloudProgress();

private:
    QTextStream& m_err;
    bool m_terminal = false;
    bool m_open = false;
    QString m_topic;
};

} // namespace sunset
