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
    return *m_columns.insert(key, std::move(values));
}

const QList<qsizetype>* MailboxFilterCache::select(const QString& filter, QString* error)
{
    if (auto it = m_selections.constFind(filter); it != m_selections.cend())
        return &*it;
    const OpathFilter::Parsed parsed = OpathFilter::parse(filter, m_collation);
    if (!parsed.ok()) {
        *error = parsed.error;
        return nullptr;
    }
    // A slice's filter is its parent's, parenthesised, "-and" its own borders (ExoMailboxSliceReader): only the
    // parent's mailboxes need evaluating, which keeps a 600,000-mailbox tenant's hundreds of slices cheap.
    const QList<qsizetype>* within = nullptr;
    for (auto it = m_selections.cbegin(); it != m_selections.cend(); ++it) {
        if (filter.startsWith(u'(' + it.key() + u") -and "_s) && (!within || it->size() < within->size()))
            within = &*it;
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
