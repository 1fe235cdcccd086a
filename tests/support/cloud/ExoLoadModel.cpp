// SPDX-License-Identifier: Apache-2.0
#include "ExoLoadModel.h"

#include <QDateTime>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

void ExoLoadModel::rollWindow(qint64 nowMsecs)
{
    if (m_windowStart < 0 || nowMsecs >= m_windowStart + m_settings.rateWindowMsecs) {
        m_windowStart = nowMsecs;
        m_windowUsed = 0;
    }
}

std::optional<QByteArray> ExoLoadModel::admit(qint64 nowMsecs)
{
    if (m_settings.rateLimit > 0) {
        rollWindow(nowMsecs);
        if (m_windowUsed >= m_settings.rateLimit) {
            ++m_rateLimited;
            const qint64 wait = m_windowStart + m_settings.rateWindowMsecs - nowMsecs;
            return QByteArray::number(std::max<qint64>(1, (wait + 999) / 1000));
        }
    }
    if (m_settings.enabled && m_inFlight >= m_settings.concurrencyCap) {
        ++m_throttled;
        return m_settings.retryAfter;
    }
    if (m_settings.rateLimit > 0)
        ++m_windowUsed;
    ++m_inFlight;
    m_maxInFlight = std::max(m_maxInFlight, m_inFlight);
    return std::nullopt;
}

qint64 ExoLoadModel::answerDelayMsecs(qsizetype records) const
{
    if (!m_settings.enabled)
        return 0;
    return m_settings.latencyMsecs + qint64(std::llround(m_settings.perRecordMsecs * double(records)));
}

QList<std::pair<QByteArray, QByteArray>> ExoLoadModel::rateLimitHeaders(qint64 nowMsecs, int requestsSoFar) const
{
    const int limit = m_settings.rateLimit > 0 ? m_settings.rateLimit : 30000;
    const int remaining =
        m_settings.rateLimit > 0 ? std::max(0, limit - m_windowUsed) : std::max(0, limit - requestsSoFar);
    const qint64 reset = m_settings.rateLimit > 0 ? m_windowStart + m_settings.rateWindowMsecs : nowMsecs + 60000;
    return {{"Rate-Limit-Limit", QByteArray::number(limit)},
            {"Rate-Limit-Remaining", QByteArray::number(remaining)},
            {"Rate-Limit-Reset",
             QDateTime::fromMSecsSinceEpoch(reset, QTimeZone::utc()).toString(Qt::ISODateWithMs).toLatin1()}};
}

void MailboxFilterCache::reset(const QJsonArray* mailboxes)
{
    m_mailboxes = mailboxes;
    m_columns.clear();
    m_selections.clear();
    // The columns filters used are built again now, when a test or the benchmark changes the tenant, not when the
    // next filtered request comes: this one thread accepts no connection while it builds them, so the requests
    // sent beside that one would arrive (and have their cost counted from) tens of milliseconds late.
    for (const QString& property : std::as_const(m_columnNames))
        column(property);
}

void MailboxFilterCache::setCollation(OpathFilter::Collation collation)
{
    m_collation = collation;
    m_selections.clear();
}

const QList<QJsonValue>& MailboxFilterCache::column(const QString& property)
{
    const QString key = property.toLower();
    if (auto it = m_columns.constFind(key); it != m_columns.cend())
        return *it;
    QList<QJsonValue> values;
    values.reserve(m_mailboxes->size());
    for (const QJsonValue& mailbox : *m_mailboxes) {
        const QJsonObject object = mailbox.toObject();
        QJsonValue value(QJsonValue::Undefined);
        for (auto p = object.begin(); p != object.end(); ++p) {
            if (p.key().compare(property, Qt::CaseInsensitive) == 0) {
                value = p.value();
                break;
            }
        }
        values.append(value);
    }
    m_columnNames.insert(key, property);
    return *m_columns.insert(key, std::move(values));
}

namespace {

// The parenthesised terms of a filter's top-level "-and"s ("(A) -and Name -ge 'x' -and (B)" -> A, B), each of
// which selects a superset of the filter's mailboxes; none when the filter has a top-level -or. Quoted text
// ('…', '' inside) is skipped.
QStringList parenthesisedAndTerms(const QString& filter)
{
    QStringList terms;
    int depth = 0;
    qsizetype open = -1;
    bool quoted = false;
    for (qsizetype i = 0; i < filter.size(); ++i) {
        const QChar c = filter.at(i);
        if (c == u'\'') {
            quoted = !quoted; // '' inside a quote toggles twice: still quoted
            continue;
        }
        if (quoted)
            continue;
        if (depth == 0 && c == u'-' && QStringView(filter).sliced(i).startsWith(u"-or"_s, Qt::CaseInsensitive) &&
            (i + 3 == filter.size() || filter.at(i + 3).isSpace() || filter.at(i + 3) == u'('))
            return {};
        if (c == u'(') {
            if (depth++ == 0)
                open = i;
        } else if (c == u')' && depth > 0 && --depth == 0) {
            const QString before = filter.left(open).trimmed();
            const QString after = filter.mid(i + 1).trimmed();
            const bool startsTerm = before.isEmpty() || before.endsWith(u"-and"_s, Qt::CaseInsensitive);
            const bool endsTerm = after.isEmpty() || after.startsWith(u"-and"_s, Qt::CaseInsensitive);
            // "-not (…)" is not a term of its own.
            if (startsTerm && endsTerm && !before.endsWith(u"-not"_s, Qt::CaseInsensitive))
                terms << filter.mid(open + 1, i - open - 1);
        }
    }
    return terms;
}

} // namespace

const QList<qsizetype>* MailboxFilterCache::select(const QString& filter, QString* error)
{
    if (auto it = m_selections.constFind(filter); it != m_selections.cend())
        return &*it;
    const OpathFilter::Parsed parsed = OpathFilter::parse(filter, m_collation);
    if (!parsed.ok()) {
        *error = parsed.error;
        return nullptr;
    }
    // Only the mailboxes a parenthesised "-and" term selects need evaluating: a slice's filter is its parent's,
    // parenthesised, "-and" its own borders (ExoMailboxSliceReader), which keeps a 600,000-mailbox tenant's
    // hundreds of slices cheap; a rescan's slice is "(its borders) -and (WhenChangedUTC -gt '…')", whose second
    // term, the same for every slice, is selected once, first (none of its terms having been asked for alone).
    const QStringList terms = parenthesisedAndTerms(filter);
    const QList<qsizetype>* within = nullptr;
    for (const QString& term : terms) {
        const auto it = m_selections.constFind(term);
        if (it != m_selections.cend() && (!within || it->size() < within->size()))
            within = &*it;
    }
    if (!within && terms.size() > 1) {
        QString ignored;
        within = select(terms.last(), &ignored);
    }
    QList<qsizetype> selected;
    const qsizetype candidates = within ? within->size() : m_mailboxes->size();
    for (qsizetype c = 0; c < candidates; ++c) {
        const qsizetype i = within ? within->at(c) : c;
        const bool match = parsed.match([&](const QString& property) { return column(property).at(i); });
        if (match)
            selected.append(i);
    }
    return &*m_selections.insert(filter, std::move(selected));
}

} // namespace sunset
