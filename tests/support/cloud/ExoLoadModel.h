// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "OpathFilter.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

namespace sunset {

// How the emulator's Exchange admin API behaves under load (issue 15's cost model), off unless a test or the
// benchmark turns it on:
// - each Get-Mailbox page is answered after latencyMsecs + perRecordMsecs per mailbox on it (a timer: the
//   emulator keeps serving other requests meanwhile);
// - at most concurrencyCap requests are served at once per tenant; one above is answered 429 with Retry-After
//   [assumed: Exchange Online limits concurrent admin API requests per tenant and answers 429; the cap's value and
//   the Retry-After it sends are not documented; the defaults are used];
// - a request budget (rateLimit per rateWindowMsecs) reported in Rate-Limit-Limit / -Remaining / -Reset, the
//   headers seen on real answers [observed, ../shared/reference/cloud-wire.md §3]; a request beyond it is 429 with
//   Retry-After until the window resets.
// It also counts what the tests assert on: requests in flight (and the most at once), 429s given.
class ExoLoadModel final {
public:
    struct Settings {
        bool enabled = false;
        qint64 latencyMsecs = 200;
        double perRecordMsecs = 1.0;
        int concurrencyCap = 4;
        QByteArray retryAfter = "1"; // seconds, on a 429 for the cap
        int rateLimit = 0;           // 0: the fixed 30000 budget of the captured answers, never exhausted
        qint64 rateWindowMsecs = 60000;
    };

    void setSettings(const Settings& settings) { m_settings = settings; }
    const Settings& settings() const { return m_settings; }

    // A request arrives: nullopt when it may be served (it is then in flight until release()), else the
    // Retry-After (seconds) of the 429 it gets.
    std::optional<QByteArray> admit(qint64 nowMsecs);
    void release() { --m_inFlight; }
    qint64 answerDelayMsecs(qsizetype records) const;
    // Rate-Limit-Limit, -Remaining and -Reset for an answer sent now.
    QList<std::pair<QByteArray, QByteArray>> rateLimitHeaders(qint64 nowMsecs, int requestsSoFar) const;

    int inFlight() const { return m_inFlight; }
    int maxInFlight() const { return m_maxInFlight; }
    int throttled() const { return m_throttled; }        // 429s for the cap
    int rateLimited() const { return m_rateLimited; }    // 429s for the exhausted budget
    void resetCounters() { m_maxInFlight = m_inFlight; m_throttled = m_rateLimited = 0; }

private:
    void rollWindow(qint64 nowMsecs);

    Settings m_settings;
    int m_inFlight = 0;
    int m_maxInFlight = 0;
    int m_throttled = 0;
    int m_rateLimited = 0;
    qint64 m_windowStart = -1;
    int m_windowUsed = 0;
};

// The mailboxes a Get-Mailbox -Filter selects, by index into the tenant's array, computed once per filter text
// and kept for its later pages (a slice's nextLinks re-POST the same filter). A property a filter names is read
// from a column built once (Name by every slice, WhenChangedUTC by every rescan), not looked up in each mailbox.
class MailboxFilterCache final {
public:
    void reset(const QJsonArray* mailboxes);
    void setCollation(OpathFilter::Collation collation);
    OpathFilter::Collation collation() const { return m_collation; }
    // The indices selected, or Exchange's message for a filter it refuses.
    const QList<qsizetype>* select(const QString& filter, QString* error);

private:
    const QJsonArray* m_mailboxes = nullptr;
    OpathFilter::Collation m_collation = OpathFilter::Collation::IgnoreCase;
    // A property's values in the tenant's order, by its name in lower case (property names are case-insensitive).
    const QList<QJsonValue>& column(const QString& property);

    QHash<QString, QList<QJsonValue>> m_columns; // by lower-case property name
    QHash<QString, QString> m_columnNames;       // lower-case -> as a filter named it
    QHash<QString, QList<qsizetype>> m_selections;
};

} // namespace sunset
