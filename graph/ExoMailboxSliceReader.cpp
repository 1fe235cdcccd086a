// SPDX-License-Identifier: Apache-2.0
#include "ExoMailboxSliceReader.h"

#include "GraphLogging.h"

#include <QSet>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kMaxDepth = 4;            // the first request, its slices, and two levels of splits below them
constexpr int kSplitAfterDeepPages = 8; // below the first level: a slice this long is split
constexpr int kPiecesPerSplit = 8;
constexpr int kMaxParallel = 16;

// A border made from a name: its longest prefix of ASCII letters, digits and dots, lower-cased ("O'Brien" gives
// "o", "Åsa" nothing). Such strings are ordered alike by every order Exchange might compare names in (ordinal,
// case-insensitive, a culture's collation: digits after '.', letters after digits, no accents, no case, none of the
// punctuation word sorts skip), so the borders stay in the same order on the service as here and the slices stay
// disjoint: no mailbox is read twice. (Whole names as borders were read twice by the hundreds under a culture's
// order in TestExoSlices: "Émile" sorts after "z" here and after "e" there.)
QString borderOf(const QString& name)
{
    QString border;
    for (const QChar c : name) {
        if (c.unicode() >= 128)
            break;
        const QChar lower = c.toLower();
        if (!((lower >= u'a' && lower <= u'z') || (lower >= u'0' && lower <= u'9') || lower == u'.'))
            break;
        border += lower;
    }
    return border;
}

QByteArray mergeKey(const MailboxRecord& record)
{
    for (IdentityField field :
         {IdentityField::ExternalDirectoryObjectId, IdentityField::UserPrincipalName, IdentityField::PrimarySmtpAddress}) {
        const QByteArrayView value = record.identity(field);
        if (!value.isEmpty())
            return QByteArray(1, char('0' + int(field))) + value.toByteArray().toLower();
    }
    return {};
}

// mergeKey's key for a mailbox object as Exchange Online sent it (the record's identities, read from the same
// members), so that the sink keeps exactly the mailboxes the snapshot keeps.
QByteArray mergeKey(const QJsonObject& mailbox)
{
    const std::pair<IdentityField, QLatin1StringView> members[] = {
        {IdentityField::ExternalDirectoryObjectId, "ExternalDirectoryObjectId"_L1},
        {IdentityField::UserPrincipalName, "UserPrincipalName"_L1},
        {IdentityField::PrimarySmtpAddress, "PrimarySmtpAddress"_L1}};
    for (const auto& [field, member] : members) {
        const QString value = mailbox.value(member).toString();
        if (!value.isEmpty())
            return QByteArray(1, char('0' + int(field))) + value.toUtf8().toLower();
    }
    return {};
}

} // namespace

QString opathQuote(const QString& value)
{
    QString quoted = value;
    quoted.replace(u'\'', u"''"_s);
    return u'\'' + quoted + u'\'';
}

QString exoSliceFilter(const QString& parentFilter, const QString& from, const QString& to)
{
    QStringList terms;
    if (!parentFilter.isEmpty())
        terms << u'(' + parentFilter + u')';
    if (!from.isEmpty())
        terms << u"Name -ge "_s + opathQuote(from);
    if (!to.isEmpty())
        terms << u"-not (Name -ge "_s + opathQuote(to) + u')';
    return terms.join(u" -and "_s);
}

ExoMailboxSliceReader::ExoMailboxSliceReader(ClientFactory factory, QObject* parent)
    : QObject(parent)
    , m_factory(std::move(factory))
{
}

ExoMailboxSliceReader::~ExoMailboxSliceReader()
{
    m_stopping = true; // the clients' finished(false) as they go must not reach a half-destroyed reader
    for (Slice& slice : m_slices) {
        if (slice.client)
            slice.client->disconnect(this);
    }
}

void ExoMailboxSliceReader::setParallel(int slices)
{
    m_parallel = std::clamp(slices, 1, kMaxParallel);
}

int ExoMailboxSliceReader::running() const
{
    return int(std::count_if(m_slices.begin(), m_slices.end(),
                             [](const Slice& s) { return s.state == Slice::State::Running; }));
}

void ExoMailboxSliceReader::start()
{
    if (m_running)
        return;
    m_slices.clear();
    m_snapshot = {};
    m_snapshot.side = Side::Cloud;
    m_error.reset();
    m_running = true;
    m_stopping = false;
    m_doneItems = 0;
    m_slicesRead = m_splits = m_maxRunning = m_throttled = m_pagesSinceThrottle = 0;
    m_duplicates = 0;
    m_lastProgress = 0;
    m_sunk.clear();
    m_firstBorders.clear();
    m_limit = m_parallel;
    m_gate = RateLimitGate(m_parallel);
    if (m_changedSince > 0 && !m_rescanBorders.isEmpty() && m_api != ExoAdminApi::V2 && m_parallel > 1) {
        // A rescan: its slices are known from the last full read, so all start at once (the first-request sample
        // of a full read would cost a request of its own). At most parallel of them: more would queue.
        QStringList borders = m_rescanBorders;
        std::sort(borders.begin(), borders.end());
        borders.erase(std::unique(borders.begin(), borders.end()), borders.end());
        borders.removeAll(QString());
        while (borders.size() >= m_parallel)
            borders.removeAt(borders.size() / 2); // keep the ends spread; rare (a kept file with more)
        for (qsizetype i = 0; i <= borders.size(); ++i) {
            Slice slice;
            slice.from = i == 0 ? QString() : borders[i - 1];
            slice.to = i == borders.size() ? QString() : borders[i];
            slice.filter = exoSliceFilter({}, slice.from, slice.to);
            slice.depth = kMaxDepth; // never split: the changed mailboxes are few
            m_slices.push_back(std::move(slice));
        }
        runPending();
        return;
    }
    Slice first;
    if (m_api == ExoAdminApi::V2 && m_parallel > 1)
        qCInfo(lcGraph) << "the v2.0 Mailbox endpoint takes no -Filter: Exchange Online is read as one stream";
    if (m_api == ExoAdminApi::V2 || m_parallel == 1 || m_changedSince > 0)
        first.depth = kMaxDepth; // never split
    m_slices.push_back(std::move(first));
    runPending();
}

void ExoMailboxSliceReader::runPending()
{
    for (auto it = m_slices.begin(); it != m_slices.end() && m_running && running() < m_limit; ++it) {
        if (it->state == Slice::State::Pending)
            startSlice(it);
    }
}

void ExoMailboxSliceReader::startSlice(SliceIt slice)
{
    slice->state = Slice::State::Running;
    slice->client = m_factory();
    ExoMailboxClient* client = slice->client.get();
    if (!slice->filter.isEmpty())
        client->setFilter(slice->filter);
    client->setChangedSince(m_changedSince);
    if (m_sink)
        client->setMailboxObjectSink([this](const QJsonObject& mailbox) { sinkOnce(mailbox); });
    client->setRateLimitGate(&m_gate);
    client->setSlice(m_api != ExoAdminApi::V2 && m_parallel > 1); // one stream logs as ExoMailboxClient alone
    client->setCollectNames(slice->depth < kMaxDepth);
    connect(client, &ExoMailboxClient::progress, this, [this, slice] { onPage(slice); });
    connect(client, &ExoMailboxClient::finished, this, [this, slice](bool ok) { onFinished(slice, ok); });
    connect(client, &ExoMailboxClient::throttled, this, [this] {
        // The service says too much at once: one slice fewer until it has answered a while without a 429.
        ++m_throttled;
        m_pagesSinceThrottle = 0;
        m_limit = std::max(1, std::min(m_limit, running()) - 1);
    });
    m_maxRunning = std::max(m_maxRunning, running());
    client->start();
}

void ExoMailboxSliceReader::onPage(SliceIt slice)
{
    if (m_stopping)
        return;
    if (m_limit < m_parallel && ++m_pagesSinceThrottle >= 8) {
        ++m_limit;
        m_pagesSinceThrottle = 0;
        runPending();
    }
    if (maybeSplit(slice))
        return;
    reportProgress();
}

QStringList ExoMailboxSliceReader::bordersFrom(const Slice& slice, int pieces) const
{
    // The sample's names as borders, in order; a border must lie strictly inside the slice (whose own borders are
    // of the same kind, so plain comparison is the service's order here).
    QStringList names;
    for (const QString& name : slice.client->names()) {
        const QString border = borderOf(name);
        if (border.isEmpty() || (!slice.from.isEmpty() && border <= slice.from) ||
            (!slice.to.isEmpty() && border >= slice.to))
            continue;
        names.append(border);
    }
    std::sort(names.begin(), names.end());
    QStringList borders;
    for (int i = 1; i < pieces && !names.isEmpty(); ++i) {
        const QString& candidate = names[qsizetype(i) * names.size() / pieces];
        if (borders.isEmpty() || borders.last() < candidate)
            borders.append(candidate);
    }
    return borders;
}

QStringList ExoMailboxSliceReader::rescanBorders() const
{
    // The first split cut the tenant into borders.size() + 1 slices of about equal size: every
    // (size + 1) / parallel-th border cuts it into parallel.
    QStringList chosen;
    const qsizetype pieces = m_firstBorders.size() + 1;
    for (qsizetype k = 1; k < m_parallel; ++k) {
        const qsizetype at = k * pieces / m_parallel - 1;
        if (at >= 0 && at < m_firstBorders.size() && (chosen.isEmpty() || chosen.last() < m_firstBorders[at]))
            chosen.append(m_firstBorders[at]);
    }
    return chosen;
}

bool ExoMailboxSliceReader::maybeSplit(SliceIt slice)
{
    if (slice->depth >= kMaxDepth || !slice->client->hasMorePages())
        return false;
    // The first request splits at once (its page is the sample); a first-level slice once it has shown it is more
    // than two pages (a small tenant's slices are not cut into requests shorter than their latency); deeper ones
    // once they are long.
    const qint64 splitAfter = slice->depth == 0 ? 1 : slice->depth == 1 ? 2 : kSplitAfterDeepPages;
    if (slice->client->pagesRead() < splitAfter)
        return false;
    const QStringList borders = bordersFrom(*slice, slice->depth == 0 ? 4 * m_parallel : kPiecesPerSplit);
    if (borders.isEmpty()) { // every name alike: read on as one stream
        slice->depth = kMaxDepth;
        slice->client->setCollectNames(false);
        return false;
    }
    ++m_splits;
    if (slice->depth == 0)
        m_firstBorders = borders;
    auto at = std::next(slice);
    for (qsizetype i = 0; i <= borders.size(); ++i) {
        Slice child;
        const QString from = i == 0 ? QString() : borders[i - 1];
        const QString to = i == borders.size() ? QString() : borders[i];
        child.filter = exoSliceFilter(slice->filter, from, to);
        child.from = from.isEmpty() ? slice->from : from;
        child.to = to.isEmpty() ? slice->to : to;
        child.depth = slice->depth + 1;
        m_slices.insert(at, std::move(child));
    }
    qCDebug(lcGraphSlices).noquote() << u"slice \"%1\" has more than %2 page(s): split in %3"_s.arg(
        slice->filter.isEmpty() ? u"(all)"_s : slice->filter, QString::number(slice->client->pagesRead()),
        QString::number(borders.size() + 1));
    slice->state = Slice::State::Split;
    slice->client->cancel(); // its finished(false) keeps what it read (onFinished)
    runPending();
    return true;
}

void ExoMailboxSliceReader::onFinished(SliceIt slice, bool ok)
{
    ExoMailboxClient* finishedClient = slice->client.release();
    if (!finishedClient)
        return;
    finishedClient->disconnect(this);
    finishedClient->deleteLater(); // inside its own signal: deleted once it has returned
    if (m_stopping)
        return;
    if (slice->state == Slice::State::Split) {
        slice->snapshot = finishedClient->takeSnapshot();
        return;
    }
    if (!ok) {
        ImportError error = finishedClient->error().value_or(ImportError{{}, 0, {}, u"the read failed"_s});
        if (!slice->filter.isEmpty())
            error.message = u"slice -Filter \"%1\": "_s.arg(slice->filter) + error.message;
        fail(std::move(error));
        return;
    }
    slice->snapshot = finishedClient->takeSnapshot();
    slice->state = Slice::State::Done;
    m_doneItems += qint64(slice->snapshot.records.size());
    ++m_slicesRead;
    reportProgress();
    if (std::none_of(m_slices.begin(), m_slices.end(), [](const Slice& s) {
            return s.state == Slice::State::Pending || s.state == Slice::State::Running;
        })) {
        finish();
        return;
    }
    runPending();
}

void ExoMailboxSliceReader::sinkOnce(const QJsonObject& mailbox)
{
    // The first sighting is kept: a split slice's copy and its child's are the same read moments apart, and a
    // change after the read began is read again by the next rescan (its cursor starts where this read started).
    // Without a key the snapshot keeps every copy too.
    const QByteArray key = mergeKey(mailbox);
    if (!key.isEmpty()) {
        if (m_sunk.contains(key))
            return;
        m_sunk.insert(key);
    }
    m_sink(mailbox);
}

void ExoMailboxSliceReader::reportProgress()
{
    qint64 items = m_doneItems;
    for (const Slice& slice : m_slices) {
        if (slice.state == Slice::State::Running && slice.client)
            items += qint64(slice.client->snapshot().records.size());
    }
    // A split slice's mailboxes leave the count until its children read them again: never shown going back,
    // nor said again unchanged (a split, a slice done whose pages were counted as they came).
    if (items <= m_lastProgress)
        return;
    m_lastProgress = items;
    Q_EMIT progress(m_lastProgress, -1);
}

void ExoMailboxSliceReader::finish()
{
    QSet<QByteArray> seen;
    Snapshot merged;
    merged.side = Side::Cloud;
    merged.source = m_slices.front().snapshot.source;
    if (m_slices.size() > 1)
        merged.source += u", in %1 slices by Name"_s.arg(m_slicesRead);
    // The leaf slices in border order, then what a split slice read that none of its children did (a mailbox
    // renamed or removed in between; normally nothing).
    for (const Slice::State pass : {Slice::State::Done, Slice::State::Split}) {
        for (Slice& slice : m_slices) {
            if (slice.state != pass)
                continue;
            merged.newestChangeMsecs = std::max(merged.newestChangeMsecs, slice.snapshot.newestChangeMsecs);
            if (pass == Slice::State::Done)
                merged.skippedEntries += slice.snapshot.skippedEntries; // a split slice's are read again below it
            for (MailboxRecord& record : slice.snapshot.records) {
                const QByteArray key = mergeKey(record);
                if (key.isEmpty() || !seen.contains(key)) {
                    if (!key.isEmpty())
                        seen.insert(key);
                    merged.records.push_back(std::move(record));
                } else if (pass == Slice::State::Done) {
                    ++m_duplicates; // in two leaf slices: the service ordered a border differently from Sunset
                }
            }
            slice.snapshot = {};
        }
    }
    m_snapshot = std::move(merged);
    if (m_slices.size() > 1)
        qCInfo(lcGraph).noquote() << u"read %1 mailboxes in %2 slices by Name (%3 splits, at most %4 at once, %5 "
                                     "throttled, %6 read twice and kept once)"_s.arg(
                                         QString::number(m_snapshot.records.size()), QString::number(m_slicesRead),
                                         QString::number(m_splits), QString::number(m_maxRunning),
                                         QString::number(m_throttled), QString::number(m_duplicates));
    m_slices.clear();
    m_sunk = {};
    m_running = false;
    Q_EMIT finished(true);
}

void ExoMailboxSliceReader::fail(ImportError error)
{
    m_stopping = true;
    m_running = false;
    for (Slice& slice : m_slices) {
        if (slice.client && slice.state == Slice::State::Running)
            slice.client->cancel(); // ignored here (m_stopping)
    }
    m_sunk = {};
    m_error = std::move(error);
    Q_EMIT finished(false);
}

void ExoMailboxSliceReader::cancel()
{
    if (!m_running)
        return;
    fail(ImportError{m_slices.empty() ? QString() : m_slices.front().snapshot.source, 0, {}, u"cancelled"_s});
}

} // namespace sunset
