// SPDX-License-Identifier: Apache-2.0
#include "TerminalReport.h"

#include <unistd.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

TerminalTicker::TerminalTicker(QTextStream& err)
    : m_err(err)
    , m_terminal(::isatty(STDERR_FILENO) != 0)
{
}

void TerminalTicker::show(const QString& topic, const QString& line)
{
    if (!m_terminal)
        return;
    if (m_open && topic != m_topic)
        m_err << '\n';
    m_topic = topic;
    m_open = true;
    m_err << '\r' << line << Qt::flush;
}

void TerminalTicker::end()
{
    if (m_open)
        m_err << '\n' << Qt::flush;
    m_open = false;
}

SourceReport TerminalTicker::report()
{
    return {[this](const QString& text) {
                end();
                m_err << "sunset-cli: warning: " << text << '\n' << Qt::flush;
            },
            [this](const QString& text) {
                end();
                m_err << text << '\n' << Qt::flush;
            }};
}

std::function<bool(const QString&, qint64)> TerminalTicker::adEntries()
{
    if (!m_terminal)
        return {};
    return [this](const QString& host, qint64 entries) {
        show(host, u"Reading %1 … %2 entries   "_s.arg(host).arg(entries));
        return true;
    };
}

ReadProgress TerminalTicker::adEntries(const QString& host)
{
    auto each = adEntries();
    if (!each)
        return {};
    return [each, host](qint64 entries) { return each(host, entries); };
}

CloudScanProgress TerminalTicker::cloudProgress()
{
    if (!m_terminal)
        return {};
    return [this](CloudLiveScan::Service service, qint64 done, qint64 total, double perSecond) {
        const QString what = cloudServiceName(service);
        show(what, u"Reading %1 … %2%3 (%4/s)   "_s.arg(what)
                       .arg(done)
                       .arg(total >= 0 ? u" of %1"_s.arg(total) : QString())
                       .arg(qint64(perSecond)));
    };
}

} // namespace sunset
