// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ExoMailboxClient.h"
#include "ImportError.h"
#include "RateLimitGate.h"
#include "Snapshot.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <list>
#include <memory>
#include <optional>

namespace sunset {

// The OPATH filter of one slice of mailboxes by Name: those not below `from` and below `to`, within the parent
// slice's own filter. Empty borders are open ends; both empty and no parent: no filter (every mailbox).
// `from` and `to` are quoted for OPATH (a quote doubled: 'O''Brien'). A slice's complement is written
// -not (Name -ge 'x') rather than Name -lt 'x', so that a mailbox no comparison holds for (a Name the service
// compares oddly, or none) still lands in the slice below the first border: see ExoMailboxSliceReader.
QString exoSliceFilter(const QString& parentFilter, const QString& from, const QString& to);
QString opathQuote(const QString& value);

// Reads every mailbox of the tenant through Get-Mailbox on InvokeCommand in slices by Name (-Filter), several
// at once, into one Snapshot equal to the single-stream read.
//
// How: the first request is the single stream's first page (a tenant of one page costs one request, as before).
// When it has a nextLink, the Names on it are a sample of the tenant: its quantiles become the borders of
// 4 x parallel slices, read parallel at a time, each by its own pager (own retries, own resume point). A slice
// that still has a nextLink after two pages is split again at the quantiles of the names it has read; deeper
// slices split once they have read 8 pages (bounded depth). A split slice's pages are kept and read again by its children:
// one page per split is the price of not knowing a slice's size in advance (Get-Mailbox does not count).
//
// Why the union is exact whatever order Exchange compares names in (it is not documented; case-insensitive under
// a culture's collation is assumed): the slices between borders b1..bk are "not >= b1", ">= b1 and not >= b2",
// ..., ">= bk", each within its parent's filter. For any mailbox of the parent, walk the chain of ">= bi"
// answers: either the first is false (first slice), or there is a last true one followed by a false one or the
// end (that slice). So no mailbox is ever lost, whatever the comparisons answer, even when they are not
// monotonic; if the service orders borders differently from Sunset, a mailbox can be in two slices, and the
// merge keeps it once (by ExternalDirectoryObjectId, else UPN, else primary SMTP address). Borders are made of
// ASCII letters, digits and dots only (see borderOf), which every plausible order sorts alike, so in practice the
// slices are disjoint and nothing is read twice.
//
// The v2.0 Mailbox endpoint documents no Filter parameter [documented: its parameters are Identity, ResultSize
// and IncludeGrantSendOnBehalfToWithDisplayNames], so with ExoAdminApi::V2 the read is one stream (and says so
// in the log), as it is with parallel 1.
//
// Throttling: every slice's pager shares one RateLimitGate (Rate-Limit-* headers) and waits out 429 Retry-After
// on its own throttle budget; a 429 also lowers how many slices run at once (by one, down to one), raised again
// after 8 pages without one. Progress adds up the slices' mailboxes (leaf slices only: a split slice's pages are
// read again). cancel() stops every slice; a slice that fails after its retries fails the read with its own
// message, the slice's filter named.
class ExoMailboxSliceReader final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExoMailboxSliceReader)

public:
    // Makes a configured client (endpoint, tenant, tokens, api, anchor, resource, retry policy, graph directory)
    // for one slice; called as each slice starts. The reader owns what it returns.
    using ClientFactory = std::function<std::unique_ptr<ExoMailboxClient>()>;

    explicit ExoMailboxSliceReader(ClientFactory factory, QObject* parent = nullptr);
    ~ExoMailboxSliceReader() override;

    void setApi(ExoAdminApi api) { m_api = api; }
    void setParallel(int slices); // 1: one stream, as ExoMailboxClient alone; default 4, at most 16
    // An incremental read (ExoMailboxClient::setChangedSince): the changed mailboxes are few, so it is one stream
    // whatever setParallel says. 0: every mailbox, in slices. Before start().
    void setChangedSince(qint64 msecs) { m_changedSince = msecs; }
    // ... unless it has Name borders kept from the last full read (rescanBorders()): then it is cut at them into
    // that many slices, read at once and never split, so the changed mailboxes cost one request's latency spread
    // over parallel requests instead of one request carrying them all. Any borders give the exact union (see
    // above); stale ones only make the slices uneven. Before start(); ignored on v2.0 or with parallel 1.
    void setRescanBorders(QStringList borders) { m_rescanBorders = std::move(borders); }
    // After a full sliced read: parallel - 1 of its first split's borders, evenly spaced (the tenant's Name
    // quantiles), for the next rescan; empty when the read was one stream.
    QStringList rescanBorders() const;
    // Hears each mailbox object read, as Exchange Online sent it, once: a mailbox two slices return (a split
    // slice's pages read again by its children, a border the service orders differently) reaches it the first
    // time only, by the same key the snapshot's merge uses. Before start().
    void setMailboxObjectSink(std::function<void(const QJsonObject&)> sink) { m_sink = std::move(sink); }

    void start();
    void cancel();
    bool isRunning() const { return m_running; }
    std::optional<ImportError> error() const { return m_error; }
    const Snapshot& snapshot() const { return m_snapshot; }
    Snapshot takeSnapshot() { return std::move(m_snapshot); }

    // What the last read did, for logs, tests and the benchmark.
    int slicesRead() const { return m_slicesRead; } // leaf slices read to the end
    int splits() const { return m_splits; }
    int maxRunning() const { return m_maxRunning; }
    qint64 duplicates() const { return m_duplicates; } // mailboxes read in two slices, kept once
    int throttled() const { return m_throttled; }     // 429s waited out
    const RateLimitGate& rateLimitGate() const { return m_gate; }

Q_SIGNALS:
    void progress(qint64 mailboxes, qint64 total); // total is -1: Get-Mailbox does not count
    void finished(bool ok);

private:
    struct Slice {
        QString filter; // the whole OPATH filter sent (empty: the first request, unfiltered)
        QString from;   // its own borders within the parent, for splitting it
        QString to;
        QString parentFilter;
        int depth = 0;
        enum class State { Pending, Running, Split, Done } state = State::Pending;
        std::unique_ptr<ExoMailboxClient> client;
        Snapshot snapshot; // what it read, once done or split
    };
    using SliceIt = std::list<Slice>::iterator;

    void runPending();
    void startSlice(SliceIt slice);
    void onPage(SliceIt slice);
    void onFinished(SliceIt slice, bool ok);
    bool maybeSplit(SliceIt slice);
    QStringList bordersFrom(const Slice& slice, int pieces) const;
    void reportProgress();
    void finish();
    void fail(ImportError error);
    int running() const;
    void sinkOnce(const QJsonObject& mailbox);

    ClientFactory m_factory;
    ExoAdminApi m_api = ExoAdminApi::InvokeCommand;
    int m_parallel = 4;
    int m_limit = 4; // slices allowed at once now (lowered by 429s)
    std::list<Slice> m_slices; // in border order: a split slice is followed by its children
    RateLimitGate m_gate;
    Snapshot m_snapshot;
    std::optional<ImportError> m_error;
    bool m_running = false;
    bool m_stopping = false;
    qint64 m_doneItems = 0; // mailboxes of leaf slices read to the end
    qint64 m_lastProgress = 0;
    int m_slicesRead = 0;
    int m_splits = 0;
    int m_maxRunning = 0;
    qint64 m_duplicates = 0;
    int m_throttled = 0;
    int m_pagesSinceThrottle = 0;
    qint64 m_changedSince = 0;
    std::function<void(const QJsonObject&)> m_sink;
    QStringList m_rescanBorders; // setRescanBorders
    QStringList m_firstBorders;  // the first request's split, in order (rescanBorders)
    QSet<QByteArray> m_sunk; // the sink's mailboxes so far, by merge key
};

} // namespace sunset
