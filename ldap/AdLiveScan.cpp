// SPDX-License-Identifier: Apache-2.0
#include "AdLiveScan.h"

#include "AdIncrementalRead.h"

#include <QThread>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Connects, binds and finds the base DN; the error message says what failed, for the admin.
std::optional<QString> openDirectory(LdapConnection& connection, AdLiveScanSettings& settings)
{
    if (auto error = connection.connect())
        return error->toString();
    std::optional<LdapError> bound = settings.dc.kerberos
                                         ? connection.kerberosBind()
                                         : connection.simpleBind(settings.dc.bindName, settings.password);
    settings.password.fill('\0'); // the secret is needed for the bind only
    settings.password.clear();
    if (bound)
        return bound->toString();
    if (settings.dc.baseDn.isEmpty()) {
        auto rootDse = connection.readRootDse();
        if (!rootDse)
            return rootDse.error().toString();
        settings.dc.baseDn = QString::fromUtf8(rootDse->defaultNamingContext);
    }
    return std::nullopt;
}

} // namespace

AdLiveScan::AdLiveScan(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const Snapshot>>();
}

AdLiveScan::~AdLiveScan()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool AdLiveScan::isRunning() const { return m_thread && m_thread->isRunning(); }

void AdLiveScan::cancel()
{
    if (m_cancelled)
        m_cancelled->store(true);
}

void AdLiveScan::start(AdLiveScanSettings settings)
{
    if (isRunning())
        return;
    delete m_thread;
    m_cancelled = std::make_shared<std::atomic<bool>>(false);
    const auto cancelled = m_cancelled;
    // Results go back through queued calls on this object's thread. The object outlives the worker (its
    // destructor waits for it), and Qt drops calls still queued when the object is deleted.
    const auto post = [this](auto deliver) {
        QMetaObject::invokeMethod(this, [this, deliver] { deliver(*this); }, Qt::QueuedConnection);
    };
    m_thread = QThread::create([settings = std::move(settings), cancelled, post]() mutable {
        LdapConnection connection(connectionOptionsFor(settings.dc)); // created here: this thread owns the LDAP*
        if (const auto error = openDirectory(connection, settings)) {
            post([message = *error](AdLiveScan& scan) { Q_EMIT scan.failed(message); });
            return;
        }
        AdIncrementalOptions options;
        options.read.pageSize = settings.pageSize;
        options.stateDirectory = settings.stateDirectory;
        options.forceFull = settings.fullRead;
        options.maxCursorAgeDays = settings.maxCursorAgeDays;
        const auto onPage = [&](qint64 entries) {
            post([entries](AdLiveScan& scan) { Q_EMIT scan.progress(entries); });
            return !cancelled->load();
        };
        Result<AdIncrementalResult> read =
            readAdSnapshotIncrementally(connection, settings.dc.baseDn.toUtf8(), onPage, options);
        Result<Snapshot> snapshot = read ? Result<Snapshot>(std::move(read->snapshot)) : Result<Snapshot>(read.error());
        if (read && !settings.stateDirectory.isEmpty()) {
            QString description = read->describe();
            if (!read->stateWarning.isEmpty())
                description += u" The AD cursor could not be kept (%1): the next scan reads in full."_s.arg(
                    read->stateWarning);
            post([description](AdLiveScan& scan) { Q_EMIT scan.readDescribed(description); });
        }
        if (cancelled->load()) {
            post([](AdLiveScan& scan) { Q_EMIT scan.failed(u"cancelled"_s); });
        } else if (!snapshot) {
            post([message = snapshot.error().toString()](AdLiveScan& scan) { Q_EMIT scan.failed(message); });
        } else {
            auto shared = std::make_shared<const Snapshot>(std::move(snapshot.value()));
            post([shared](AdLiveScan& scan) { Q_EMIT scan.finished(shared); });
        }
    });
    m_thread->setObjectName(u"sunset-ad-scan"_s);
    m_thread->start();
}

} // namespace sunset
