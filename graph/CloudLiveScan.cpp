// SPDX-License-Identifier: Apache-2.0
#include "CloudLiveScan.h"

#include "Clock.h"
#include "ExoMailboxJsonReader.h"
#include "GraphLogging.h"
#include "GraphUsersClient.h"
#include "MailboxCache.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonObject>
#include <QTimer>

#include <functional>
#include <future>
#include <optional>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Post = std::function<void(std::function<void(CloudLiveScan&)>)>;

// One scan, on the worker thread: everything it creates (token provider, clients and their network access
// managers) lives and dies on that thread. The steps chain by signals; run() returns when the last one ends.
class ScanRun final {
public:
    ScanRun(CloudScanSettings settings, const TaskControl& control, Post post)
        : m_settings(std::move(settings))
        , m_connection(cloudConnectionFor(m_settings.connection, m_settings.secret))
        , m_control(control)
        , m_post(std::move(post))
        , m_tokens(m_connection.authority, m_connection.credentials)
        , m_users(m_connection.graphEndpoint, &m_tokens)
        , m_exo([this] { return makeExoClient(); })
        , m_sync(m_connection.graphEndpoint, &m_tokens)
    {
        m_tokens.setDeviceCodeSecondMsecs(m_settings.deviceCodeSecondMsecs);
        m_tokens.setTransferLimits(m_settings.tokenLimits);
        m_users.setResource(m_connection.graphResource);
        m_exo.setApi(m_settings.exoApi);
        m_exo.setParallel(m_settings.exoParallel);
        m_sync.setResource(m_connection.graphResource);
        m_sync.setOptions(m_settings.cloudSync);
        m_sync.setRetryPolicy(m_settings.retryPolicy);
        m_users.setRetryPolicy(m_settings.retryPolicy);

        QObject::connect(&m_tokens, &TokenProvider::deviceCode, &m_loop,
                         [this](const QString& code, const QUrl& uri, const QString& message, qint64 expiresIn) {
                             m_post(
                                 [=](CloudLiveScan& scan) { Q_EMIT scan.deviceCode(code, uri, message, expiresIn); });
                         });
        QObject::connect(&m_tokens, &TokenProvider::signedIn, &m_loop,
                         [this] { m_post([](CloudLiveScan& scan) { Q_EMIT scan.signedIn(); }); });
        QObject::connect(&m_users, &GraphUsersClient::progress, &m_loop,
                         [this](qint64 done, qint64 total) { report(CloudLiveScan::Service::Graph, done, total); });
        QObject::connect(&m_exo, &ExoMailboxSliceReader::progress, &m_loop, [this](qint64 done, qint64 total) {
            report(CloudLiveScan::Service::ExchangeOnline, done, total);
        });
        QObject::connect(&m_sync, &CloudSyncClient::progress, &m_loop, [this](const QString&, qint64 items) {
            report(CloudLiveScan::Service::CloudSync, items, -1);
        });
        QObject::connect(&m_users, &GraphUsersClient::finished, &m_loop, [this](bool ok) { usersDone(ok); });
        QObject::connect(&m_sync, &CloudSyncClient::finished, &m_loop, [this](bool ok) { syncDone(ok); });
        QObject::connect(&m_exo, &ExoMailboxSliceReader::finished, &m_loop, [this](bool ok) { mailboxesDone(ok); });
        // cancel() comes from another thread: it is seen here within a tenth of a second, also while a device
        // code is polled or a Retry-After is waited out; a page in flight is dropped.
        m_cancelPoll.setInterval(100);
        QObject::connect(&m_cancelPoll, &QTimer::timeout, &m_loop, [this] {
            if (m_control.isCanceled())
                stop();
        });
    }

    void run()
    {
        if (!m_settings.readGraph && !m_settings.readExo) {
            fail(u"nothing to read: neither Graph users nor Exchange Online mailboxes are configured"_s);
            return;
        }
        m_cancelPoll.start();
        QMetaObject::invokeMethod(
            &m_loop, [this] { begin(); }, Qt::QueuedConnection);
        m_loop.exec(); // the worker thread's own loop, not a nested one
        // Slice readers finished with deleteLater(): gone before the token provider they point to.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }

private:
    void begin()
    {
        if (!m_connection.credentials.delegated) {
            next();
            return;
        }
        // Delegated: sign in before the first page, so that the admin's name is known for the Exchange admin
        // API's X-AnchorMailbox and no page waits for a human.
        const QString firstResource = m_settings.readGraph ? m_connection.graphResource : m_connection.exoResource;
        m_tokens.accessToken(firstResource, &m_loop, [this](const Result<QByteArray>& token) {
            if (m_control.isCanceled()) {
                finishCancelled();
                return;
            }
            if (!token) {
                fail(token.error().toString());
                return;
            }
            if (!m_tokens.signedInUser().isEmpty())
                m_exoAnchor = "UPN:" + m_tokens.signedInUser().toUtf8();
            next();
        });
    }

    // One Get-Mailbox reader per slice, configured alike; made as each slice starts (after sign-in, so that a
    // delegated read anchors on the admin).
    std::unique_ptr<ExoMailboxClient> makeExoClient()
    {
        auto client =
            std::make_unique<ExoMailboxClient>(m_connection.exoEndpoint, m_connection.credentials.tenant, &m_tokens);
        client->setResource(m_connection.exoResource);
        client->setApi(m_settings.exoApi);
        if (!m_exoAnchor.isEmpty())
            client->setAnchorMailbox(m_exoAnchor);
        client->setRetryPolicy(m_settings.retryPolicy);
        client->setGraphDirectory(m_exoGraph);
        return client;
    }

    void next()
    {
        if (m_settings.readGraph && !m_usersDone) {
            m_clock.start();
            m_usersStarted = true;
            const auto& previous = m_settings.previous;
            if (previous && !previous->usersResumeLink.isEmpty()) {
                m_users.setDirectory(previous->users);
                m_users.startDelta(previous->usersResumeLink);
            } else if (previous && !previous->deltaLink.isEmpty()) {
                m_users.setDirectory(previous->users);
                m_users.startDelta(previous->deltaLink);
            } else {
                m_users.startDelta(); // a full read through /users/delta, which ends with the link for a rescan
            }
            return;
        }
        if (m_settings.readExo && !m_exoDone) {
            m_clock.start();
            if (m_settings.readGraph)
                m_exoGraph = &m_users.directory();
            else if (m_settings.previous)
                m_exoGraph = &m_settings.previous->users;
            startExo();
            return;
        }
        if (m_settings.readCloudSync && !m_syncDone) {
            m_clock.start();
            m_sync.start();
            return;
        }
        auto result = std::make_shared<CloudScanResult>();
        if (m_settings.readCloudSync)
            result->cloudSync = std::make_shared<const CloudSyncState>(m_sync.takeState());
        if (m_settings.readExo) {
            result->mailboxes = m_merged ? std::move(*m_merged) : m_exo.takeSnapshot();
            result->exoCursor = m_cursor;
            result->exoRead = m_exoRead;
        } else
            result->mailboxes.side = Side::Cloud;
        if (m_settings.readGraph) {
            result->users = m_users.directory();
            result->deltaLink = m_users.deltaLink();
            result->usersFromDelta =
                m_settings.previous &&
                !(m_settings.previous->deltaLink.isEmpty() && m_settings.previous->usersResumeLink.isEmpty()) &&
                !m_users.resynced();
            result->userChanges = m_users.changes();
        }
        std::shared_ptr<const CloudScanResult> shared = std::move(result);
        m_post([shared](CloudLiveScan& scan) { Q_EMIT scan.finished(shared); });
        m_loop.quit();
    }

    void report(CloudLiveScan::Service service, qint64 done, qint64 total)
    {
        const double seconds = std::max<qint64>(1, m_clock.elapsed()) / 1000.0;
        const double rate = double(done) / seconds;
        m_post([=](CloudLiveScan& scan) { Q_EMIT scan.progress(service, done, total, rate); });
        if (m_control.isCanceled())
            stop();
    }

    void usersDone(bool ok)
    {
        if (!ok) {
            failed(m_users.error());
            return;
        }
        m_usersDone = true;
        next();
    }

    // The Exchange Online step: plans the read (incremental or full, ExoRescan.h), then runs it with the
    // mailboxes kept (full: all into a new cache; incremental: the changed ones, merged afterwards).
    void startExo()
    {
        const ExoRescanPolicy& policy = m_settings.exoRescan;
        const Clock& clock = policy.clock ? *policy.clock : Clock::system();
        m_exoStartedMsecs = clock.nowMsecs();
        const auto& previous = m_settings.previous;
        const bool graphDelta = m_settings.readGraph && previous && !previous->deltaLink.isEmpty() &&
                                previous->usersResumeLink.isEmpty() && !m_users.resynced();
        ExoReadPlan plan = planExoRead(policy, previous ? previous->exoCursor : ExoRescanCursor(),
                                       m_connection.credentials.tenant, exoEndpointKey(),
                                       m_settings.exoApi == ExoAdminApi::InvokeCommand, graphDelta,
                                       m_settings.readGraph && m_users.resynced(), m_exoStartedMsecs);
        if (plan.incremental) {
            if (const QString problem = checkMailboxCacheHeader(policy.cacheDirectory, previous->exoCursor);
                !problem.isEmpty())
                plan = ExoReadPlan{false, 0, problem};
        }
        if (plan.incremental)
            startIncrementalExo(plan.changedSinceMsecs);
        else
            startFullExo(plan.fullReason);
    }

    void startFullExo(const QString& reason)
    {
        m_exoRead = {};
        m_exoRead.fullReason = reason;
        m_merged.reset();
        m_writer.reset();
        if (!m_settings.exoRescan.cacheDirectory.isEmpty()) {
            m_writer = std::make_unique<MailboxCacheWriter>(m_settings.exoRescan.cacheDirectory);
            if (const QString error = m_writer->open(); !error.isEmpty()) {
                m_exoRead.cacheProblem = error;
                m_writer.reset();
            }
        }
        if (m_writer)
            m_exo.setMailboxObjectSink(
                [this](const QJsonObject& mailbox) { m_writer->add(MailboxCache::line(mailbox)); });
        else
            m_exo.setMailboxObjectSink({});
        m_exo.setChangedSince(0);
        m_exo.setRescanBorders({});
        m_exo.start();
    }

    void startIncrementalExo(qint64 sinceMsecs)
    {
        // The kept mailboxes are parsed while Exchange Online answers the filtered requests (their cost is mostly
        // waiting): a thread of its own, joined in mergeIncremental. std::async, not a BackgroundTask: a fork
        // joined within this scan's own worker thread, which reports nothing on its own.
        // Opened here, before anything is read: the merge puts a new file in its place.
        auto kept = std::make_unique<QFile>(MailboxCache::path(m_settings.exoRescan.cacheDirectory));
        (void)kept->open(QIODevice::ReadOnly); // not open: readKeptMailboxes says why
        m_keptMailboxes = std::async(std::launch::async, [file = std::move(kept), graph = m_exoGraph] {
            return readKeptMailboxes(*file, graph);
        });
        m_exoRead = {};
        m_exoRead.incremental = true;
        m_exoRead.changedSinceMsecs = sinceMsecs;
        m_changes = {};
        m_changes.removedExternalIds = m_users.removedIds();
        m_exo.setMailboxObjectSink([this](const QJsonObject& mailbox) {
            MailboxCache::Keys keys;
            QByteArray line = MailboxCache::line(mailbox, &keys);
            m_changes.lines.insert(keys.key, std::move(line));
        });
        m_exo.setChangedSince(sinceMsecs);
        m_exo.setRescanBorders(m_settings.previous->exoCursor.sliceBorders);
        m_exo.start();
    }

    QString exoEndpointKey() const
    {
        return m_connection.exoEndpoint.toString() +
               (m_settings.exoApi == ExoAdminApi::V2 ? u"|v2.0"_s : u"|InvokeCommand"_s);
    }

    void mailboxesDone(bool ok)
    {
        if (!ok) {
            failed(m_exo.error());
            return;
        }
        m_exo.setMailboxObjectSink({});
        const ExoRescanCursor* previous = m_settings.previous ? &m_settings.previous->exoCursor : nullptr;
        if (m_exoRead.incremental) {
            if (const QString problem = mergeIncremental(*previous); !problem.isEmpty()) {
                // The kept mailboxes turned out damaged: what was read cannot be merged, so everything is read.
                qCWarning(lcGraph).noquote() << problem + u"; reading every mailbox"_s;
                // Queued: this runs inside the client's finished signal, and a new read rebuilds its pager.
                QMetaObject::invokeMethod(
                    &m_loop, [this, problem] { startFullExo(problem); }, Qt::QueuedConnection);
                return;
            }
        } else if (m_writer) {
            if (const QString error = m_writer->commit(); !error.isEmpty())
                m_exoRead.cacheProblem = error;
        }
        if (m_writer && m_exoRead.cacheProblem.isEmpty()) {
            m_cursor.tenant = m_connection.credentials.tenant;
            m_cursor.exoEndpoint = exoEndpointKey();
            m_cursor.cacheFormat = MailboxCache::kFormat;
            m_cursor.cacheId = m_writer->id();
            m_cursor.mailboxes = m_writer->count();
            m_cursor.readStartedMsecs = m_exoStartedMsecs;
            m_cursor.lastFullReadMsecs = m_exoRead.incremental ? previous->lastFullReadMsecs : m_exoStartedMsecs;
            m_cursor.rescansSinceFull = m_exoRead.incremental ? previous->rescansSinceFull + 1 : 0;
            // The full read's Name quantiles serve every rescan until the next full read.
            m_cursor.sliceBorders = m_exoRead.incremental ? previous->sliceBorders : m_exo.rescanBorders();
        }
        m_writer.reset();
        m_exoDone = true;
        next();
    }

    // The kept mailboxes less those changed and those of removed users, plus the changed ones, into a new cache,
    // which is then read back as the scan's mailboxes (joined to this scan's Graph users, as a full read is).
    // Empty when done; else why the kept mailboxes cannot be used.
    QString mergeIncremental(const ExoRescanCursor& previous)
    {
        const QString directory = m_settings.exoRescan.cacheDirectory;
        m_writer = std::make_unique<MailboxCacheWriter>(directory);
        if (const QString error = m_writer->open(); !error.isEmpty()) {
            m_writer.reset();
            return error;
        }
        Result<MailboxMergeCounts> counts = mergeMailboxCache(directory, previous, m_changes, *m_writer);
        if (!counts) {
            m_writer.reset();
            return counts.error().toString();
        }
        if (const QString error = m_writer->commit(); !error.isEmpty()) {
            m_writer.reset();
            return error;
        }
        m_exoRead.changed = qint64(m_changes.lines.size());
        m_exoRead.added = counts->added;
        m_exoRead.removed = counts->removed;
        const QString source = m_exo.snapshot().source + u", merged into the %1 mailboxes kept"_s.arg(previous.mailboxes);
        if (m_keptMailboxes.valid()) {
            Result<Snapshot> kept = m_keptMailboxes.get();
            Result<std::optional<Snapshot>> merged =
                kept ? mergeKeptMailboxes(std::move(kept.value()), counts.value(), m_changes, source, m_exoGraph)
                     : Result<std::optional<Snapshot>>(kept.error());
            if (!merged) {
                m_writer.reset();
                return merged.error().toString();
            }
            if (merged.value()) {
                m_merged = std::move(*merged.value());
                m_merged->source = source;
                m_changes = {};
                return {};
            }
            qCWarning(lcGraph).noquote() << "the kept mailboxes parsed do not match the merge; reading the merged file";
        }
        const QString path = MailboxCache::path(directory);
        QFile file(path);
        const uchar* data = file.open(QIODevice::ReadOnly) ? file.map(0, file.size()) : nullptr;
        if (!data) {
            m_writer.reset();
            return u"cannot read back the merged mailboxes %1: %2"_s.arg(path, file.errorString());
        }
        Result<Snapshot> merged = readExoMailboxesJson(
            QByteArrayView(reinterpret_cast<const char*>(data), file.size()), path, m_exoGraph);
        if (!merged) {
            m_writer.reset();
            return merged.error().toString();
        }
        merged->source = source;
        m_merged = std::move(merged.value());
        m_changes = {};
        return {};
    }

    // Only a cancelled read ends with false: what Cloud Sync did not let itself be read is inside its state.
    void syncDone(bool ok)
    {
        if (!ok) {
            failed(std::nullopt);
            return;
        }
        m_syncDone = true;
        next();
    }

    void failed(const std::optional<ImportError>& error)
    {
        if (m_control.isCanceled()) {
            finishCancelled();
            return;
        }
        fail(error ? error->toString() : u"the cloud scan failed"_s);
    }

    void stop()
    {
        m_tokens.cancelSignIn();
        m_users.cancel(); // each ends with finished(false), which ends the scan as cancelled
        m_exo.cancel();
        m_sync.cancel();
        if (!m_finishing) // nothing was running (between steps): end here
            QMetaObject::invokeMethod(
                &m_loop, [this] { finishCancelled(); }, Qt::QueuedConnection);
    }

    // What Graph gave before the scan stopped: the complete round, or the pages read and where to go on.
    void reportInterrupted()
    {
        if (!m_settings.readGraph || !m_usersStarted)
            return;
        auto partial = std::make_shared<CloudScanResult>();
        partial->mailboxes.side = Side::Cloud;
        partial->users = m_users.directory();
        if (m_usersDone) {
            partial->deltaLink = m_users.deltaLink();
        } else {
            partial->usersResumeLink = m_users.resumeUrl().toEncoded();
            if (partial->usersResumeLink.isEmpty())
                return; // stopped before its first page: nothing to keep
        }
        std::shared_ptr<const CloudScanResult> shared = std::move(partial);
        m_post([shared](CloudLiveScan& scan) { Q_EMIT scan.interrupted(shared); });
    }

    void finishCancelled()
    {
        if (m_finishing)
            return;
        m_finishing = true;
        reportInterrupted();
        m_post([](CloudLiveScan& scan) { Q_EMIT scan.cancelled(); });
        m_loop.quit();
    }

    void fail(const QString& message)
    {
        if (m_finishing)
            return;
        m_finishing = true;
        reportInterrupted();
        m_post([message](CloudLiveScan& scan) { Q_EMIT scan.failed(message); });
        m_loop.quit();
    }

    CloudScanSettings m_settings;
    CloudConnection m_connection; // m_settings' tenant as the clients take it
    const TaskControl& m_control; // cancel() was asked (from the GUI thread)
    Post m_post;
    QEventLoop m_loop;
    QTimer m_cancelPoll;
    QElapsedTimer m_clock;
    TokenProvider m_tokens;
    GraphUsersClient m_users;
    QByteArray m_exoAnchor;                 // delegated: the signed-in admin's UPN anchor
    const GraphDirectory* m_exoGraph = nullptr; // users giving mailboxes their anchors
    ExoMailboxSliceReader m_exo;
    CloudSyncClient m_sync;
    qint64 m_exoStartedMsecs = 0;
    ExoReadSummary m_exoRead;
    ExoRescanCursor m_cursor;
    MailboxChanges m_changes;
    std::unique_ptr<MailboxCacheWriter> m_writer;
    // An incremental read's kept mailboxes, parsed on a thread of their own (last: joined before the directory it
    // joins them to goes).
    std::future<Result<Snapshot>> m_keptMailboxes;
    std::optional<Snapshot> m_merged;
    bool m_syncDone = false;
    bool m_usersStarted = false;
    bool m_usersDone = false;
    bool m_exoDone = false;
    bool m_finishing = false;
};

} // namespace

QString describeExoRead(const CloudScanResult& result)
{
    const ExoReadSummary& read = result.exoRead;
    const qint64 total = qint64(result.mailboxes.records.size());
    if (read.incremental)
        return u"Exchange Online: %1 %2 changed since %3 (%4 new), %5 removed with their users; %6 in all."_s
            .arg(read.changed)
            .arg(read.changed == 1 ? u"mailbox"_s : u"mailboxes"_s)
            .arg(QDateTime::fromMSecsSinceEpoch(read.changedSinceMsecs, Qt::UTC).toString(Qt::ISODate))
            .arg(read.added)
            .arg(read.removed)
            .arg(total);
    return u"Exchange Online: read all %1 mailboxes"_s.arg(total) +
           (read.fullReason.isEmpty() ? u"."_s : u" (full read: %1)."_s.arg(read.fullReason));
}

CloudLiveScan::CloudLiveScan(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const CloudScanResult>>();
    qRegisterMetaType<CloudLiveScan::Service>();
    // Connected first, so that whoever sees the outcome sees the scan as ended and may start the next at once.
    const auto ended = [this] { m_outcomeDelivered = true; };
    connect(this, &CloudLiveScan::finished, this, ended);
    connect(this, &CloudLiveScan::failed, this, ended);
    connect(this, &CloudLiveScan::cancelled, this, ended);
}

CloudLiveScan::~CloudLiveScan() = default; // m_task cancels and waits

bool CloudLiveScan::isRunning() const
{
    return m_task.isRunning();
}

void CloudLiveScan::cancel()
{
    m_task.cancel();
}

void CloudLiveScan::start(CloudScanSettings settings)
{
    if (isRunning()) {
        if (!m_outcomeDelivered)
            return;
        // Its outcome is out: the worker is only tearing down (the slices' connections), briefly.
        m_task.wait();
    }
    m_outcomeDelivered = false;
    // Results go back through queued calls on this object's thread. The task (a member) cancels and waits in its
    // destructor, and drops what is still queued.
    m_task.start([this, settings = std::move(settings)](TaskControl& control) mutable {
        Post post = [this, &control](std::function<void(CloudLiveScan&)> deliver) {
            control.post([this, deliver = std::move(deliver)] { deliver(*this); });
        };
        ScanRun run(std::move(settings), control, post);
        run.run();
    });
}

} // namespace sunset
