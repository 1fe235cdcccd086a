// SPDX-License-Identifier: Apache-2.0
#include "AdLiveScan.h"

#include "AdIncrementalRead.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Connects, binds and finds the base DN; the error message says what failed, for the admin.
Expected<void, QString> openDirectory(LdapConnection& connection, AdLiveScanSettings& settings)
{
    if (auto connected = connection.connect(); !connected)
        return connected.error().toString();
    const LdapResult<void> bound = settings.dc.kerberos
                                       ? connection.kerberosBind()
                                       : connection.simpleBind(settings.dc.bindName, settings.password);
    settings.password.fill('\0'); // the secret is needed for the bind only
    settings.password.clear();
    if (!bound)
        return bound.error().toString();
    if (settings.dc.baseDn.isEmpty()) {
        auto rootDse = connection.readRootDse();
        if (!rootDse)
            return rootDse.error().toString();
        settings.dc.baseDn = QString::fromUtf8(rootDse->defaultNamingContext);
    }
    return {};
}

} // namespace

AdLiveScan::AdLiveScan(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const Snapshot>>();
}

AdLiveScan::~AdLiveScan() = default; // m_task cancels and waits

bool AdLiveScan::isRunning() const
{
    return m_task.isRunning();
}

void AdLiveScan::cancel()
{
    m_task.cancel();
}

void AdLiveScan::start(AdLiveScanSettings settings)
{
    // The work's last word is the outcome (finished or failed), emitted by the task's callback on this object's
    // thread; progress goes the same way through control.post. The task (a member) cancels and waits in its
    // destructor and drops what is still queued, so nothing reaches a destroyed scan.
    using Emit = std::function<void(AdLiveScan&)>;
    const auto post = [this](const TaskControl& control, Emit deliver) {
        control.post([this, deliver = std::move(deliver)] { deliver(*this); });
    };
    m_task.start(
        [settings = std::move(settings), post](TaskControl& control) mutable -> Emit {
            LdapConnection connection(connectionOptionsFor(settings.dc)); // created here: this thread owns the LDAP*
            if (const auto opened = openDirectory(connection, settings); !opened)
                return [message = opened.error()](AdLiveScan& scan) { Q_EMIT scan.failed(message); };
            AdIncrementalOptions options;
            options.read.pageSize = settings.pageSize;
            options.stateDirectory = settings.stateDirectory;
            options.forceFull = settings.fullRead;
            options.maxCursorAgeDays = settings.maxCursorAgeDays;
            const auto onPage = [&](qint64 entries) {
                post(control, [entries](AdLiveScan& scan) { Q_EMIT scan.progress(entries); });
                return !control.isCanceled();
            };
            Result<AdIncrementalResult> read =
                readAdSnapshotIncrementally(connection, settings.dc.baseDn.toUtf8(), onPage, options);
            Result<Snapshot> snapshot =
                read ? Result<Snapshot>(std::move(read->snapshot)) : Result<Snapshot>(read.error());
            if (read && !settings.stateDirectory.isEmpty()) {
                QString description = read->describe();
                if (!read->stateWarning.isEmpty())
                    description += u" The AD cursor could not be kept (%1): the next scan reads in full."_s.arg(
                        read->stateWarning);
                post(control, [description](AdLiveScan& scan) { Q_EMIT scan.readDescribed(description); });
            }
            if (control.isCanceled())
                return [](AdLiveScan& scan) { Q_EMIT scan.failed(u"cancelled"_s); };
            if (!snapshot)
                return [message = snapshot.error().toString()](AdLiveScan& scan) { Q_EMIT scan.failed(message); };
            auto shared = std::make_shared<const Snapshot>(std::move(snapshot.value()));
            return [shared](AdLiveScan& scan) { Q_EMIT scan.finished(shared); };
        },
        [this](const Emit& outcome) { outcome(*this); });
}

} // namespace sunset
